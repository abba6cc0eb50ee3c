package metrics

import (
	"fmt"
	"math"
)

// Image is one test image of a class: its anomaly map and ground truth.
type Image struct {
	// Name identifies the image in error messages (a path, say); when
	// empty the image's index in the class is used.
	Name string
	H, W int
	// Map is the H×W anomaly map, row-major. Set exactly one of Map and
	// Map64; all images of a class must use the same one. Map64 keeps
	// float64 maps exact (for the golden tests, or float64 pipelines).
	Map   []float32
	Map64 []float64
	// Mask is the H×W ground truth; nonzero pixels are anomalous. nil
	// means an all-normal image (MVTec "good" images have no mask file).
	Mask []uint8
	// Score overrides the image score, which is otherwise the max of the
	// map. It must be finite.
	Score *float64
	// Anomalous is the image-level label; nil derives it from Mask (any
	// nonzero pixel). Datasets label some defective images without a
	// defect region (an empty or missing mask): they count as anomalous at
	// image level and add no region.
	Anomalous *bool
}

// where names the image for error messages.
func (img *Image) where(class string, index int) string {
	s := fmt.Sprintf("class %q image %d", class, index)
	if img.Name != "" {
		s += fmt.Sprintf(" (%s)", img.Name)
	}
	return s
}

// check validates sizes before anything is stored, so a bad image leaves the
// class unchanged.
func (img *Image) check(bits int) error {
	if img.H <= 0 || img.W <= 0 {
		return fmt.Errorf("size %d×%d is not positive", img.H, img.W)
	}
	if img.H > maxClassPixels/img.W {
		return fmt.Errorf("size %d×%d is too large", img.H, img.W)
	}
	n := img.H * img.W
	got, m := 32, len(img.Map)
	switch {
	case img.Map != nil && img.Map64 != nil:
		return fmt.Errorf("both Map and Map64 are set")
	case img.Map64 != nil:
		got, m = 64, len(img.Map64)
	case img.Map == nil:
		return fmt.Errorf("no map (set Map or Map64)")
	}
	if bits != 0 && got != bits {
		return fmt.Errorf("float%d map in a class of float%d maps", got, bits)
	}
	if m != n {
		return fmt.Errorf("map has %d values, want %d×%d = %d", m, img.H, img.W, n)
	}
	if img.Mask != nil && len(img.Mask) != n {
		return fmt.Errorf("mask has %d values but the map is %d×%d = %d", len(img.Mask), img.H, img.W, n)
	}
	if img.Score != nil && (math.IsNaN(*img.Score) || math.IsInf(*img.Score, 0)) {
		return fmt.Errorf("image score %v is not finite", *img.Score)
	}
	return nil
}

// Keys of the infinities: a float is finite exactly when its key lies
// strictly between them (NaNs map beyond them on either side).
const (
	negInf32 = 0x007f_ffff
	posInf32 = 0xff80_0000
	negInf64 = 0x000f_ffff_ffff_ffff
	posInf64 = 0xfff0_0000_0000_0000
)

// firstNonFinite returns the index of the first NaN or ±Inf, or -1. It
// only runs to word the error once the keys showed there is one.
func firstNonFinite[T float32 | float64](m []T) int {
	for i, v := range m {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return i
		}
	}
	return -1
}

// appendImage stores one image's pixels: the stretches between mask runs as
// normal keys, the runs as anomalous keys with region base+comp. put
// converts a stretch (one indirect call per stretch, not per pixel) and
// reports its smallest and largest key, from which the caller learns the
// image score and whether every value was finite.
func appendImage[K key, T float32 | float64](px *pixels[K], m []T, runs []run, w int, base uint32, put func([]K, []T) (K, K)) (lo, hi K) {
	lo, hi = ^K(0), 0
	add := func(c *chunks[K], src []T) {
		for len(src) > 0 {
			t := c.tail()
			k := min(len(t), len(src))
			l, h := put(t[:k], src[:k])
			lo, hi = min(lo, l), max(hi, h)
			c.commit(k)
			src = src[k:]
		}
	}
	prev := 0
	for _, r := range runs {
		a := int(r.row)*w + int(r.start)
		b := int(r.row)*w + int(r.end)
		add(&px.neg, m[prev:a])
		add(&px.posK, m[a:b])
		for n := b - a; n > 0; {
			t := px.posR.tail()
			k := min(len(t), n)
			for i := range t[:k] {
				t[i] = base + uint32(r.comp)
			}
			px.posR.commit(k)
			n -= k
		}
		prev = b
	}
	add(&px.neg, m[prev:])
	px.sorted = false
	return lo, hi
}

func put32(dst []uint32, src []float32) (lo, hi uint32) {
	lo, hi = ^uint32(0), 0
	dst = dst[:len(src)]
	for i, v := range src {
		k := key32(v)
		dst[i] = k
		lo, hi = min(lo, k), max(hi, k)
	}
	return lo, hi
}

func put64(dst []uint64, src []float64) (lo, hi uint64) {
	lo, hi = ^uint64(0), 0
	dst = dst[:len(src)]
	for i, v := range src {
		k := key64(v)
		dst[i] = k
		lo, hi = min(lo, k), max(hi, k)
	}
	return lo, hi
}
