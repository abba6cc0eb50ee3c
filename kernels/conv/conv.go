package conv

import "fmt"

// Shape describes one convolution: input (N, C, H, W), weights
// (K, C, KH, KW), output (N, K, OutH(), OutW()).
type Shape struct {
	N, C, H, W       int // input batch, channels, height, width
	K                int // output channels
	KH, KW           int // kernel size
	StrideH, StrideW int // ≥ 1
	PadH, PadW       int // zero padding, ≥ 0
}

// OutH returns the output height.
func (s Shape) OutH() int { return (s.H+2*s.PadH-s.KH)/s.StrideH + 1 }

// OutW returns the output width.
func (s Shape) OutW() int { return (s.W+2*s.PadW-s.KW)/s.StrideW + 1 }

// Validate reports whether the shape describes a convolution with a
// non-empty output.
func (s Shape) Validate() error {
	switch {
	case s.N < 1 || s.C < 1 || s.H < 1 || s.W < 1 || s.K < 1:
		return fmt.Errorf("conv: sizes must be positive: %+v", s)
	case s.KH < 1 || s.KW < 1:
		return fmt.Errorf("conv: kernel %d×%d must be positive", s.KH, s.KW)
	case s.StrideH < 1 || s.StrideW < 1:
		return fmt.Errorf("conv: stride %d×%d must be ≥ 1", s.StrideH, s.StrideW)
	case s.PadH < 0 || s.PadW < 0:
		return fmt.Errorf("conv: padding %d×%d must be ≥ 0", s.PadH, s.PadW)
	case s.H+2*s.PadH < s.KH || s.W+2*s.PadW < s.KW:
		return fmt.Errorf("conv: kernel %d×%d larger than padded input %d×%d", s.KH, s.KW, s.H+2*s.PadH, s.W+2*s.PadW)
	}
	return nil
}

// Sizes of the tensors, in elements.
func (s Shape) xLen() int { return s.N * s.C * s.H * s.W }
func (s Shape) wLen() int { return s.K * s.C * s.KH * s.KW }
func (s Shape) yLen() int { return s.N * s.K * s.OutH() * s.OutW() }

// mustCheck panics with a clear message on an invalid shape or a slice of
// the wrong length: these are programming errors in the caller.
func (s Shape) mustCheck(fn string, lens ...lenCheck) {
	if err := s.Validate(); err != nil {
		panic(fn + ": " + err.Error())
	}
	for _, l := range lens {
		if l.got != l.want && !(l.optional && l.got == 0) {
			panic(fmt.Sprintf("conv.%s: %s has %d elements, want %d for %+v", fn, l.name, l.got, l.want, s))
		}
	}
}

type lenCheck struct {
	name      string
	got, want int
	optional  bool // nil (length 0) allowed
}
