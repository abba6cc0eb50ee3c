package ops

import (
	"math"

	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// GaussianTruncate is scipy.ndimage.gaussian_filter's default truncate: the
// kernel radius is int(truncate·sigma + 0.5).
const GaussianTruncate = 4.0

// GaussianBlur filters an (h, w) float64 map into dst exactly as
// scipy.ndimage.gaussian_filter(src, sigma, truncate=4.0, mode='reflect'):
// a normalised 1-D kernel correlated along axis 0, then axis 1, with the
// border mirrored including the edge sample (d c b a | a b c d | d c b a,
// repeated when the radius exceeds the size). The summation order is
// scipy's, so results agree to a few ulp. dst may alias src. sigma ≤ 1e-15
// copies, as scipy does.
func GaussianBlur(src []float64, h, w int, sigma float64, dst []float64) {
	gaussianBlur(isa.Best(), src, h, w, sigma, GaussianTruncate, dst)
}

// GaussianKernel returns scipy's _gaussian_kernel1d(sigma, 0, radius) with
// radius = int(truncate·sigma + 0.5): exp(−x²/(2σ²)) normalised by a sum
// formed with numpy's pairwise summation, so the weights match bit for bit.
func GaussianKernel(sigma, truncate float64) []float64 {
	if !(sigma > 0 && truncate > 0 && !math.IsInf(sigma*truncate, 0)) {
		fail("GaussianKernel: bad sigma %g or truncate %g", sigma, truncate)
	}
	r := int(truncate*sigma + 0.5)
	k := make([]float64, 2*r+1)
	c := -0.5 / (sigma * sigma)
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(c * (x * x))
	}
	s := numpySum(k)
	for i := range k {
		k[i] /= s
	}
	return k
}

// numpySum is numpy's pairwise_sum for arrays up to its 128-element block:
// eight interleaved partial sums, combined pairwise, then the tail.
func numpySum(a []float64) float64 {
	if len(a) < 8 {
		s := 0.0
		for _, v := range a {
			s += v
		}
		return s
	}
	if !(len(a) <= 128) {
		fail("numpySum: %d elements exceed one pairwise block", len(a))
	}
	var r [8]float64
	copy(r[:], a[:8])
	i := 8
	for ; i+8 <= len(a); i += 8 {
		for j := range r {
			r[j] += a[i+j]
		}
	}
	s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
	for ; i < len(a); i++ {
		s += a[i]
	}
	return s
}

// reflectIndex maps any integer position onto 0..n−1 by scipy's 'reflect'
// extension, which is periodic with period 2n.
func reflectIndex(i, n int) int {
	p := 2 * n
	i %= p
	if i < 0 {
		i += p
	}
	if i >= n {
		i = p - 1 - i
	}
	return i
}

// blurStrip is the column strip of the vertical pass (33 rows × 64
// float64 = 17 KB, inside L1) and blurPitch its buffered row pitch, padded
// off a power of two.
const (
	blurStrip = 64
	blurPitch = blurStrip + 8
)

func gaussianBlur(l isa.Level, src []float64, h, w int, sigma, truncate float64, dst []float64) {
	const fn = "GaussianBlur"
	checkDims(fn, h, w)
	if !(len(src) == h*w && len(dst) == h*w) {
		fail("%s: src %d and dst %d elements, want %d×%d", fn, len(src), len(dst), h, w)
	}
	if sigma <= 1e-15 || h*w == 0 {
		copy(dst, src)
		return
	}
	wt := GaussianKernel(sigma, truncate)
	r := len(wt) / 2
	half := wt[r:] // half[j] is the weight at distance j
	tap := blurTapFor(l)
	tmp := make([]float64, h*w)
	// Axis 0: output row i mixes input rows reflect(i±j), vectorised along
	// w, one strip of columns at a time. The strip is first copied, with
	// its reflected border rows, into a buffer whose row pitch is not a
	// power of two: read in place, the 2r+1 rows of a window would fall
	// into the same two L1 sets and evict each other.
	strips := (w + blurStrip - 1) / blurStrip
	parallel.For(strips, 1, func(lo, hi int) {
		ext := make([]float64, (h+2*r)*blurPitch)
		offs := make([]int, 2*r+1)
		for t := range offs {
			offs[t] = t * blurPitch
		}
		for st := lo; st < hi; st++ {
			c0 := st * blurStrip
			c1 := min(c0+blurStrip, w)
			for t := 0; t < h+2*r; t++ {
				row := reflectIndex(t-r, h) * w
				copy(ext[t*blurPitch:t*blurPitch+c1-c0], src[row+c0:row+c1])
			}
			for i := 0; i < h; i++ {
				tap(tmp[i*w+c0:i*w+c1], ext[i*blurPitch:], offs, half)
			}
		}
	})
	// Axis 1: each row is extended by r on both sides, then mixed the same
	// way with offsets 0..2r into the extended line.
	parallel.For(h, max(1, 8192/(w*len(wt))), func(lo, hi int) {
		ext := make([]float64, w+2*r)
		offs := make([]int, 2*r+1)
		for t := range offs {
			offs[t] = t
		}
		for i := lo; i < hi; i++ {
			row := tmp[i*w : (i+1)*w]
			copy(ext[r:r+w], row)
			for t := 0; t < r; t++ {
				ext[t] = row[reflectIndex(t-r, w)]
				ext[r+w+t] = row[reflectIndex(w+t, w)]
			}
			tap(dst[i*w:(i+1)*w], ext, offs, half)
		}
	})
}
