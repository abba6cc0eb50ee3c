package report

import (
	"image/color"
	"math"
	"testing"
)

// hue returns the HSV hue of c in degrees.
func hue(c color.RGBA) float64 {
	r, g, b := float64(c.R), float64(c.G), float64(c.B)
	mx, mn := math.Max(r, math.Max(g, b)), math.Min(r, math.Min(g, b))
	if mx == mn {
		return math.NaN()
	}
	var h float64
	switch mx {
	case r:
		h = math.Mod((g-b)/(mx-mn), 6)
	case g:
		h = (b-r)/(mx-mn) + 2
	default:
		h = (r-g)/(mx-mn) + 4
	}
	h *= 60
	if h < 0 {
		h += 360
	}
	return h
}

// jet is the colour the heat maps use for t: the table entry of level(t).
func jet(t float64) color.RGBA { return jetLUT[level(t)] }

func TestJetEndpoints(t *testing.T) {
	for _, tc := range []struct {
		t    float64
		want color.RGBA
	}{
		{0, color.RGBA{0, 0, 128, 255}},           // dark blue
		{1, color.RGBA{128, 0, 0, 255}},           // dark red
		{-3, color.RGBA{0, 0, 128, 255}},          // clamped
		{7, color.RGBA{128, 0, 0, 255}},           // clamped
		{math.NaN(), color.RGBA{0, 0, 128, 255}},  // coldest
		{math.Inf(1), color.RGBA{128, 0, 0, 255}}, // hottest
	} {
		if got := jet(tc.t); got != tc.want {
			t.Errorf("jet(%v) = %v, want %v", tc.t, got, tc.want)
		}
	}
}

func TestJetMiddleIsGreen(t *testing.T) {
	if got := jetAt(0.5); got != (color.RGBA{128, 255, 128, 255}) {
		t.Errorf("jetAt(0.5) = %v, want light green", got)
	}
	// The 256-level table is within one level of the formula.
	for i := 0; i <= 100; i++ {
		x := float64(i) / 100
		a, b := jet(x), jetAt(x)
		for _, d := range []int{int(a.R) - int(b.R), int(a.G) - int(b.G), int(a.B) - int(b.B)} {
			if d < -3 || d > 3 {
				t.Fatalf("jet(%v) = %v, formula %v", x, a, b)
			}
		}
	}
}

func TestJetHueFallsMonotonically(t *testing.T) {
	prev := math.Inf(1)
	for i := 0; i < 256; i++ {
		h := hue(jet(float64(i) / 255))
		if math.IsNaN(h) {
			t.Fatalf("level %d is grey", i)
		}
		if h > prev+1e-9 {
			t.Fatalf("hue rises at level %d: %.2f after %.2f", i, h, prev)
		}
		prev = h
	}
	if h0, h1 := hue(jet(0)), hue(jet(1)); h0 != 240 || h1 != 0 {
		t.Errorf("hue runs %.1f..%.1f, want 240..0", h0, h1)
	}
}

func TestNormaliserDegenerateRange(t *testing.T) {
	n := normaliser(2, 2)
	if n(2) != 0 || n(1) != 0 || n(2.5) != 1 {
		t.Errorf("degenerate range: got %v %v %v, want 0 0 1", n(2), n(1), n(2.5))
	}
	n = normaliser(1, 3)
	if n(2) != 0.5 || n(1) != 0 || n(3) != 1 {
		t.Errorf("range 1..3: got %v %v %v", n(1), n(2), n(3))
	}
}
