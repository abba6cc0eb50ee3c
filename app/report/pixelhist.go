package report

import (
	"fmt"
	"math"
)

// DefaultPixelBins is the histogram resolution of PixelHist. With range
// doubling the data spans at least a quarter of the bins, so a pixel curve
// has at least ~1,000 thresholds: finer than a chart can show.
const DefaultPixelBins = 4096

// PixelHist accumulates the pixel scores of one class into a histogram of
// normal and of anomalous pixels, for the pixel ROC and PR curves.
//
// Why a histogram: a class has millions of pixels (MVTec AD: up to ~11 M
// at 256×256), and an exact curve would need them all stored and sorted,
// which metrics already does once for the numbers. Here every pixel is
// counted but thresholds are restricted to the bin edges: the TP and FP
// counts at each edge are exact, so the curve is the exact curve sampled
// at those thresholds and joined by straight lines. Memory is two arrays
// of int64 whatever the class size, and maps can be added one at a time.
//
// The score range is not known in advance, so it adapts: the first map
// sets it, and a later score outside it doubles the bin width (merging
// neighbouring bins, which keeps every count exact) until it fits.
// A PixelHist is not safe for concurrent use.
type PixelHist struct {
	bins        int
	base, width float64 // bin i holds scores in [base+i·width, base+(i+1)·width)
	neg, pos    []int64
	started     bool
}

// NewPixelHist returns an empty histogram with the given number of bins
// (rounded up to an even number; ≤ 0 means DefaultPixelBins).
func NewPixelHist(bins int) *PixelHist {
	if bins <= 0 {
		bins = DefaultPixelBins
	}
	if bins < 2 {
		bins = 2
	}
	bins += bins % 2
	return &PixelHist{bins: bins, neg: make([]int64, bins), pos: make([]int64, bins)}
}

// Add counts the pixels of one image. mask (nonzero = anomalous) must have
// the length of amap, or be nil for an image without defect. Scores must be
// finite; on error nothing is counted.
func (h *PixelHist) Add(amap []float32, mask []uint8) error {
	if mask != nil && len(mask) != len(amap) {
		return fmt.Errorf("report: mask has %d pixels but the anomaly map %d", len(mask), len(amap))
	}
	if len(amap) == 0 {
		return nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range amap {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("report: anomaly map pixel %d is %v, want a finite number", i, v)
		}
		lo, hi = math.Min(lo, f), math.Max(hi, f)
	}
	h.cover(lo, hi)
	last := h.bins - 1
	for i, v := range amap {
		b := int((float64(v) - h.base) / h.width)
		b = max(0, min(b, last)) // rounding at the range's ends
		if mask != nil && mask[i] != 0 {
			h.pos[b]++
		} else {
			h.neg[b]++
		}
	}
	return nil
}

// cover widens the range until it holds [lo, hi].
func (h *PixelHist) cover(lo, hi float64) {
	if !h.started {
		h.started = true
		h.base = lo
		h.width = (hi - lo) / float64(h.bins-1)
		if !(h.width > 0) {
			// A constant first map: any positive width works, the range
			// doubles from there; pick one on the scale of the value.
			h.width = math.Max(math.Abs(lo), 1) * 1e-6
		}
		return
	}
	for hi >= h.base+float64(h.bins)*h.width {
		h.growUp()
	}
	for lo < h.base {
		h.growDown()
	}
}

// growUp doubles the width keeping base: old bins 2j and 2j+1 become bin
// j, and the upper half starts empty.
func (h *PixelHist) growUp() {
	half := h.bins / 2
	for _, a := range [][]int64{h.neg, h.pos} {
		for j := 0; j < half; j++ {
			a[j] = a[2*j] + a[2*j+1]
		}
		clear(a[half:])
	}
	h.width *= 2
}

// growDown doubles the width and moves base down by the old range: old
// bins 2j and 2j+1 become bin half+j, and the lower half starts empty.
// Going from the top down never overwrites a bin still to be read.
func (h *PixelHist) growDown() {
	half := h.bins / 2
	for _, a := range [][]int64{h.neg, h.pos} {
		for j := half - 1; j >= 0; j-- {
			a[half+j] = a[2*j] + a[2*j+1]
		}
		clear(a[:half])
	}
	h.base -= float64(h.bins) * h.width
	h.width *= 2
}

// counts sweeps the bins from the top: at the lower edge of each
// non-empty bin, every pixel in it and above counts as positive.
func (h *PixelHist) counts() counts {
	var c counts
	var tp, fp float64
	for b := h.bins - 1; b >= 0; b-- {
		if h.pos[b] == 0 && h.neg[b] == 0 {
			continue
		}
		tp += float64(h.pos[b])
		fp += float64(h.neg[b])
		c.thr = append(c.thr, h.base+float64(b)*h.width)
		c.tp = append(c.tp, tp)
		c.fp = append(c.fp, fp)
	}
	c.p, c.n = tp, fp
	return c
}
