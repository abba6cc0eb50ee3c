package model

import (
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
)

func TestPatchExpandGolden(t *testing.T) {
	f := golden.Open(t, "patch_expand.npz")
	p := NewPatchExpand("m", 8, 4)
	loadGolden(t, f, p.Params(), "m.")
	out := p.Forward(f.Get(t, "input").Data, 2)
	checkClose(t, "output", out, f.Get(t, "output"), outTol)
	nn.ZeroGrad(p.Params())
	dx := p.Backward(f.Get(t, "r").Data)
	checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
	checkParamGrads(t, f, p.Params(), "m.", nil)
}
