package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

func TestCosineHandChecked(t *testing.T) {
	// n=1, c=2, hw=3: pixels (a; b) = ((1,0);(0,1)), ((3,4);(6,8)), ((0,0);(1,1)).
	a := []float32{1, 3, 0, 0, 4, 0}
	b := []float32{0, 6, 1, 1, 8, 1}
	y := testutil.NaNs(3)
	CosineSimilarity(a, b, 1, 2, 3, y)
	// Orthogonal → 0; parallel → 1; zero vector → 0 (the eps clamp, no NaN).
	testutil.Close(t, "cos", y, []float32{0, 1, 0}, 1e-7, 0)
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

// TestCosineMatchesFloat64 compares CosineSimilarity with a float64
// evaluation of the definition.
func TestCosineMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	n, c, hw := 2, 5, 7
	a, b := testutil.NormVec(rng, n*c*hw), testutil.NormVec(rng, n*c*hw)
	y := testutil.NaNs(n * hw)
	CosineSimilarity(a, b, n, c, hw, y)
	testutil.Close64(t, "cos", y, cos64(testutil.To64(a), testutil.To64(b), n, c, hw), 1e-6, 1e-6)
}
