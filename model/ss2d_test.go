package model

import (
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

func TestSS2DGolden(t *testing.T) {
	cases := []struct {
		file  string
		order string
		k     int
	}{
		{"ss2d_sweep.npz", "sweep", 8},
		{"ss2d_scan.npz", "scan", 8},
		{"ss2d_zorder.npz", "zorder", 8},
		{"ss2d_zigzag.npz", "zigzag", 8},
		{"ss2d_hilbert.npz", "hilbert", 8},
		{"ss2d_hilbert_k2.npz", "hilbert", 2},
		{"ss2d_hilbert_k4.npz", "hilbert", 4},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f := golden.Open(t, c.file)
			o, err := scanorder.ParseOrder(c.order)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewSS2D("m", SS2DConfig{C: 16, Side: 8, N: 4, K: c.k, Order: o})
			if err != nil {
				t.Fatal(err)
			}
			loadGolden(t, f, s.Params(), "m.")
			s.Backprop = true
			in := f.Get(t, "input")
			out := s.Forward(in.Data, 2)
			checkClose(t, "output", out, f.Get(t, "output"), outTol)
			nn.ZeroGrad(s.Params())
			dx := s.Backward(f.Get(t, "r").Data)
			checkClose(t, "grad.input", dx, f.Get(t, "grad.input"), gradTol)
			checkParamGrads(t, f, s.Params(), "m.", nil)
		})
	}
}
