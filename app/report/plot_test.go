package report

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// countColour counts the pixels of exactly colour c (series lines are
// antialiased, but their core is drawn in the series colour).
func countColour(img image.Image, c [3]uint8) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c[0] && uint8(g>>8) == c[1] && uint8(bl>>8) == c[2] {
				n++
			}
		}
	}
	return n
}

func rgb(i int) [3]uint8 { c := tab10[i]; return [3]uint8{c.R, c.G, c.B} }

func TestChartSavesPNGOfRequestedSize(t *testing.T) {
	roc, err := ROCPoints([]float64{0.9, 0.8, 0.7, 0.4, 0.3, 0.1}, []bool{true, false, true, true, false, false})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "roc.png")
	start := time.Now()
	chart := Chart{Title: "image ROC", Subtitle: "exact", XLabel: "false positive rate", YLabel: "true positive rate",
		Diagonal: true, Series: []Series{{Name: "bottle", Curve: roc}}}
	rendered, err := RenderCharts([]Chart{chart}, 1, nil, ChartW, ChartH)
	if err != nil {
		t.Fatal(err)
	}
	if err := SavePNG(path, rendered); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("one chart took %v", d)
	}
	img := decodePNG(t, path)
	if b := img.Bounds(); b.Dx() != ChartW || b.Dy() != ChartH {
		t.Fatalf("size %v, want %dx%d", b, ChartW, ChartH)
	}
	if n := countColour(img, rgb(0)); n < 200 {
		t.Errorf("only %d pixels of the series colour: curve not drawn?", n)
	}
	if n := countColour(img, rgb(1)); n != 0 {
		t.Errorf("%d pixels of an unused series colour", n)
	}
}

func TestRenderChartsSizesAndSeries(t *testing.T) {
	a, _ := ROCPoints([]float64{3, 2, 1}, []bool{true, false, false})
	b, _ := prPoints([]float64{3, 2, 1}, []bool{true, false, true})
	for _, size := range [][2]int{{300, 200}, {1001, 777}} {
		img, err := RenderCharts([]Chart{
			{Title: "a", Series: []Series{{Name: "x", Curve: a, Index: 0}}},
			{Title: "b", Subtitle: "sampled", Series: []Series{{Name: "y", Curve: b, Index: 3}, {Name: "empty", Index: 4}}},
			{Title: "c"},
		}, 2, []string{"x", "-", "-", "y"}, size[0], size[1])
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds() != image.Rect(0, 0, size[0], size[1]) {
			t.Errorf("bounds %v, want %v", img.Bounds(), size)
		}
		if countColour(img, rgb(3)) == 0 || countColour(img, rgb(0)) == 0 {
			t.Error("series colours missing")
		}
	}
	if _, err := RenderCharts(nil, 2, nil, 640, 480); err == nil {
		t.Error("no panels accepted")
	}
	if _, err := RenderCharts([]Chart{{}}, 1, nil, 10, 10); err == nil {
		t.Error("tiny chart accepted")
	}
}

func TestSeriesStyleCycles(t *testing.T) {
	if seriesStyle(0).Dashes != nil || seriesStyle(10).Dashes == nil {
		t.Error("dash patterns should start after the ten colours")
	}
	if seriesStyle(10).Color != seriesStyle(0).Color || seriesStyle(1).Color == seriesStyle(0).Color {
		t.Error("colours should cycle every ten series")
	}
}

func TestClassAndCombinedCharts(t *testing.T) {
	var cs []Curves
	for i, name := range []string{"bottle", "cable", "good_only"} {
		b := NewCurveBuilder(name)
		for _, s := range synthClass(uint64(i), 6, 32, 32, []int{2, 3, 0}[i]) {
			if err := b.Add(s.Score, s.Map, s.Mask); err != nil {
				t.Fatal(err)
			}
		}
		c, err := b.Curves()
		if err != nil {
			t.Fatal(err)
		}
		c.PRO = PROCurve([]float64{0, 0.1, 0.5}, []float64{0, 0.7, 1}, 0.3)
		cs = append(cs, c)
	}
	// A class without defects: its image and pixel panels say why they
	// are empty; a panel with a curve keeps its subtitle.
	p := panels(cs[2:], "", LegendNone)
	if p[0].Subtitle != subUndefined || p[2].Subtitle != subUndefined || p[3].Subtitle == subUndefined {
		t.Errorf("subtitles %q / %q / %q", p[0].Subtitle, p[2].Subtitle, p[3].Subtitle)
	}
	start := time.Now()
	bottle, err := RenderClass(cs[0], 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RenderClass(cs[2], 0, 0); err != nil {
		t.Fatal(err) // undefined curves: empty panels, not an error
	}
	all, err := RenderCombined(cs, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("three charts took %v", d)
	}
	if b := bottle.Bounds(); b.Dx() != PanelsW || b.Dy() != PanelsH {
		t.Errorf("class chart %v", b)
	}
	if b := all.Bounds(); b.Dx() != CombinedW || b.Dy() != CombinedH {
		t.Errorf("combined chart %v", b)
	}
	for i := 0; i < 2; i++ {
		if countColour(all, rgb(i)) < 100 {
			t.Errorf("class %d missing from the combined chart", i)
		}
	}
}
