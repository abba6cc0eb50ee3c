package model

import (
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

func TestLSSGolden(t *testing.T) {
	f := golden.Open(t, "lss_module.npz")
	// The standalone module uses its default ln_1 eps of 1e-6 (README).
	m, err := NewLSS("m", SS2DConfig{C: 16, Side: 8, N: 16, K: 8, Order: scanorder.Hilbert}, 2, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	loadGolden(t, f, m.Params(), "m.")
	for _, h := range m.Blocks {
		h.SS.Backprop = true
	}
	out := m.Forward(f.Get(t, "input").Data, 2)
	checkClose(t, "output", out, f.Get(t, "output"), outTol)
	nn.ZeroGrad(m.Params())
	dx := m.Backward(f.Get(t, "r").Data)
	checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
	checkParamGrads(t, f, m.Params(), "m.", zeroGradBias)
}

func TestDecoderSmallGolden(t *testing.T) {
	f := golden.Open(t, "decoder_small.npz")
	d, err := NewDecoder("", DecoderConfig{Dims: []int{64, 32, 16, 8}, Depths: []int{3, 4, 6, 3},
		Side0: 8, Order: scanorder.Hilbert, K: 8, N: 16, LNEps: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	ps := d.Params()
	if len(ps) != 321 {
		t.Errorf("decoder_small has %d state_dict entries, golden 321", len(ps))
	}
	loadGolden(t, f, ps, "")
	d.SetBackprop(true)
	outs := d.Forward(f.Get(t, "input").Data, 1)
	var rs [][]float32
	for i, name := range []string{"0", "1", "2"} {
		checkClose(t, "output"+name, outs[i], f.Get(t, "output"+name), outTol)
		rs = append(rs, f.Get(t, "r"+name).Data)
	}
	nn.ZeroGrad(ps)
	dx := d.Backward(rs)
	checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
	checkParamGrads(t, f, ps, "", zeroGradBias)
}
