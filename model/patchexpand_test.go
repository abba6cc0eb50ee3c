package model

import (
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
)

// TestPatchExpandGolden: the input (B, S, S, 2C) gives batch, side and
// output width C.
func TestPatchExpandGolden(t *testing.T) {
	f := golden.Open(t, "patch_expand.npz")
	b, side, c2 := nhwc(t, f, "input")
	p := NewPatchExpand("m", c2/2, side)
	loadGolden(t, f, p.Params(), "m.")
	mark := nn.ScratchOutstanding()
	out := p.Forward(f.Get(t, "input").Data, b)
	nn.CheckScratchBalance(t, mark, "after PatchExpand.Forward")
	checkClose(t, "output", out, f.Get(t, "output"), outTol)
	nn.ZeroGrad(p.Params())
	dx := p.Backward(f.Get(t, "r").Data)
	checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
	nn.PutScratch(dx)
	nn.CheckScratchBalance(t, mark, "after PatchExpand.Backward")
	checkParamGrads(t, f, p.Params(), "m.", nil)
}
