package model

import (
	"fmt"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
)

// TestLSSGolden: batch, side and width come from the input (B, S, S, C),
// the depth from the stored smm_blocks, N and K from the first SS2D's
// tensors and the order from the index tables.
func TestLSSGolden(t *testing.T) {
	f := golden.Open(t, "lss_module.npz")
	b, side, _ := nhwc(t, f, "input")
	depth := f.Count("smm_blocks.%d.ln_1.weight")
	ss := goldenSS2D(t, f, "smm_blocks.0.self_attention.", side, goldenOrder(t, f, ""))
	// The standalone module's ln_1 eps is 1e-6 (README); the file does not
	// record it.
	m, err := NewLSS("m", ss, depth, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	loadGolden(t, f, m.Params(), "m.")
	for _, h := range m.Blocks {
		h.SS.Backprop = true
	}
	mark := nn.ScratchOutstanding()
	out := m.Forward(f.Get(t, "input").Data, b)
	nn.CheckScratchBalance(t, mark, "after LSS.Forward")
	checkClose(t, "output", out, f.Get(t, "output"), outTol)
	nn.ZeroGrad(m.Params())
	dx := m.Backward(f.Get(t, "r").Data)
	checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
	nn.PutScratch(dx)
	nn.CheckScratchBalance(t, mark, "after LSS.Backward")
	checkParamGrads(t, f, m.Params(), "m.", zeroGradBias)
}

// TestDecoderSmallGolden builds the decoder the state dict describes (see
// goldenDecoder) and checks outputs, input gradient and parameter gradients.
func TestDecoderSmallGolden(t *testing.T) {
	f := golden.Open(t, "decoder_small.npz")
	cfg, b := goldenDecoder(t, f, "", "input")
	t.Logf("from the golden file: %+v, batch %d", cfg, b)
	d, err := NewDecoder("", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ps := d.Params()
	if want := stateDictKeys(f); len(ps) != want {
		t.Errorf("decoder %+v has %d state_dict entries, golden %d", cfg, len(ps), want)
	}
	loadGolden(t, f, ps, "")
	d.SetBackprop(true)
	mark := nn.ScratchOutstanding()
	outs := d.Forward(f.Get(t, "input").Data, b)
	nn.CheckScratchBalance(t, mark, "after Decoder.Forward")
	if n := f.Count("output%d"); len(outs) != n {
		t.Fatalf("%d outputs, golden %d", len(outs), n)
	}
	var rs [][]float32
	for i := range outs {
		name := fmt.Sprint(i)
		checkClose(t, "output"+name, outs[i], f.Get(t, "output"+name), outTol)
		rs = append(rs, f.Get(t, "r"+name).Data)
	}
	nn.ZeroGrad(ps)
	dx := d.Backward(rs)
	checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
	nn.PutScratch(dx)
	nn.CheckScratchBalance(t, mark, "after Decoder.Backward")
	checkParamGrads(t, f, ps, "", zeroGradBias)
}
