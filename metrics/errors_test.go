package metrics

import (
	"math"
	"strings"
	"testing"
)

func TestAddErrors(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := math.NaN()
	s := nan
	cases := []struct {
		img  Image
		want string
	}{
		{Image{Name: "a.png", H: 2, W: 2, Map: []float32{0, 1, inf, 0}}, `image 0 (a.png): map value at row 1, col 0 is +Inf`},
		{Image{H: 1, W: 3, Map64: []float64{0, nan, 0}}, `image 0: map value at row 0, col 1 is NaN`},
		{Image{H: 2, W: 2, Map: []float32{0, 1, 2}}, "map has 3 values, want 2×2 = 4"},
		{Image{H: 2, W: 2, Map: make([]float32, 4), Mask: make([]uint8, 6)}, "mask has 6 values but the map is 2×2"},
		{Image{H: 0, W: 2}, "not positive"},
		{Image{H: 1 << 20, W: 1 << 20, Map: []float32{1}}, "too large"},
		{Image{H: 1, W: 1}, "no map"},
		{Image{H: 1, W: 1, Map: []float32{1}, Map64: []float64{1}}, "both Map and Map64"},
		{Image{H: 1, W: 1, Map: []float32{1}, Score: &s}, "image score NaN is not finite"},
	}
	for _, c := range cases {
		cl, _ := NewClass("bottle", Options{})
		err := cl.Add(c.img)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `class "bottle"`) {
			t.Errorf("error %v, want it to mention %q and the class", err, c.want)
		}
		if cl.Len() != 0 || cl.pixelCount() != 0 {
			t.Errorf("a rejected image was stored (%q)", c.want)
		}
	}
}

func TestMixedPrecisionRejected(t *testing.T) {
	c, _ := NewClass("x", Options{})
	if c.Name() != "x" {
		t.Errorf("Name() = %q", c.Name())
	}
	if err := c.Add(Image{H: 1, W: 1, Map: []float32{1}}); err != nil {
		t.Fatal(err)
	}
	err := c.Add(Image{H: 1, W: 1, Map64: []float64{1}})
	if err == nil || !strings.Contains(err.Error(), "float64 map in a class of float32 maps") {
		t.Errorf("got %v", err)
	}
}

func TestEmptyClassAndOptions(t *testing.T) {
	c, _ := NewClass("empty", Options{})
	if _, err := c.Compute(); err == nil || !strings.Contains(err.Error(), "no images") {
		t.Errorf("Compute on an empty class: %v", err)
	}
	if _, _, err := c.ProCurve(); err == nil {
		t.Error("ProCurve on an empty class gave no error")
	}
	for _, o := range []Options{{Mode: 7}, {ProSteps: -1}, {MaxFPR: 1.5}, {MaxFPR: -0.1}, {MaxFPR: math.NaN()}} {
		if _, err := NewClass("x", o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}
