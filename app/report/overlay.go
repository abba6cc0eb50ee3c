package report

import (
	"fmt"
	"image"
	"image/color"
	"math"

	xdraw "golang.org/x/image/draw"
)

// OverlayAlpha is the weight of the heat map in Overlay; the input image
// gets 1 − OverlayAlpha. 0.5 matches the reference visualisation
// (cv2.addWeighted with equal weights) and keeps both the defect and the
// map readable.
const OverlayAlpha = 0.5

// Colours of the outlines drawn by ContourOverlay. Green and magenta stand
// out against natural images and against each other, and neither is used
// by the jet colormap's hot end.
var (
	GTColor   = color.RGBA{R: 0, G: 255, B: 0, A: 255}
	PredColor = color.RGBA{R: 255, G: 0, B: 255, A: 255}
)

// checkSize panics when a map or mask does not have w×h values: that is a
// programming error in the caller (maps come from the model at its input
// size), not a condition a report can recover from.
func checkSize(what string, n, w, h int) {
	if w <= 0 || h <= 0 || n != w*h {
		panic(fmt.Sprintf("report: %s has %d values, want %d×%d", what, n, w, h))
	}
}

// Resize returns img scaled to w×h with a bilinear filter (antialiased when
// shrinking), as an RGBA image whose bounds start at (0, 0). An image
// already of that size is copied unchanged.
func Resize(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	b := img.Bounds()
	if b.Dx() == w && b.Dy() == h {
		xdraw.Draw(dst, dst.Bounds(), img, b.Min, xdraw.Src)
		return dst
	}
	xdraw.BiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

// Heatmap colours the w×h anomaly map with the jet colormap, scores
// normalised between lo and hi and clamped. Use the same lo and hi for all
// images of a class (see Range) so that colours compare across images.
// It panics if len(amap) != w·h.
func Heatmap(amap []float32, w, h int, lo, hi float32) *image.RGBA {
	checkSize("anomaly map", len(amap), w, h)
	norm := normaliser(lo, hi)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, v := range amap {
		c := jetLUT[level(norm(v))]
		p := out.Pix[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2], p[3] = c.R, c.G, c.B, 255
	}
	return out
}

// Overlay blends the heat map of amap (see Heatmap) over img resized to
// w×h, the map's size: out = (1−OverlayAlpha)·image + OverlayAlpha·heat.
// The result is opaque. It panics if len(amap) != w·h.
func Overlay(img image.Image, amap []float32, w, h int, lo, hi float32) *image.RGBA {
	out := Resize(img, w, h)
	heat := Heatmap(amap, w, h, lo, hi)
	const a = OverlayAlpha
	for i := 0; i < len(out.Pix); i += 4 {
		for c := 0; c < 3; c++ {
			v := (1-a)*float64(out.Pix[i+c]) + a*float64(heat.Pix[i+c])
			out.Pix[i+c] = uint8(v + 0.5)
		}
		out.Pix[i+3] = 255
	}
	return out
}

// MaskPNG turns a w×h mask (nonzero = anomalous) into a grey image that is
// 255 on the defect and 0 elsewhere, the convention of the MVTec ground
// truth files. It panics if len(mask) != w·h.
func MaskPNG(mask []uint8, w, h int) *image.Gray {
	checkSize("mask", len(mask), w, h)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range mask {
		if v != 0 {
			out.Pix[i] = 255
		}
	}
	return out
}

// ContourOverlay draws outlines over img resized to w×h: the ground-truth
// mask gt (nonzero = anomalous) in GTColor and, when pred is not nil, the
// predicted mask {pred ≥ thr} in PredColor. Either may be nil (a normal
// image has no mask). The ground truth is drawn last so it stays visible
// where the two coincide. It panics if a non-nil gt or pred has a length
// other than w·h.
func ContourOverlay(img image.Image, w, h int, gt []uint8, pred []float32, thr float32) *image.RGBA {
	out := Resize(img, w, h)
	if pred != nil {
		checkSize("anomaly map", len(pred), w, h)
		in := make([]bool, w*h)
		for i, v := range pred {
			in[i] = v >= thr
		}
		paintOutline(out, in, w, h, PredColor)
	}
	if gt != nil {
		checkSize("mask", len(gt), w, h)
		in := make([]bool, w*h)
		for i, v := range gt {
			in[i] = v != 0
		}
		paintOutline(out, in, w, h, GTColor)
	}
	return out
}

// paintOutline colours every pixel whose 8-neighbourhood contains both
// inside and outside pixels, with the area beyond the image counted as
// outside. That marks one pixel on each side of the boundary, a 2-pixel
// line that stays visible when a 256×256 tile is shown smaller, and it
// closes regions that touch the image border.
func paintOutline(dst *image.RGBA, in []bool, w, h int, c color.RGBA) {
	at := func(x, y int) bool {
		return x >= 0 && y >= 0 && x < w && y < h && in[y*w+x]
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			self := in[y*w+x]
			edge := false
			for dy := -1; dy <= 1 && !edge; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if at(x+dx, y+dy) != self {
						edge = true
						break
					}
				}
			}
			if edge {
				dst.SetRGBA(x, y, c)
			}
		}
	}
}

// Range returns the smallest and largest finite value over maps, the
// scale Heatmap and Overlay need so that all images of a class share one
// colour scale. It returns (0, 0) when there is no finite value.
func Range(maps ...[]float32) (lo, hi float32) {
	first := true
	for _, m := range maps {
		for _, v := range m {
			if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
				continue
			}
			if first {
				lo, hi, first = v, v, false
			} else if v < lo {
				lo = v
			} else if v > hi {
				hi = v
			}
		}
	}
	return lo, hi
}
