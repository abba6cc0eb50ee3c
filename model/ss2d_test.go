package model

import (
	"strings"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

// TestSS2DGolden checks one SS2D per golden file. The file name gives the
// scan order (README: ss2d_<order>[_k<K>].npz; the stored index tables are
// compared with ours on load); widths, state size, directions, side and
// batch come from the stored shapes.
func TestSS2DGolden(t *testing.T) {
	for _, file := range []string{"ss2d_sweep.npz", "ss2d_scan.npz", "ss2d_zorder.npz", "ss2d_zigzag.npz",
		"ss2d_hilbert.npz", "ss2d_hilbert_k2.npz", "ss2d_hilbert_k4.npz"} {
		t.Run(file, func(t *testing.T) {
			f := golden.Open(t, file)
			name := strings.TrimSuffix(strings.TrimPrefix(file, "ss2d_"), ".npz")
			o, err := scanorder.ParseOrder(strings.Split(name, "_")[0])
			if err != nil {
				t.Fatal(err)
			}
			b, side, _ := nhwc(t, f, "input")
			s, err := NewSS2D("m", goldenSS2D(t, f, "", side, o))
			if err != nil {
				t.Fatal(err)
			}
			loadGolden(t, f, s.Params(), "m.")
			s.Backprop = true
			mark := nn.ScratchOutstanding()
			out := s.Forward(f.Get(t, "input").Data, b)
			nn.CheckScratchBalance(t, mark, "after SS2D.Forward")
			checkClose(t, "output", out, f.Get(t, "output"), outTol)
			nn.ZeroGrad(s.Params())
			dx := s.Backward(f.Get(t, "r").Data)
			checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
			nn.PutScratch(dx)
			nn.CheckScratchBalance(t, mark, "after SS2D.Backward")
			checkParamGrads(t, f, s.Params(), "m.", nil)
		})
	}
}
