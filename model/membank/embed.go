package membank

import (
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/parallel"
)

// Dim is the length of a patch vector built from c2 layer-2 and c3 layer-3
// channels.
func Dim(c2, c3 int) int { return c2 + c3 }

// Embed turns encoder features into patch vectors, PatchCore's locally
// aware patch features: each level is averaged over 3×3 neighbourhoods
// (stride 1, zero padding counted, as torch's AvgPool2d(3, 1, 1)), layer 3
// is resized to layer 2's grid (bilinear, align_corners=False) and the two
// are concatenated per position. f2 is (n, c2, s, s) and f3 (n, c3, s3, s3),
// NCHW; dst receives n·s·s rows of c2+c3 values, image by image in
// row-major position order.
func Embed(f2, f3 []float32, n, c2, c3, s, s3 int, dst []float32) {
	d := c2 + c3
	hw := s * s
	parallel.For(n, 1, func(lo, hi int) {
		p2 := make([]float32, c2*hw)
		a3 := make([]float32, c3*s3*s3)
		p3 := make([]float32, c3*hw)
		for b := lo; b < hi; b++ {
			avgPool3(f2[b*c2*hw:(b+1)*c2*hw], c2, s, p2)
			avgPool3(f3[b*c3*s3*s3:(b+1)*c3*s3*s3], c3, s3, a3)
			ops.Bilinear(a3, c3, s3, s3, s, s, false, p3)
			out := dst[b*hw*d : (b+1)*hw*d]
			for p := 0; p < hw; p++ {
				row := out[p*d : (p+1)*d]
				for c := 0; c < c2; c++ {
					row[c] = p2[c*hw+p]
				}
				for c := 0; c < c3; c++ {
					row[c2+c] = p3[c*hw+p]
				}
			}
		}
	})
}

// avgPool3 is a 3×3 box average with stride 1 and zero padding of 1 that
// counts the padding (every output divides by 9), on planes s×s.
func avgPool3(x []float32, planes, s int, y []float32) {
	for c := 0; c < planes; c++ {
		in := x[c*s*s : (c+1)*s*s]
		out := y[c*s*s : (c+1)*s*s]
		for i := 0; i < s; i++ {
			for j := 0; j < s; j++ {
				var sum float32
				for di := -1; di <= 1; di++ {
					ii := i + di
					if ii < 0 || ii >= s {
						continue
					}
					for dj := -1; dj <= 1; dj++ {
						jj := j + dj
						if jj < 0 || jj >= s {
							continue
						}
						sum += in[ii*s+jj]
					}
				}
				out[i*s+j] = sum / 9
			}
		}
	}
}
