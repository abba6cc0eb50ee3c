package ops

import "math"

// layerNormRef is the float64 reference the tests compare against.
func layerNormRef(x []float32, rows, cols int, gamma, beta []float32, eps float32, y, mean, rstd []float32) {
	for r := 0; r < rows; r++ {
		xr := x[r*cols : (r+1)*cols]
		var s, ss float64
		for _, v := range xr {
			s += float64(v)
		}
		m := s / float64(cols)
		for _, v := range xr {
			ss += (float64(v) - m) * (float64(v) - m)
		}
		rs := 1 / math.Sqrt(ss/float64(cols)+float64(eps))
		for i, v := range xr {
			o := (float64(v) - m) * rs
			if gamma != nil {
				o *= float64(gamma[i])
			}
			if beta != nil {
				o += float64(beta[i])
			}
			y[r*cols+i] = float32(o)
		}
		if mean != nil {
			mean[r], rstd[r] = float32(m), float32(rs)
		}
	}
}
