package report

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// barRows finds the colour bar inside a ColorBar strip: the rows whose
// middle pixel is a jet colour (saturated), and the columns of the row in
// the middle of those that are.
func barExtent(m *image.RGBA) (x0, x1, y0, y1 int) {
	b := m.Bounds()
	isJet := func(p color.RGBA) bool { return max(p.R, p.G, p.B)-min(p.R, p.G, p.B) > 100 }
	y0, y1 = -1, -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		if isJet(m.RGBAAt(b.Dx()/4, y)) {
			if y0 < 0 {
				y0 = y
			}
			y1 = y + 1
		}
	}
	if y0 < 0 {
		return -1, -1, -1, -1
	}
	x0, x1 = -1, -1
	for x := b.Min.X; x < b.Max.X; x++ {
		if isJet(m.RGBAAt(x, (y0+y1)/2)) {
			if x0 < 0 {
				x0 = x
			}
			x1 = x + 1
		}
	}
	return
}

func TestColorBar(t *testing.T) {
	o := ColorBarOptions{Lo: 0.1, Hi: 0.9, Threshold: 0.5, Title: "anomaly score", Note: "a note"}
	m := ColorBar(400, o)
	b := m.Bounds()
	if b.Dx() != 400 {
		t.Fatalf("width %d, want 400", b.Dx())
	}
	lh := lineHeightOf(captionFace)
	// title and threshold share a row; the bar; one row of numbers; the note.
	if b.Dy() < 3*lh+10 || b.Dy() > 8*lh {
		t.Errorf("height %d for a %d-px line", b.Dy(), lh)
	}
	x0, x1, y0, y1 := barExtent(m)
	if x0 < 0 || x1-x0 < 300 || y1-y0 < 8 {
		t.Fatalf("bar spans x %d–%d, y %d–%d", x0, x1, y0, y1)
	}
	// Low scores on the left are blue, high ones on the right red.
	if l, r := m.RGBAAt(x0+1, y0+2), m.RGBAAt(x1-2, y0+2); !(l.B > 100 && l.R < 50) || !(r.R > 100 && r.B < 50) {
		t.Errorf("ends %v … %v, want blue … red", l, r)
	}
	// The threshold 0.5 is the middle of 0.1–0.9: a black line there.
	mid := (x0 + x1) / 2
	found := false
	for x := mid - 4; x <= mid+4; x++ {
		if m.RGBAAt(x, (y0+y1)/2) == (color.RGBA{0, 0, 0, 255}) {
			found = true
		}
	}
	if !found {
		t.Errorf("no threshold marker near x=%d", mid)
	}
	// Text: dark pixels above the bar (title, threshold) and below it.
	ink := func(ya, yb int) int {
		n := 0
		for y := ya; y < yb; y++ {
			for x := 0; x < b.Dx(); x++ {
				if p := m.RGBAAt(x, y); p.R < 100 && p.G < 100 && p.B < 100 {
					n++
				}
			}
		}
		return n
	}
	if ink(0, y0-lh/2) < 20 || ink(y1+2, b.Dy()) < 20 {
		t.Errorf("text ink above the bar %d, below %d", ink(0, y0-lh/2), ink(y1+2, b.Dy()))
	}

	// Without a threshold there is no marker; a strip narrower than the
	// numbers need is widened; a bigger face gives a taller strip.
	o.Threshold = math.NaN()
	if hasColor(ColorBar(400, o), color.RGBA{0, 0, 0, 255}, 0) {
		t.Error("marker drawn without a threshold")
	}
	if n := ColorBar(10, o); n.Bounds().Dx() != ColorBarMinWidth(o) || ColorBarMinWidth(o) < 40 {
		t.Errorf("narrow strip %v, min width %d", n.Bounds(), ColorBarMinWidth(o))
	}
	o.Face = TextFace(40)
	if big := ColorBar(1200, o); big.Bounds().Dy() < 2*b.Dy() {
		t.Errorf("40-px text gives a %v strip, 13-px a %v one", big.Bounds(), b)
	}
	// A degenerate scale still draws.
	if d := ColorBar(200, ColorBarOptions{Lo: 1, Hi: 1, Threshold: 2}); d.Bounds().Dx() != 200 {
		t.Errorf("degenerate scale: %v", d.Bounds())
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0.1, 0.9, []string{"0.2", "0.4", "0.6", "0.8"}},
		{0, 1, []string{"0.2", "0.4", "0.6", "0.8"}},
		{0.0312, 0.6453, []string{"0.2", "0.4", "0.6"}},
		{-3, 12, []string{"0", "5", "10"}},
	} {
		var got []string
		step := niceStep(tc.lo, tc.hi, 4)
		for _, v := range niceTicks(tc.lo, tc.hi, 4) {
			got = append(got, v2s(v, step))
		}
		if len(got) != len(tc.want) {
			t.Errorf("ticks(%g, %g) = %q, want %q", tc.lo, tc.hi, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("ticks(%g, %g) = %q, want %q", tc.lo, tc.hi, got, tc.want)
				break
			}
		}
	}
	if niceTicks(1, 1, 4) != nil {
		t.Error("ticks of an empty range")
	}
}

func TestColorScaleMatchesHeatmap(t *testing.T) {
	amap := []float32{0, 0.25, 0.5, 0.75, 1, 2, -1}
	h := Heatmap(amap, len(amap), 1, 0.2, 0.8)
	s := NewColorScale(0.2, 0.8)
	for i, v := range amap {
		if got := s.Color(v); got != h.RGBAAt(i, 0) {
			t.Errorf("score %v: %v, Heatmap %v", v, got, h.RGBAAt(i, 0))
		}
	}
}
