package detector

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPrototypes: images of three classes (noisy copies of three
// directions) are recognised, and the fitted temperature makes confident
// guesses on clear cases and unsure ones between classes.
func TestPrototypes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const dim = 32
	centre := make([][]float32, 3)
	for k := range centre {
		centre[k] = make([]float32, dim)
		for j := range centre[k] {
			centre[k][j] = float32(r.NormFloat64())
		}
	}
	sample := func(k int, noise float64) []float32 {
		v := make([]float32, dim)
		for j := range v {
			v[j] = centre[k][j] + float32(noise*r.NormFloat64())
		}
		normalise(v)
		return v
	}
	names := []string{"gear", "nut", "tile"}
	pb := NewPrototypeBuilder(dim)
	for i := 0; i < 90; i++ {
		pb.Add([]string{names[i%3]}, sample(i%3, 0.3))
	}
	p, err := pb.Build()
	if err != nil {
		t.Fatal(err)
	}
	if p.Temperature <= 1e-3 || p.Temperature >= 1 {
		t.Errorf("temperature %v at the search bounds", p.Temperature)
	}
	for i := 0; i < 60; i++ {
		g := p.Infer(sample(i%3, 0.3))
		if g.Class != names[i%3] || !(g.Confidence > 0.9 && g.Confidence <= 1) {
			t.Fatalf("image of %s: guessed %+v", names[i%3], g)
		}
	}
	// Halfway between two classes: unsure.
	mid := make([]float32, dim)
	for j := range mid {
		mid[j] = centre[0][j] + centre[1][j]
	}
	normalise(mid)
	if g := p.Infer(mid); g.Confidence > 0.8 || math.IsNaN(g.Confidence) {
		t.Errorf("an image between two classes: %+v", g)
	}
}

// TestPool averages each channel over positions and normalises.
func TestPool(t *testing.T) {
	f := []float32{1, 1, 1, 1, 0, 0, 2, 2} // one image, 2 channels, 2×2
	got := Pool(f, 1, 2, 2)
	if math.Abs(float64(got[0])-1/math.Sqrt(2)) > 1e-6 || math.Abs(float64(got[1])-1/math.Sqrt(2)) > 1e-6 {
		t.Errorf("pooled %v", got)
	}
}
