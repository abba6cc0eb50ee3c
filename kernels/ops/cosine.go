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

// CosineSimilarityBackward overwrites da and db (N, C, HW; either may be
// nil) with the gradient of Σ dy·cos. As in PyTorch the eps clamp is not
// differentiated (it runs under no_grad), so for a non-degenerate pixel
// da = dy·(b/(‖a‖‖b‖) − cos·a/‖a‖²) and symmetrically for db.
func CosineSimilarityBackward(a, b []float32, n, c, hw int, dy, da, db []float32) {
	const fn = "CosineSimilarityBackward"
	checkCos(fn, a, b, n, c, hw)
	checkLen(fn, "dy", dy, n*hw)
	checkOpt(fn, "da", da, n*c*hw)
	checkOpt(fn, "db", db, n*c*hw)
	if da == nil && db == nil {
		return
	}
	forCosPixels(a, b, n, c, hw, func(s, p int, st cosStats) {
		g := float64(dy[s*hw+p])
		cos := st.cos()
		// The norms' own derivative uses the unclamped norm (x/‖x‖, 0 at 0).
		ua, ub := invOrZero(st.na), invOrZero(st.nb)
		kab := g / (st.ca * st.cb) // coefficient of the other vector
		for ch := 0; ch < c; ch++ {
			i := (s*c+ch)*hw + p
			av, bv := float64(a[i]), float64(b[i])
			if da != nil {
				da[i] = float32(kab*bv - g*cos/st.ca*av*ua)
			}
			if db != nil {
				db[i] = float32(kab*av - g*cos/st.cb*bv*ub)
			}
		}
	})
}

// cosStats are one pixel's norms (raw and clamped) and dot product.
type cosStats struct {
	dot, na, nb, ca, cb float64
}

func (s cosStats) cos() float64 { return s.dot / (s.ca * s.cb) }

func invOrZero(v float64) float64 {
	if v == 0 {
		return 0
	}
	return 1 / v
}

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
				f(s, p0+i, cosStats{dot: sab[i], na: na, nb: nb, ca: max(na, CosineEps), cb: max(nb, CosineEps)})
			}
		}
	})
}
