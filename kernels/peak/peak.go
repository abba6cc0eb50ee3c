// Package peak measures the machine's fp32 multiply-add throughput. Every
// "% of peak" figure mambaad reports divides by this number, so it is
// measured on the running machine with the same instruction set the kernels
// use (isa.Best) rather than taken from a data sheet.
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

// single returns the rate of one core (the calling goroutine) in GFLOP/s.
func single(l isa.Level, d time.Duration) float64 {
	start := time.Now()
	flops := spin(l, start.Add(d))
	return flops / time.Since(start).Seconds() / 1e9
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

// sink keeps the Go loop's result alive so the compiler cannot drop it.
var sink float32

// goLoop is the fallback: eight independent multiply-add chains, which the
// Go compiler keeps in registers (as separate multiply and add
// instructions, since Go does not fuse float32 arithmetic on amd64).
func goLoop(n int) float64 {
	x, y := sink*0+0.999, float32(1e-3)
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	for i := 0; i < n; i++ {
		a0 = a0*x + y
		a1 = a1*x + y
		a2 = a2*x + y
		a3 = a3*x + y
		a4 = a4*x + y
		a5 = a5*x + y
		a6 = a6*x + y
		a7 = a7*x + y
	}
	sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
	return 8 * 2 * float64(n)
}
