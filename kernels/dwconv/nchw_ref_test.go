package dwconv

// The plain references: direct loops with explicit bounds, the definition
// every other path is tested against. Sums run in float64.

func forwardRef(n, c, h, w, k int, x, wt, bias, y []float32) {
	p := k / 2
	for pl := 0; pl < n*c; pl++ {
		ch := pl % c
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				var s float64
				if bias != nil {
					s = float64(bias[ch])
				}
				for a := 0; a < k; a++ {
					for b := 0; b < k; b++ {
						r, q := i+a-p, j+b-p
						if r >= 0 && r < h && q >= 0 && q < w {
							s += float64(x[(pl*h+r)*w+q]) * float64(wt[(ch*k+a)*k+b])
						}
					}
				}
				y[(pl*h+i)*w+j] = float32(s)
			}
		}
	}
}

func backwardInputRef(n, c, h, w, k int, dy, wt, dx []float32) {
	p := k / 2
	acc := make([]float64, len(dx))
	for pl := 0; pl < n*c; pl++ {
		ch := pl % c
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				g := float64(dy[(pl*h+i)*w+j])
				for a := 0; a < k; a++ {
					for b := 0; b < k; b++ {
						r, q := i+a-p, j+b-p
						if r >= 0 && r < h && q >= 0 && q < w {
							acc[(pl*h+r)*w+q] += g * float64(wt[(ch*k+a)*k+b])
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

func backwardWeightRef(n, c, h, w, k int, x, dy, dwt, dbias []float32) {
	p := k / 2
	for ch := 0; ch < c; ch++ {
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				var s float64
				for bn := 0; bn < n; bn++ {
					pl := bn*c + ch
					for i := 0; i < h; i++ {
						for j := 0; j < w; j++ {
							r, q := i+a-p, j+b-p
							if r >= 0 && r < h && q >= 0 && q < w {
								s += float64(dy[(pl*h+i)*w+j]) * float64(x[(pl*h+r)*w+q])
							}
						}
					}
				}
				dwt[(ch*k+a)*k+b] += float32(s)
			}
		}
		if dbias != nil {
			var s float64
			for bn := 0; bn < n; bn++ {
				for _, v := range dy[(bn*c+ch)*h*w : (bn*c+ch+1)*h*w] {
					s += float64(v)
				}
			}
			dbias[ch] += float32(s)
		}
	}
}
