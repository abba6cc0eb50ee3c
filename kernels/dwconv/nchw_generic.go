package dwconv

func prepareGo(s *scratch, h, w, k int) { s.resize(h, w, k, h) }

// copyIn copies plane x into the interior of s.pad. The border (k/2 rows and
// columns, plus the alignment slack) is zero from allocation and never
// written, so it stays zero.
func (s *scratch) copyIn(x []float32) {
	p := s.k / 2
	for i := 0; i < s.h; i++ {
		copy(s.pad[(i+p)*s.stride+p:(i+p)*s.stride+p+s.w], x[i*s.w:(i+1)*s.w])
	}
}

var goKernels = kernels{prepare: prepareGo, plane: planeGo, planeWeight: planeWeightGo}

// planeGo runs each output row as k·k axpys over shifted padded rows.
func planeGo(s *scratch, x, wt []float32, b float32, y []float32) {
	s.copyIn(x)
	h, w, k := s.h, s.w, s.k
	for i := 0; i < h; i++ {
		out := y[i*w : (i+1)*w]
		for j := range out {
			out[j] = b
		}
		for a := 0; a < k; a++ {
			row := s.pad[(i+a)*s.stride : (i+a)*s.stride+w+k-1]
			for c := 0; c < k; c++ {
				wv, src := wt[a*k+c], row[c:c+w]
				for j, v := range src {
					out[j] += wv * v
				}
			}
		}
	}
}

// planeWeightGo forms each tap's dot product row by row in float32 and sums
// the rows in float64, which keeps 64×64 planes accurate.
func planeWeightGo(s *scratch, x, dy, dw []float32) {
	s.copyIn(x)
	h, w, k := s.h, s.w, s.k
	for a := 0; a < k; a++ {
		for c := 0; c < k; c++ {
			var tot float64
			for i := 0; i < h; i++ {
				g := dy[i*w : (i+1)*w]
				src := s.pad[(i+a)*s.stride+c : (i+a)*s.stride+c+w]
				var r float32
				for j, v := range g {
					r += v * src[j]
				}
				tot += float64(r)
			}
			dw[a*k+c] += float32(tot)
		}
	}
}

// sumPlane returns Σ dy over a plane: eight float32 partial sums (so the
// adds do not wait on each other) per chunk of 1024, chunks added in
// float64.
func sumPlane(dy []float32) float32 {
	var tot float64
	for len(dy) > 0 {
		c := dy[:min(len(dy), 1024)]
		dy = dy[len(c):]
		var a [8]float32
		i := 0
		for ; i+8 <= len(c); i += 8 {
			v := c[i : i+8 : i+8]
			for j := range a {
				a[j] += v[j]
			}
		}
		for ; i < len(c); i++ {
			a[0] += c[i]
		}
		tot += float64(((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7])))
	}
	return float32(tot)
}
