package report

import (
	"image/color"
	"math"
)

// jetLUT holds the colormap at 256 levels so that colouring a 256×256 map
// costs one table look-up per pixel.
var jetLUT = func() (lut [256]color.RGBA) {
	for i := range lut {
		lut[i] = jetAt(float64(i) / 255)
	}
	return lut
}()

// jetAt is the classic "jet" colormap (MATLAB's, and close to the OpenCV
// COLORMAP_JET that the reference visualisation uses): dark blue at 0,
// through cyan, green and yellow, to dark red at 1. Each channel is a
// clamped tent 1.5 − |4t − c|, which makes the hue fall monotonically from
// blue (240°) to red (0°) as t grows, so higher scores always look hotter.
func jetAt(t float64) color.RGBA {
	ch := func(c float64) uint8 {
		v := 1.5 - math.Abs(4*t-c)
		v = math.Max(0, math.Min(1, v))
		return uint8(math.Round(255 * v))
	}
	return color.RGBA{R: ch(3), G: ch(2), B: ch(1), A: 255}
}

// level maps t in [0, 1] to a LUT index, clamping out-of-range and NaN.
func level(t float64) uint8 {
	if !(t > 0) { // also NaN
		return 0
	}
	if t >= 1 {
		return 255
	}
	return uint8(t*255 + 0.5)
}

// normaliser returns the function that maps a score to [0, 1] between lo
// and hi. A degenerate range (hi ≤ lo) cannot be scaled; it becomes a step,
// so a constant map is uniformly cold and anything above lo shows hot.
func normaliser(lo, hi float32) func(v float32) float64 {
	if !(hi > lo) {
		return func(v float32) float64 {
			if v > lo {
				return 1
			}
			return 0
		}
	}
	l, s := float64(lo), 1/(float64(hi)-float64(lo))
	return func(v float32) float64 { return (float64(v) - l) * s }
}
