package predict

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/data"
)

// refFullRes is the full-resolution map computed independently, pixel by
// pixel in float64: undo the stretch of each axis and the crop offset, and
// interpolate between the four nearest map values (clamped at the edge).
func refFullRes(amap []float32, w, h, size, crop int) []float64 {
	o := float64(data.CenterCropOrigin(size, crop))
	out := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			ux := (float64(x) + 0.5) * float64(size) / float64(w)
			uy := (float64(y) + 0.5) * float64(size) / float64(h)
			if ux < o || ux >= o+float64(crop) || uy < o || uy >= o+float64(crop) {
				out[y*w+x] = math.NaN()
				continue
			}
			cx := math.Max(0, math.Min(float64(crop-1), ux-0.5-o))
			cy := math.Max(0, math.Min(float64(crop-1), uy-0.5-o))
			x0, y0 := int(cx), int(cy)
			x1, y1 := min(x0+1, crop-1), min(y0+1, crop-1)
			fx, fy := cx-float64(x0), cy-float64(y0)
			at := func(i, j int) float64 { return float64(amap[j*crop+i]) }
			out[y*w+x] = (1-fy)*((1-fx)*at(x0, y0)+fx*at(x1, y0)) + fy*((1-fx)*at(x0, y1)+fx*at(x1, y1))
		}
	}
	return out
}

func randMap(seed uint64, n int) []float32 {
	rng := rand.New(rand.NewPCG(seed, 3))
	m := make([]float32, n*n)
	for i := range m {
		m[i] = rng.Float32()
	}
	return m
}

func TestFullResMap(t *testing.T) {
	for _, tc := range []struct{ w, h, size, crop int }{
		{300, 200, 64, 64},  // wider than tall: stretched back
		{64, 64, 64, 64},    // identity
		{20, 30, 64, 64},    // smaller than the map
		{300, 200, 73, 64},  // centre crop: a border without score
		{101, 257, 96, 64},  // odd sizes, a wide border
		{50, 40, 64, 80},    // crop larger than the resize (padding)
		{1000, 7, 128, 128}, // very flat
	} {
		amap := randMap(uint64(tc.w), tc.crop)
		got, err := FullResMap(amap, tc.w, tc.h, tc.size, tc.crop)
		if err != nil {
			t.Fatal(err)
		}
		want := refFullRes(amap, tc.w, tc.h, tc.size, tc.crop)
		nan := 0
		for i := range want {
			g, w := float64(got[i]), want[i]
			if math.IsNaN(w) != math.IsNaN(g) || (!math.IsNaN(w) && math.Abs(g-w) > 1e-5) {
				t.Fatalf("%+v: pixel (%d,%d) = %v, want %v", tc, i%tc.w, i/tc.w, g, w)
			}
			if math.IsNaN(w) {
				nan++
			}
		}
		if (tc.crop < tc.size) != (nan > 0) {
			t.Errorf("%+v: %d pixels outside the crop", tc, nan)
		}
	}
	// Same size, no crop: the map itself.
	amap := randMap(9, 32)
	got, _ := FullResMap(amap, 32, 32, 32, 32)
	for i := range amap {
		if got[i] != amap[i] {
			t.Fatalf("identity: value %d = %v, want %v", i, got[i], amap[i])
		}
	}
	if _, err := FullResMap(amap, 10, 10, 32, 31); err == nil {
		t.Error("map of the wrong size accepted")
	}
}
