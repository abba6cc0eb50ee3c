package nn

import (
	"github.com/mambaad/mambaad/kernels/conv"
)

// Conv2d is a dense (groups = 1) NCHW convolution with PyTorch's weight
// layout (K, C, KH, KW) and an optional bias.
type Conv2d struct {
	C, K, KH, KW, Stride, Pad int
	W, B                      *Param // B is nil without bias

	x, y  []float32
	shape conv.Shape
}

// NewConv2d returns a zero-initialised square-kernel convolution.
func NewConv2d(name string, c, k, kernel, stride, pad int, bias bool) *Conv2d {
	l := &Conv2d{C: c, K: k, KH: kernel, KW: kernel, Stride: stride, Pad: pad,
		W: NewParam(name+".weight", k, c, kernel, kernel)}
	if bias {
		l.B = NewParam(name+".bias", k)
	}
	return l
}

// Params returns weight (and bias).
func (l *Conv2d) Params() []*Param {
	if l.B != nil {
		return []*Param{l.W, l.B}
	}
	return []*Param{l.W}
}

// OutSize returns the output height and width for an h×w input.
func (l *Conv2d) OutSize(h, w int) (int, int) {
	s := l.shapeFor(1, h, w)
	return s.OutH(), s.OutW()
}

func (l *Conv2d) shapeFor(n, h, w int) conv.Shape {
	return conv.Shape{N: n, C: l.C, H: h, W: w, K: l.K, KH: l.KH, KW: l.KW,
		StrideH: l.Stride, StrideW: l.Stride, PadH: l.Pad, PadW: l.Pad}
}

// BackwardWeightOnly accumulates the weight (and bias) gradients without
// computing dx, for a convolution whose input needs no gradient.
func (l *Conv2d) BackwardWeightOnly(dy []float32) {
	if l.W.G == nil {
		return
	}
	var db []float32
	if l.B != nil {
		db = l.B.G
	}
	conv.BackwardWeight(l.shape, l.x, dy, l.W.G, db)
}

func (l *Conv2d) bias() []float32 {
	if l.B == nil {
		return nil
	}
	return l.B.W
}

// Forward convolves x (n, C, h, w) into y (n, K, oh, ow).
func (l *Conv2d) Forward(x []float32, n, h, w int) []float32 {
	l.x, l.shape = x, l.shapeFor(n, h, w)
	l.y = ensure(l.y, n*l.K*l.shape.OutH()*l.shape.OutW())
	conv.Forward(l.shape, x, l.W.W, l.bias(), l.y)
	return l.y
}

// ForwardPairs is Forward with bfloat16 products (see gemm.Precision),
// given the weights rounded by conv.WeightPairs; it must only be called
// where gemm.BF16.Effective() is gemm.BF16. It is for inference: Backward
// after it back-propagates through the float32 weights.
func (l *Conv2d) ForwardPairs(x []float32, n, h, w int, wp []float32) []float32 {
	l.x, l.shape = x, l.shapeFor(n, h, w)
	l.y = ensure(l.y, n*l.K*l.shape.OutH()*l.shape.OutW())
	conv.ForwardPairs(l.shape, x, wp, l.bias(), conv.Epilogue{}, l.y)
	return l.y
}

// Backward accumulates the weight (and bias) gradients and returns dx.
func (l *Conv2d) Backward(dy []float32) []float32 {
	l.BackwardWeightOnly(dy)
	s := l.shape
	dx := GetScratch(s.N * s.C * s.H * s.W)
	conv.BackwardInput(s, dy, l.W.W, dx)
	return dx
}
