package peak

import (
	"sync/atomic"
	"time"

	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// duration is how long one measurement keeps the cores busy: long enough to
// lift the clocks to their sustained level, short enough for start-up use.
const duration = 200 * time.Millisecond

// FP32Peak runs the FMA loop on every worker of the parallel pool at once
// for about 200 ms, three times, and returns the best whole-machine rate in
// GFLOP/s (two flops per lane per fused multiply-add). The best of three,
// because a single try that finds a worker descheduled (a shared VM) or
// not yet waiting measures one core and halves every "% of peak" after it.
func FP32Peak() (gflops float64) {
	for range 3 {
		gflops = max(gflops, machine(isa.Best(), duration))
	}
	return gflops
}

func machine(l isa.Level, d time.Duration) float64 {
	var total atomic.Uint64
	w := parallel.Workers()
	// A short warm-up lets freshly started pool workers reach their idle
	// loop (a hand-off only succeeds to a waiting worker) and raises clocks.
	for range 4 {
		parallel.Run(w, func(int) { spin(l, time.Now().Add(d/20)) })
	}
	start := time.Now()
	parallel.Run(w, func(int) {
		total.Add(uint64(spin(l, time.Now().Add(d))))
	})
	return float64(total.Load()) / time.Since(start).Seconds() / 1e9
}

// spin runs the loop of level l in bursts until deadline and returns the
// flops performed. Bursts are a few hundred microseconds so the clock is
// read rarely.
func spin(l isa.Level, deadline time.Time) float64 {
	const iters = 1 << 16
	var flops float64
	for time.Now().Before(deadline) {
		flops += loop(l, iters)
	}
	return flops
}
