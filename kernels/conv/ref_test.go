package conv

// The references are generic so that tests can run them in float64 for
// finite-difference checks; the exported ones are the float32 versions.

// ForwardRef is the direct seven-loop convolution Forward is tested
// against: y = conv(x, w) + bias, y overwritten, bias may be nil.
func ForwardRef(s Shape, x, w, bias, y []float32) {
	s.mustCheck("ForwardRef", lenCheck{"x", len(x), s.xLen(), false}, lenCheck{"w", len(w), s.wLen(), false},
		lenCheck{"bias", len(bias), s.K, true}, lenCheck{"y", len(y), s.yLen(), false})
	forwardRef(s, x, w, bias, y)
}

// BackwardInputRef is the reference input gradient: dx overwritten with
// the adjoint of ForwardRef applied to dy.
func BackwardInputRef(s Shape, dy, w, dx []float32) {
	s.mustCheck("BackwardInputRef", lenCheck{"dy", len(dy), s.yLen(), false}, lenCheck{"w", len(w), s.wLen(), false},
		lenCheck{"dx", len(dx), s.xLen(), false})
	backwardInputRef(s, dy, w, dx)
}

// BackwardWeightRef is the reference weight gradient: dw += the gradient
// for output gradient dy, dbias += the sums of dy per channel (nil skips).
func BackwardWeightRef(s Shape, x, dy, dw, dbias []float32) {
	s.mustCheck("BackwardWeightRef", lenCheck{"x", len(x), s.xLen(), false}, lenCheck{"dy", len(dy), s.yLen(), false},
		lenCheck{"dw", len(dw), s.wLen(), false}, lenCheck{"dbias", len(dbias), s.K, true})
	backwardWeightRef(s, x, dy, dw, dbias)
}

// taps calls fn for every (output, input, weight) index triple the
// convolution connects, skipping taps that fall in the zero padding. All
// three references are this one loop nest.
func taps(s Shape, fn func(yi, xi, wi int)) {
	oh, ow := s.OutH(), s.OutW()
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					yi := ((n*s.K+k)*oh+i)*ow + j
					for c := 0; c < s.C; c++ {
						for u := 0; u < s.KH; u++ {
							ih := i*s.StrideH + u - s.PadH
							if ih < 0 || ih >= s.H {
								continue
							}
							for v := 0; v < s.KW; v++ {
								iw := j*s.StrideW + v - s.PadW
								if iw < 0 || iw >= s.W {
									continue
								}
								fn(yi, ((n*s.C+c)*s.H+ih)*s.W+iw, ((k*s.C+c)*s.KH+u)*s.KW+v)
							}
						}
					}
				}
			}
		}
	}
}

func forwardRef[T float32 | float64](s Shape, x, w, bias, y []T) {
	plane := s.OutH() * s.OutW()
	for i := range y {
		y[i] = 0
		if bias != nil {
			y[i] = bias[i/plane%s.K]
		}
	}
	taps(s, func(yi, xi, wi int) { y[yi] += x[xi] * w[wi] })
}

func backwardInputRef[T float32 | float64](s Shape, dy, w, dx []T) {
	clear(dx)
	taps(s, func(yi, xi, wi int) { dx[xi] += dy[yi] * w[wi] })
}

func backwardWeightRef[T float32 | float64](s Shape, x, dy, dw, dbias []T) {
	taps(s, func(yi, xi, wi int) { dw[wi] += dy[yi] * x[xi] })
	if dbias == nil {
		return
	}
	plane := s.OutH() * s.OutW()
	for i, g := range dy {
		dbias[i/plane%s.K] += g
	}
}
