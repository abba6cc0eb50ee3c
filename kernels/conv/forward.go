package conv

import (
	"sync"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/parallel"
)

// Forward computes y = conv(x, w) + bias. x is (N,C,H,W), w is (K,C,KH,KW)
// as in PyTorch, bias has K values or is nil, y is (N,K,OutH,OutW) and is
// overwritten. An invalid shape or a slice of the wrong length panics.
func Forward(s Shape, x, w, bias, y []float32) {
	s.mustCheck("Forward", lenCheck{"x", len(x), s.xLen(), false}, lenCheck{"w", len(w), s.wLen(), false},
		lenCheck{"bias", len(bias), s.K, true}, lenCheck{"y", len(y), s.yLen(), false})
	forward(s, x, w, bias, y)
}

// pointwise reports a 1×1, stride-1, unpadded convolution: a plain GEMM.
func (s *Shape) pointwise() bool {
	return s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 && s.PadH == 0 && s.PadW == 0
}

// forward runs one GEMM per image: a plain one for pointwise
// convolutions, SgemmRows on a padded copy otherwise (see shifted.go).
// Images go to workers in parallel; a GEMM whose image has no company
// (N = 1, or the last one) splits itself over idle workers.
func forward(s Shape, x, w, bias, y []float32) {
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
		})
		return
	}
	l := s.layout()
	rows := s.rowTable(l)
	work := l.size(s.C) + s.K*s.OutH()*l.wq
	parallel.Run(s.N, func(n int) {
		buf := getBuf(work)
		defer bufPool.Put(buf)
		s.forwardShifted(x[n*xs:(n+1)*xs], w, bias, y[n*ys:(n+1)*ys], l, rows, *buf)
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
