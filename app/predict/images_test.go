package predict

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/report"
)

// picture is a textured RGB test input.
func picture(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(110 + 50*math.Sin(float64(x)/9)*math.Cos(float64(y)/13))
			m.SetRGBA(x, y, color.RGBA{v, v, v / 2, 255})
		}
	}
	return m
}

// blobMap is an s×s map with a bright blob off centre, so the mask is a
// region with a boundary that falls between map pixels.
func blobMap(s int) []float32 {
	m := make([]float32, s*s)
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			d := math.Hypot(float64(x)-0.65*float64(s), float64(y)-0.4*float64(s))
			m[y*s+x] = float32(0.05 + 0.01*math.Sin(float64(3*x+y)) + 0.6*math.Exp(-d*d/float64(s*s)*30))
		}
	}
	return m
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestWriteImagesInputResolution: a 300×200 input gives a 300×200 mask and
// a heat map whose top 300×200 pixels are the overlay, with the colour bar
// under it; the mask is set exactly where the full-resolution map reaches
// the threshold; the overlay colours are the blend of the input and the
// full-resolution map's colour.
func TestWriteImagesInputResolution(t *testing.T) {
	for _, tc := range []struct {
		name             string
		w, h, size, crop int
	}{
		{"squash", 300, 200, 64, 64},
		{"crop", 300, 200, 73, 64},
		{"narrow", 40, 90, 64, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := picture(tc.w, tc.h)
			amap := blobMap(tc.crop)
			th := 0.3
			r := verdict("in.png", 0.65, &th)
			o := Options{Threshold: &th, OutDir: dir, Size: tc.size, Crop: tc.crop}
			if err := WriteImages(&r, "in", src, amap, o); err != nil {
				t.Fatal(err)
			}
			if r.Heatmap != filepath.Join(dir, "in_heatmap.png") || r.Mask != filepath.Join(dir, "in_mask.png") {
				t.Fatalf("paths %q %q", r.Heatmap, r.Mask)
			}
			full, _ := FullResMap(amap, tc.w, tc.h, tc.size, tc.crop)

			mask := readPNG(t, r.Mask).(*image.Gray)
			if mask.Bounds() != image.Rect(0, 0, tc.w, tc.h) {
				t.Fatalf("mask %v, want %dx%d", mask.Bounds(), tc.w, tc.h)
			}
			set := 0
			for y := 0; y < tc.h; y++ {
				for x := 0; x < tc.w; x++ {
					v := full[y*tc.w+x]
					want := uint8(0)
					if float64(v) >= th {
						want, set = 255, set+1
					}
					if got := mask.GrayAt(x, y).Y; got != want {
						t.Fatalf("mask (%d,%d) = %d, map %v, threshold %v", x, y, got, v, th)
					}
				}
			}
			if set == 0 || set == tc.w*tc.h {
				t.Fatalf("%d of %d mask pixels set: the test map should cross the threshold", set, tc.w*tc.h)
			}

			heat := readPNG(t, r.Heatmap).(*image.RGBA)
			lo, hi := report.Range(amap)
			bar := report.ColorBar(tc.w, heatmapBar(&r, &geometry{W: tc.w, H: tc.h, Size: tc.size, Crop: tc.crop}, lo, max(hi, 0.3), o))
			wantW := max(tc.w, bar.Bounds().Dx())
			if heat.Bounds() != image.Rect(0, 0, wantW, tc.h+bar.Bounds().Dy()) {
				t.Fatalf("heat map %v, want %dx%d: the %dx%d picture over a %v colour bar",
					heat.Bounds(), wantW, tc.h+bar.Bounds().Dy(), tc.w, tc.h, bar.Bounds())
			}
			scale := report.NewColorScale(lo, max(hi, 0.3))
			outside := 0
			for y := 0; y < tc.h; y++ {
				for x := 0; x < tc.w; x++ {
					got, s := heat.RGBAAt(x, y), src.RGBAAt(x, y)
					v := full[y*tc.w+x]
					if v != v {
						outside++
						if got.R != got.G || got.G != got.B {
							t.Fatalf("(%d,%d) is outside the crop but coloured %v", x, y, got)
						}
						continue
					}
					c := scale.Color(v)
					want := color.RGBA{blend(s.R, c.R), blend(s.G, c.G), blend(s.B, c.B), 255}
					if got != want {
						t.Fatalf("overlay (%d,%d) = %v, want %v (input %v, colour %v)", x, y, got, want, s, c)
					}
				}
			}
			if (outside > 0) != (tc.crop < tc.size) {
				t.Errorf("%d pixels shown outside the crop", outside)
			}
			// The strip under the picture is the colour bar, pixel for pixel.
			for y := 0; y < bar.Bounds().Dy(); y++ {
				for x := 0; x < wantW; x++ {
					if got, want := heat.RGBAAt(x, tc.h+y), bar.RGBAAt(x, y); got != want {
						t.Fatalf("strip (%d,%d) = %v, colour bar %v", x, y, got, want)
					}
				}
			}
			// Beside a narrow picture the canvas is white.
			if wantW > tc.w {
				if got := heat.RGBAAt(wantW-1, 0); got != (color.RGBA{255, 255, 255, 255}) {
					t.Errorf("canvas beside the picture %v", got)
				}
			}
		})
	}
}

func blend(a, b uint8) uint8 {
	const w = report.OverlayAlpha
	return uint8((1-w)*float32(a) + w*float32(b) + 0.5)
}

// TestHeatmapColorBar: the strip under a heat map holds the jet colours,
// the threshold marker and text, and grows with the picture.
func TestHeatmapColorBar(t *testing.T) {
	th := 0.3
	r := verdict("x.png", 0.65, &th)
	o := Options{Threshold: &th}
	small := report.ColorBar(300, heatmapBar(&r, &geometry{W: 300, H: 200, Size: 64, Crop: 64}, 0.03, 0.64, o))
	large := report.ColorBar(3000, heatmapBar(&r, &geometry{W: 3000, H: 2000, Size: 64, Crop: 64}, 0.03, 0.64, o))
	if small.Bounds().Dx() != 300 || large.Bounds().Dx() != 3000 {
		t.Fatalf("strips %v, %v", small.Bounds(), large.Bounds())
	}
	if hs, hl := small.Bounds().Dy(), large.Bounds().Dy(); hs < 40 || hl < 2*hs {
		t.Errorf("strip heights %d (300 px wide), %d (3000 px wide)", hs, hl)
	}
	counts := map[string]int{}
	b := small.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			p := small.RGBAAt(x, y)
			switch {
			case p == color.RGBA{0, 0, 0, 255}:
				counts["marker"]++
			case max(p.R, p.G, p.B)-min(p.R, p.G, p.B) > 150:
				counts["colour"]++
			case p.R < 100 && p.G < 100 && p.B < 100:
				counts["text"]++
			}
		}
	}
	if counts["marker"] < 10 || counts["colour"] < 200*8 || counts["text"] < 100 {
		t.Errorf("strip content %v", counts)
	}
}

// verdict is the result of an image of the given score decided by a
// detector without calibration and the threshold th.
func verdict(path string, score float64, th *float64) Result {
	d := (&detector.Detector{}).Decide(score, "", nil, th)
	return Result{Path: path, Decision: &d}
}
