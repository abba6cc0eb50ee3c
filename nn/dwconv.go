package nn

import "github.com/mambaad/mambaad/kernels/dwconv"

// DWConv is a depthwise convolution (groups = C) with a k×k kernel, stride
// 1 and "same" padding k/2, weight layout (C, 1, k, k). Maps are NCHW, or
// NHWC (channels-last) when ChannelsLast is set.
type DWConv struct {
	C, Kernel    int
	W, B         *Param // B is nil without bias
	ChannelsLast bool

	x, y    []float32
	n, h, w int
}

// NewDWConv returns a zero-initialised depthwise convolution.
func NewDWConv(name string, c, kernel int, bias bool) *DWConv {
	l := &DWConv{C: c, Kernel: kernel, W: NewParam(name+".weight", c, 1, kernel, kernel)}
	if bias {
		l.B = NewParam(name+".bias", c)
	}
	return l
}

// Params returns weight (and bias).
func (l *DWConv) Params() []*Param {
	if l.B != nil {
		return []*Param{l.W, l.B}
	}
	return []*Param{l.W}
}

// Forward convolves x (n, C, h, w), or (n, h, w, C) when channels-last.
func (l *DWConv) Forward(x []float32, n, h, w int) []float32 {
	l.x, l.n, l.h, l.w = x, n, h, w
	l.y = ensure(l.y, n*l.C*h*w)
	var b []float32
	if l.B != nil {
		b = l.B.W
	}
	if l.ChannelsLast {
		dwconv.ForwardNHWC(n, h, w, l.C, l.Kernel, x, l.W.W, b, l.y)
	} else {
		dwconv.Forward(n, l.C, h, w, l.Kernel, x, l.W.W, b, l.y)
	}
	return l.y
}

// Backward accumulates the weight (and bias) gradients and returns dx.
func (l *DWConv) Backward(dy []float32) []float32 {
	n, c, h, w, k := l.n, l.C, l.h, l.w, l.Kernel
	dx := GetScratch(n * c * h * w)
	var db []float32
	if l.B != nil {
		db = l.B.G
	}
	switch {
	case l.ChannelsLast:
		if l.W.G != nil {
			dwconv.BackwardWeightNHWC(n, h, w, c, k, l.x, dy, l.W.G, db)
		}
		dwconv.BackwardInputNHWC(n, h, w, c, k, dy, l.W.W, dx)
	default:
		if l.W.G != nil {
			dwconv.BackwardWeight(n, c, h, w, k, l.x, dy, l.W.G, db)
		}
		dwconv.BackwardInput(n, c, h, w, k, dy, l.W.W, dx)
	}
	return dx
}
