package dwconv

// The plain NHWC references: direct loops with explicit bounds, sums in
// float64, the definition the other NHWC paths are tested against.

func forwardNHWCRef(n, h, w, c, k int, x, wt, bias, y []float32) {
	p := k / 2
	for b := 0; b < n; b++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				for ch := 0; ch < c; ch++ {
					var s float64
					if bias != nil {
						s = float64(bias[ch])
					}
					for a := 0; a < k; a++ {
						for bb := 0; bb < k; bb++ {
							r, q := i+a-p, j+bb-p
							if r >= 0 && r < h && q >= 0 && q < w {
								s += float64(x[((b*h+r)*w+q)*c+ch]) * float64(wt[(ch*k+a)*k+bb])
							}
						}
					}
					y[((b*h+i)*w+j)*c+ch] = float32(s)
				}
			}
		}
	}
}

func backwardInputNHWCRef(n, h, w, c, k int, dy, wt, dx []float32) {
	p := k / 2
	acc := make([]float64, len(dx))
	for b := 0; b < n; b++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				for ch := 0; ch < c; ch++ {
					g := float64(dy[((b*h+i)*w+j)*c+ch])
					for a := 0; a < k; a++ {
						for bb := 0; bb < k; bb++ {
							r, q := i+a-p, j+bb-p
							if r >= 0 && r < h && q >= 0 && q < w {
								acc[((b*h+r)*w+q)*c+ch] += g * float64(wt[(ch*k+a)*k+bb])
							}
						}
					}
				}
			}
		}
	}
	for i, v := range acc {
		dx[i] = float32(v)
	}
}

func backwardWeightNHWCRef(n, h, w, c, k int, x, dy, dwt, dbias []float32) {
	p := k / 2
	for ch := 0; ch < c; ch++ {
		for a := 0; a < k; a++ {
			for bb := 0; bb < k; bb++ {
				var s float64
				for b := 0; b < n; b++ {
					for i := 0; i < h; i++ {
						for j := 0; j < w; j++ {
							r, q := i+a-p, j+bb-p
							if r >= 0 && r < h && q >= 0 && q < w {
								s += float64(dy[((b*h+i)*w+j)*c+ch]) * float64(x[((b*h+r)*w+q)*c+ch])
							}
						}
					}
				}
				dwt[(ch*k+a)*k+bb] += float32(s)
			}
		}
		if dbias != nil {
			var s float64
			for b := 0; b < n*h*w; b++ {
				s += float64(dy[b*c+ch])
			}
			dbias[ch] += float32(s)
		}
	}
}
