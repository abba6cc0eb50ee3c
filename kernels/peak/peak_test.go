package peak

import (
	"testing"
	"time"

	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

func TestLoopCountsFlops(t *testing.T) {
	for _, l := range isa.Available() {
		if f := loop(l, 10); f <= 0 {
			t.Fatalf("%v: loop(10) reported %v flops", l, f)
		}
		if loop(l, 0) != 0 {
			t.Fatalf("%v: loop(0) must do nothing", l)
		}
	}
}

// TestRatesPlausible checks each level's single-core rate is positive, that
// the SIMD loops beat the Go loop clearly (AVX-512 need not beat AVX2: Zen 4
// splits 512-bit FMAs in two), and that the machine rate is not below one
// core.
func TestRatesPlausible(t *testing.T) {
	d := 30 * time.Millisecond
	var generic float64
	for _, l := range isa.Available() {
		r := single(l, d)
		t.Logf("%v: %.1f GFLOP/s per core", l, r)
		if r <= 0 || r > 1e4 {
			t.Fatalf("%v: implausible rate %v", l, r)
		}
		if l == isa.Generic {
			generic = r
		} else if r < 2*generic {
			t.Errorf("%v (%.1f) not clearly faster than generic (%.1f)", l, r, generic)
		}
	}
	one := single(isa.Best(), d)
	all := machine(isa.Best(), d)
	t.Logf("machine %.1f GFLOP/s on %d workers, one core %.1f", all, parallel.Workers(), one)
	if all < 0.6*one {
		t.Fatalf("machine rate %.1f below one core %.1f", all, one)
	}
}

func TestPublicAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 0.4 s")
	}
	if p := FP32Peak(); p <= 0 {
		t.Fatalf("FP32Peak %v", p)
	}
}

// single returns the rate of one core (the calling goroutine) in GFLOP/s.
func single(l isa.Level, d time.Duration) float64 {
	start := time.Now()
	flops := spin(l, start.Add(d))
	return flops / time.Since(start).Seconds() / 1e9
}
