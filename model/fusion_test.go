package model

import (
	"fmt"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
)

// newGoldenFusion builds MFF_OCE for the golden file: the encoder channels
// come from the eval inputs (B, c_i, s_i, s_i), the number of bottlenecks
// from the stored bn_layer.<i> blocks.
func newGoldenFusion(t *testing.T, f *golden.File) *Fusion {
	t.Helper()
	var ch [3]int
	for i := range ch {
		_, ch[i], _ = nchw(t, f, fmt.Sprintf("eval.input%d", i))
	}
	fu, err := NewFusion("", ch, f.Count("bn_layer.%d.conv1.weight"))
	if err != nil {
		t.Fatal(err)
	}
	loadGolden(t, f, fu.Params(), "")
	fu.InputGrads = true
	return fu
}

// runGoldenFusion runs forward and backward on the inputs <mode>.input0..2
// (batch and finest side from input0) and checks output and input
// gradients, and that the scratch pool balances.
func runGoldenFusion(t *testing.T, f *golden.File, fu *Fusion, mode string) {
	t.Helper()
	n, _, s1 := nchw(t, f, mode+".input0")
	mark := nn.ScratchOutstanding()
	out := fu.Forward(f.Get(t, mode+".input0").Data, f.Get(t, mode+".input1").Data, f.Get(t, mode+".input2").Data, n, s1)
	nn.CheckScratchBalance(t, mark, "after Fusion.Forward")
	checkClose(t, mode+".output", out, f.Get(t, mode+".output"), outTol)
	nn.ZeroGrad(fu.Params())
	dx := fu.Backward(f.Get(t, mode+".r").Data)
	for i := range dx {
		name := fmt.Sprintf("%s.grad.input%d", mode, i)
		checkClose(t, name, dx[i], f.Get(t, name), gradTol)
	}
	nn.PutScratch(dx[:]...)
	nn.CheckScratchBalance(t, mark, "after Fusion.Backward")
}

func TestFusionEvalGolden(t *testing.T) {
	f := golden.Open(t, "mff_oce.npz")
	fu := newGoldenFusion(t, f)
	fu.SetTrain(false)
	runGoldenFusion(t, f, fu, "eval")
}

func TestFusionTrainGolden(t *testing.T) {
	f := golden.Open(t, "mff_oce.npz")
	fu := newGoldenFusion(t, f)
	fu.SetTrain(true)
	runGoldenFusion(t, f, fu, "train")
	// A bias followed by a train-mode BatchNorm has a true gradient of 0.
	zero := func(n string) bool {
		return n == "conv21.bias" || n == "conv31.bias" || n == "convf.bias"
	}
	checkParamGradsKey(t, f, fu.Params(), "", "train.grad.", zero)
	for _, p := range fu.Params() {
		if p.Trainable() { // the rest are BatchNorm buffers
			continue
		}
		key := "train.after." + p.Name
		if !f.Has(key) {
			t.Errorf("golden has no %s", key)
			continue
		}
		ref := f.Get(t, key)
		if p.Int64 {
			if p.W[0] != float32(ref.Ints[0]) {
				t.Errorf("%s = %v, golden %d", key, p.W[0], ref.Ints[0])
			}
			continue
		}
		checkClose(t, key, p.W, ref, outTol)
	}
}
