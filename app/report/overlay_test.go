package report

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

func uniform(w, h int, c color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return m
}

func constMap(n int, v float32) []float32 {
	m := make([]float32, n)
	for i := range m {
		m[i] = v
	}
	return m
}

func TestOverlaySizeAndBlend(t *testing.T) {
	grey := color.RGBA{100, 100, 100, 255}
	img := uniform(300, 200, grey) // larger than the map, other aspect
	const w, h = 32, 24
	amap := constMap(w*h, 0)
	amap[5] = 10 // above hi: clamped to the hottest colour
	out := Overlay(img, amap, w, h, 0, 1)
	if b := out.Bounds(); b != image.Rect(0, 0, w, h) {
		t.Fatalf("bounds %v, want %dx%d", b, w, h)
	}
	// 0.5·grey + 0.5·jet: cold = (0,0,128), hot = (128,0,0).
	if got, want := out.RGBAAt(0, 0), (color.RGBA{50, 50, 114, 255}); got != want {
		t.Errorf("cold pixel %v, want %v", got, want)
	}
	if got, want := out.RGBAAt(5, 0), (color.RGBA{114, 50, 50, 255}); got != want {
		t.Errorf("hot pixel %v, want %v", got, want)
	}
	if img.RGBAAt(0, 0) != grey {
		t.Error("Overlay modified its input")
	}
}

func TestHeatmapScale(t *testing.T) {
	amap := []float32{1, 2, 3, -5}
	hm := Heatmap(amap, 2, 2, 1, 3)
	if hm.RGBAAt(0, 0) != jet(0) || hm.RGBAAt(1, 0) != jet(0.5) || hm.RGBAAt(0, 1) != jet(1) || hm.RGBAAt(1, 1) != jet(0) {
		t.Errorf("heat map colours %v %v %v %v", hm.RGBAAt(0, 0), hm.RGBAAt(1, 0), hm.RGBAAt(0, 1), hm.RGBAAt(1, 1))
	}
}

func TestMaskPNG(t *testing.T) {
	m := MaskPNG([]uint8{0, 1, 255, 0, 7, 0}, 3, 2)
	want := []uint8{0, 255, 255, 0, 255, 0}
	if m.Bounds() != image.Rect(0, 0, 3, 2) {
		t.Fatalf("bounds %v", m.Bounds())
	}
	for i, v := range want {
		if m.Pix[i] != v {
			t.Fatalf("pixel %d = %d, want %d (all %v)", i, m.Pix[i], v, m.Pix)
		}
	}
}

func TestSizeMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a map of the wrong size")
		}
	}()
	Heatmap(make([]float32, 10), 4, 4, 0, 1)
}

func TestContourOverlay(t *testing.T) {
	const w, h = 20, 20
	white := color.RGBA{255, 255, 255, 255}
	img := uniform(w, h, white)
	gt := make([]uint8, w*h)
	for y := 5; y < 15; y++ {
		for x := 5; x < 15; x++ {
			gt[y*w+x] = 1
		}
	}
	// Predicted mask: the top-left corner square, touching the border.
	pred := constMap(w*h, 0)
	for y := 0; y < 3; y++ {
		for x := 0; x < 3; x++ {
			pred[y*w+x] = 0.9
		}
	}
	out := ContourOverlay(img, w, h, gt, pred, 0.5)
	for _, tc := range []struct {
		x, y int
		want color.RGBA
		why  string
	}{
		{5, 5, GTColor, "inner corner of the GT square"},
		{4, 10, GTColor, "pixel just outside the GT edge"},
		{14, 10, GTColor, "inner right edge"},
		{10, 10, white, "GT interior"},
		{3, 10, white, "two pixels outside GT"},
		{0, 0, PredColor, "predicted region on the image border"},
		{1, 1, white, "predicted interior"},
		{3, 1, PredColor, "just right of the predicted region"},
		{18, 18, white, "background"},
	} {
		if got := out.RGBAAt(tc.x, tc.y); got != tc.want {
			t.Errorf("(%d,%d) %s: %v, want %v", tc.x, tc.y, tc.why, got, tc.want)
		}
	}
	// A normal image without prediction is the resized input.
	plain := ContourOverlay(img, w, h, nil, nil, 0)
	for i := range plain.Pix {
		if plain.Pix[i] != 255 {
			t.Fatalf("normal image changed at byte %d", i)
		}
	}
}

func TestResizeShrinksAndKeepsColour(t *testing.T) {
	c := color.RGBA{10, 200, 30, 255}
	out := Resize(uniform(64, 48, c), 16, 12)
	if out.Bounds() != image.Rect(0, 0, 16, 12) || out.RGBAAt(7, 5) != c {
		t.Errorf("bounds %v, centre %v", out.Bounds(), out.RGBAAt(7, 5))
	}
}

func TestRange(t *testing.T) {
	nan := float32(0)
	nan = nan / nan
	lo, hi := Range([]float32{3, nan, 1}, []float32{7, -2})
	if lo != -2 || hi != 7 {
		t.Errorf("Range = %v, %v; want -2, 7", lo, hi)
	}
	if lo, hi := Range(); lo != 0 || hi != 0 {
		t.Errorf("empty Range = %v, %v", lo, hi)
	}
}
