package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

func TestReflectIndex(t *testing.T) {
	// n = 4: ... d c b a | a b c d | d c b a | a ...
	want := map[int]int{-10: 1, -9: 0, -8: 0, -5: 3, -4: 3, -2: 1, -1: 0, 0: 0, 3: 3, 4: 3, 5: 2, 7: 0, 8: 0, 9: 1, 12: 3}
	for i, w := range want {
		if got := reflectIndex(i, 4); got != w {
			t.Errorf("reflectIndex(%d, 4) = %d, want %d", i, got, w)
		}
	}
	for _, i := range []int{-3, -1, 0, 1, 2, 5} {
		if reflectIndex(i, 1) != 0 {
			t.Errorf("reflectIndex(%d, 1) != 0", i)
		}
	}
}

func TestGaussianKernel(t *testing.T) {
	k := GaussianKernel(4, 4)
	if len(k) != 33 {
		t.Fatalf("sigma 4 kernel has %d taps, want 33 (radius int(16.5) = 16)", len(k))
	}
	s := 0.0
	for i, v := range k {
		x := float64(i - 16)
		if math.Abs(v/k[16]-math.Exp(-x*x/32)) > 1e-15 {
			t.Fatalf("tap %d: ratio %g, want %g", i, v/k[16], math.Exp(-x*x/32))
		}
		if v != k[32-i] {
			t.Fatalf("kernel not symmetric at %d", i)
		}
		s += v
	}
	if math.Abs(s-1) > 1e-15 {
		t.Fatalf("kernel sums to %g", s)
	}
	if n := len(GaussianKernel(0.3, 4)); n != 3 {
		t.Fatalf("sigma 0.3: %d taps, want 3 (radius int(1.7) = 1)", n)
	}
}

// blurRef is the 2-D definition: Σ k[a]·k[b]·src[reflect(i+a−r), reflect(j+b−r)].
func blurRef(src []float64, h, w int, sigma float64) []float64 {
	k := GaussianKernel(sigma, GaussianTruncate)
	r := len(k) / 2
	out := make([]float64, h*w)
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			s := 0.0
			for a := range k {
				for b := range k {
					s += k[a] * k[b] * src[reflectIndex(i+a-r, h)*w+reflectIndex(j+b-r, w)]
				}
			}
			out[i*w+j] = s
		}
	}
	return out
}

func TestGaussianBlurLevels(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(31, 32))
		for _, sz := range [][2]int{{1, 1}, {3, 7}, {31, 5}, {9, 65}, {70, 70}} {
			h, w := sz[0], sz[1]
			for _, sigma := range []float64{0.5, 1, 4} { // σ=4 on tiny maps: radius 16 > size, repeated reflection
				src := make([]float64, h*w)
				for i := range src {
					src[i] = rng.Float64()
				}
				want := blurRef(src, h, w, sigma)
				got := make([]float64, h*w)
				for i := range got {
					got[i] = math.NaN()
				}
				gaussianBlur(l, src, h, w, sigma, GaussianTruncate, got)
				for i := range got {
					if !(math.Abs(got[i]-want[i]) <= 1e-13) {
						t.Fatalf("%dx%d σ=%g: [%d] = %.17g, want %.17g", h, w, sigma, i, got[i], want[i])
					}
				}
				// In place gives the same result.
				gaussianBlur(l, src, h, w, sigma, GaussianTruncate, src)
				for i := range src {
					if src[i] != got[i] {
						t.Fatalf("%dx%d σ=%g: in-place result differs at %d", h, w, sigma, i)
					}
				}
			}
		}
	})
	src := []float64{1, 2, 3}
	dst := make([]float64, 3)
	GaussianBlur(src, 1, 3, 0, dst)
	if dst[0] != 1 || dst[1] != 2 || dst[2] != 3 {
		t.Fatalf("sigma 0 must copy, got %v", dst)
	}
}
