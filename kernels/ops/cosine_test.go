package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestCosineHandChecked(t *testing.T) {
	// n=1, c=2, hw=3: pixels (a; b) = ((1,0);(0,1)), ((3,4);(6,8)), ((0,0);(1,1)).
	a := []float32{1, 3, 0, 0, 4, 0}
	b := []float32{0, 6, 1, 1, 8, 1}
	y := poisoned(3)
	CosineSimilarity(a, b, 1, 2, 3, y)
	// Orthogonal → 0; parallel → 1; zero vector → 0 (the eps clamp, no NaN).
	closeTo(t, "cos", y, []float32{0, 1, 0}, 1e-7, 0)
	// eps clamps each norm separately: ‖a‖ = 1e-9 is raised to 1e-8.
	a2, b2 := []float32{1e-9}, []float32{2}
	CosineSimilarity(a2, b2, 1, 1, 1, y[:1])
	if math.Abs(float64(y[0])-0.1) > 1e-6 {
		t.Fatalf("clamped cos = %g, want 1e-9·2/(1e-8·2) = 0.1", y[0])
	}
}

func cos64(a, b []float64, n, c, hw int) []float64 {
	y := make([]float64, n*hw)
	for s := 0; s < n; s++ {
		for p := 0; p < hw; p++ {
			var ab, aa, bb float64
			for ch := 0; ch < c; ch++ {
				i := (s*c+ch)*hw + p
				ab += a[i] * b[i]
				aa += a[i] * a[i]
				bb += b[i] * b[i]
			}
			y[s*hw+p] = ab / (max(math.Sqrt(aa), CosineEps) * max(math.Sqrt(bb), CosineEps))
		}
	}
	return y
}

func TestCosineBackwardFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	n, c, hw := 2, 5, 7
	a, b, dy := randVec(rng, n*c*hw), randVec(rng, n*c*hw), randVec(rng, n*hw)
	y := poisoned(n * hw)
	CosineSimilarity(a, b, n, c, hw, y)
	close64(t, "cos", y, cos64(to64(a), to64(b), n, c, hw), 1e-6, 1e-6)
	da, db := poisoned(n*c*hw), poisoned(n*c*hw)
	CosineSimilarityBackward(a, b, n, c, hw, dy, da, db)
	a64, b64 := to64(a), to64(b)
	close64(t, "da", da, numGrad(a64, func(v []float64) float64 { return dot64(cos64(v, b64, n, c, hw), dy) }), 1e-4, 1e-4)
	close64(t, "db", db, numGrad(b64, func(v []float64) float64 { return dot64(cos64(a64, v, n, c, hw), dy) }), 1e-4, 1e-4)
	da2 := poisoned(n * c * hw)
	CosineSimilarityBackward(a, b, n, c, hw, dy, da2, nil)
	closeTo(t, "da alone", da2, da, 0, 0)
	// A zero vector gets finite gradients (PyTorch's clamp, not a NaN).
	z := make([]float32, c)
	dz := poisoned(c)
	CosineSimilarityBackward(z, randVec(rng, c), 1, c, 1, []float32{1}, dz, nil)
	for _, v := range dz {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("zero vector gradient %v", dz)
		}
	}
}
