package conv

import (
	"sync"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/parallel"
)

// Forward computes y = conv(x, w) + bias. x is (N,C,H,W), w is (K,C,KH,KW)
// as in PyTorch, bias has K values or is nil, y is (N,K,OutH,OutW) and is
// overwritten. An invalid shape or a slice of the wrong length panics.
func Forward(s Shape, x, w, bias, y []float32) {
	s.mustCheck("Forward", lenCheck{"x", len(x), s.xLen(), false}, lenCheck{"w", len(w), s.wLen(), false},
		lenCheck{"bias", len(bias), s.K, true}, lenCheck{"y", len(y), s.yLen(), false})
	forward(s, x, w, bias, y, Epilogue{})
}

// Epilogue is what ForwardEpilogue does to each output value v = conv +
// bias before storing it: add the residual Res (same shape as y, or nil),
// then apply ReLU (v if v > 0 or NaN, else 0, as ops.ReLU) if ReLU is set.
// It runs on each image's output while it is being written, so a ResNet
// block's "conv, add the shortcut, ReLU" crosses memory once.
type Epilogue struct {
	Res  []float32
	ReLU bool
}

// ForwardEpilogue is Forward with the epilogue e applied to every output.
func ForwardEpilogue(s Shape, x, w, bias []float32, e Epilogue, y []float32) {
	s.mustCheck("ForwardEpilogue", lenCheck{"x", len(x), s.xLen(), false}, lenCheck{"w", len(w), s.wLen(), false},
		lenCheck{"bias", len(bias), s.K, true}, lenCheck{"res", len(e.Res), s.yLen(), true}, lenCheck{"y", len(y), s.yLen(), false})
	forward(s, x, w, bias, y, e)
}

// image returns the epilogue restricted to image n (ys outputs each).
func (e Epilogue) image(n, ys int) Epilogue {
	if e.Res != nil {
		e.Res = e.Res[n*ys : (n+1)*ys]
	}
	return e
}

func (e Epilogue) none() bool { return e.Res == nil && !e.ReLU }

// apply runs the epilogue over out (which already holds conv + bias) in
// place; res is the matching slice of the residual (nil without one). It
// uses the vector kernels of package ops: a Go loop branching on the sign
// of each value mispredicts half the time on activations.
func (e Epilogue) apply(out, res []float32) {
	if res != nil {
		ops.Add(out, res[:len(out)], out)
	}
	if e.ReLU {
		ops.ReLU(out, out)
	}
}

// pointwise reports a 1×1, stride-1, unpadded convolution: a plain GEMM.
func (s *Shape) pointwise() bool {
	return s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 && s.PadH == 0 && s.PadW == 0
}

// forward runs one GEMM per image: a plain one for pointwise
// convolutions, SgemmRows on a padded copy otherwise (see shifted.go).
// Images go to workers in parallel; a GEMM whose image has no company
// (N = 1, or the last one) splits itself over idle workers.
func forward(s Shape, x, w, bias, y []float32, e Epilogue) {
	plane := s.OutH() * s.OutW()
	xs, ys := s.C*s.H*s.W, s.K*plane
	if s.pointwise() {
		parallel.Run(s.N, func(n int) {
			yn := y[n*ys : (n+1)*ys]
			var beta float32
			if bias != nil {
				for k, b := range bias {
					fill(yn[k*plane:(k+1)*plane], b)
				}
				beta = 1
			}
			gemm.Sgemm(false, false, s.K, plane, s.C, 1, w, s.C, x[n*xs:], plane, beta, yn, plane)
			if !e.none() {
				en := e.image(n, ys)
				parallel.For(s.K, max(1, 8192/plane), func(k0, k1 int) {
					var res []float32
					if en.Res != nil {
						res = en.Res[k0*plane : k1*plane]
					}
					en.apply(yn[k0*plane:k1*plane], res)
				})
			}
		})
		return
	}
	l := s.layout()
	rows := s.rowTable(l)
	work := l.size(s.C) + s.K*s.OutH()*l.wq
	parallel.Run(s.N, func(n int) {
		buf := getBuf(work)
		defer bufPool.Put(buf)
		s.forwardShifted(x[n*xs:(n+1)*xs], w, bias, y[n*ys:(n+1)*ys], l, rows, *buf, e.image(n, ys))
	})
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}

// bufPool recycles workspace: padded images, wide outputs, flipped
// weights, col2im tiles and per-worker gradient accumulators.
var bufPool sync.Pool

func getBuf(n int) *[]float32 {
	p, _ := bufPool.Get().(*[]float32)
	if p == nil {
		p = new([]float32)
	}
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}
