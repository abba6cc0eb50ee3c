package model

import (
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
)

func newGoldenFusion(t *testing.T, f *golden.File) *Fusion {
	t.Helper()
	fu, err := NewFusion("", [3]int{64, 128, 256}, 3)
	if err != nil {
		t.Fatal(err)
	}
	loadGolden(t, f, fu.Params(), "")
	fu.InputGrads = true
	return fu
}

func TestFusionEvalGolden(t *testing.T) {
	f := golden.Open(t, "mff_oce.npz")
	fu := newGoldenFusion(t, f)
	fu.SetTrain(false)
	out := fu.Forward(f.Get(t, "eval.input0").Data, f.Get(t, "eval.input1").Data, f.Get(t, "eval.input2").Data, 1, 32)
	checkClose(t, "eval.output", out, f.Get(t, "eval.output"), outTol)
	nn.ZeroGrad(fu.Params())
	dx := fu.Backward(f.Get(t, "eval.r").Data)
	for i, name := range []string{"eval.grad.input0", "eval.grad.input1", "eval.grad.input2"} {
		checkClose(t, name, dx[i], f.Get(t, name), gradTol)
	}
}

func TestFusionTrainGolden(t *testing.T) {
	f := golden.Open(t, "mff_oce.npz")
	fu := newGoldenFusion(t, f)
	fu.SetTrain(true)
	out := fu.Forward(f.Get(t, "train.input0").Data, f.Get(t, "train.input1").Data, f.Get(t, "train.input2").Data, 2, 32)
	checkClose(t, "train.output", out, f.Get(t, "train.output"), outTol)
	nn.ZeroGrad(fu.Params())
	dx := fu.Backward(f.Get(t, "train.r").Data)
	for i, name := range []string{"train.grad.input0", "train.grad.input1", "train.grad.input2"} {
		checkClose(t, name, dx[i], f.Get(t, name), gradTol)
	}
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
