package ops

import (
	"math"

	"github.com/mambaad/mambaad/parallel"
)

// CosineEps is torch.nn.functional.cosine_similarity's default eps.
const CosineEps = 1e-8

// CosineSimilarity computes, for every sample and pixel of a and b (N, C,
// HW), the cosine over channels into y (N, HW, overwritten), as PyTorch ≥
// 1.12 does: each vector is divided by its own norm clamped below at eps,
// y = Σ_c a·b / (max(‖a‖, eps)·max(‖b‖, eps)). Sums run in float64.
func CosineSimilarity(a, b []float32, n, c, hw int, y []float32) {
	const fn = "CosineSimilarity"
	checkCos(fn, a, b, n, c, hw)
	checkLen(fn, "y", y, n*hw)
	forCosPixels(a, b, n, c, hw, func(s, p int, st cosStats) { y[s*hw+p] = float32(st.cos()) })
}

// cosStats are one pixel's dot product and norms clamped below at eps.
type cosStats struct {
	dot, ca, cb float64
}

func (s cosStats) cos() float64 { return s.dot / (s.ca * s.cb) }

func checkCos(fn string, a, b []float32, n, c, hw int) {
	checkDims(fn, n, c, hw)
	checkLen(fn, "a", a, n*c*hw)
	checkLen(fn, "b", b, n*c*hw)
}

// forCosPixels computes each pixel's statistics, vectorised along the
// contiguous HW axis, and hands them to f in parallel over samples and
// pixel blocks.
func forCosPixels(a, b []float32, n, c, hw int, f func(s, p int, st cosStats)) {
	const block = 256
	nb := (hw + block - 1) / block
	parallel.For(n*nb, max(1, 4096/max(c, 1)), func(lo, hi int) {
		var sab, saa, sbb [block]float64
		for t := lo; t < hi; t++ {
			s, p0 := t/nb, (t%nb)*block
			w := min(block, hw-p0)
			clear(sab[:w])
			clear(saa[:w])
			clear(sbb[:w])
			for ch := 0; ch < c; ch++ {
				o := (s*c+ch)*hw + p0
				ar, br := a[o:o+w], b[o:o+w]
				for i, av := range ar {
					x, y := float64(av), float64(br[i])
					sab[i] += x * y
					saa[i] += x * x
					sbb[i] += y * y
				}
			}
			for i := 0; i < w; i++ {
				na, nb := math.Sqrt(saa[i]), math.Sqrt(sbb[i])
				f(s, p0+i, cosStats{dot: sab[i], ca: max(na, CosineEps), cb: max(nb, CosineEps)})
			}
		}
	})
}
