package selscan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// benchDims are the model's SS2D core shapes (K = 8, N = 16, R = C/16)
// at batch 1, plus the first at batch 8.
var benchDims = []Dims{
	{Batch: 1, L: 4096, D: 128, K: 8, R: 4, N: 16},
	{Batch: 1, L: 1024, D: 256, K: 8, R: 8, N: 16},
	{Batch: 1, L: 256, D: 512, K: 8, R: 16, N: 16},
	{Batch: 1, L: 64, D: 1024, K: 8, R: 32, N: 16},
	{Batch: 8, L: 4096, D: 128, K: 8, R: 4, N: 16},
}

func shapeName(d Dims) string { return fmt.Sprintf("B%dL%dD%dR%d", d.Batch, d.L, d.D, d.R) }

func reportUpdates(b *testing.B, d Dims) {
	b.ReportMetric(float64(d.Updates())*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

func BenchmarkForward(b *testing.B) {
	for _, d := range benchDims {
		b.Run(shapeName(d), func(b *testing.B) { benchForward(b, isa.Best(), d) })
	}
}

func BenchmarkBackward(b *testing.B) {
	for _, d := range benchDims {
		b.Run(shapeName(d), func(b *testing.B) { benchBackward(b, isa.Best(), d) })
	}
}

// BenchmarkLevels compares the instruction-set levels on the first shape.
func BenchmarkLevels(b *testing.B) {
	d := benchDims[0]
	for _, lv := range isa.Available() {
		b.Run("forward/"+lv.String(), func(b *testing.B) { benchForward(b, lv, d) })
		b.Run("backward/"+lv.String(), func(b *testing.B) { benchBackward(b, lv, d) })
	}
}

func benchForward(b *testing.B, lv isa.Level, d Dims) {
	in := randInputs(rand.New(rand.NewPCG(1, 2)), d, normalOpts)
	y := make([]float32, d.tokLen())
	var s Saved
	forward(lv, d, in, y, &s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		forward(lv, d, in, y, &s)
	}
	reportUpdates(b, d)
}

func benchBackward(b *testing.B, lv isa.Level, d Dims) {
	rng := rand.New(rand.NewPCG(1, 2))
	in := randInputs(rng, d, normalOpts)
	dy := testutil.NormVec(rng, d.tokLen())
	var s Saved
	forward(lv, d, in, make([]float32, d.tokLen()), &s)
	g := zeroGrads(d)
	backward(lv, d, in, dy, &s, g)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		backward(lv, d, in, dy, &s, g)
	}
	reportUpdates(b, d)
}

// kernelCase is one cache-resident chunk of one group (K = 1, L = n, so
// the records and tokens are contiguous), for timing the kernels alone.
func kernelCase(rng *rand.Rand, n, R, N int) *chunk {
	d := Dims{Batch: 1, L: n, D: lanes, K: 1, R: R, N: N}
	in := randInputs(rng, d, normalOpts)
	var prm params
	prm.build(d, in, 0, 0, make([]float32, paramsLen(d)))
	c := &chunk{n: n, L: n, R: R, N: N, idx: in.Idx[0], rec: in.XDbl, rs: d.E(), ts: lanes, x: in.X,
		out: make([]float32, n*lanes), dy: testutil.NormVec(rng, n*lanes), pre: make([]float32, n*preLen), sig: true,
		h: make([]float32, N*lanes), dAP: make([]float32, 2*n*N*lanes),
		acc: make([]float32, n*accLen(R, N)), dh: make([]float32, N*lanes), accA: make([]float32, N*lanes),
		accW: make([]float32, R*lanes), accD: make([]float32, lanes), accBias: make([]float32, lanes)}
	c.dtw, c.a, c.bias, c.dskip, c.dtwr = prm.dtw, prm.a, prm.bias, prm.dskip, prm.dtwr
	return c
}

// BenchmarkKernels times each level's kernels on one L1/L2-resident chunk
// of 64 steps at R = 4, N = 16, in state updates (16 lanes × N) per second
// (prep: per step and lane).
func BenchmarkKernels(b *testing.B) {
	for _, lv := range isa.Available() {
		ks := kernelsFor(lv)
		c := kernelCase(rand.New(rand.NewPCG(1, 2)), chunkLen, 4, 16)
		ks.prep(c)
		upd := float64(c.n * lanes * c.N)
		run := func(name string, per float64, f func(*chunk)) {
			b.Run(name+"/"+lv.String(), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					f(c)
				}
				b.ReportMetric(per*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
			})
		}
		run("prep", float64(c.n*lanes), ks.prep)
		run("fwd", upd, ks.fwd)
		run("rec", upd, ks.rec)
		run("rev", upd, ks.rev)
		run("wgrad", upd, ks.wgrad)
		E := c.R + 2*c.N
		dst := make([]float32, c.n*E)
		run("reduce", float64(c.n*E), func(c *chunk) { ks.reduce(c.n, c.R, c.N, c.acc, c.idx, dst, E) })
	}
}

// BenchmarkVariants runs kernel-table variants of the best level side by
// side, so that a -count run compares them under the same machine load.
func BenchmarkVariants(b *testing.B) {
	best := *kernelsFor(isa.Best())
	noPF := best
	noPF.prefetch = func(*chunk) {}
	variants := []struct {
		name string
		ks   *kernels
	}{{"best", &best}, {"noprefetch", &noPF}}
	for _, d := range benchDims[:4] {
		rng := rand.New(rand.NewPCG(1, 2))
		in := randInputs(rng, d, normalOpts)
		dy := testutil.NormVec(rng, d.tokLen())
		y := make([]float32, d.tokLen())
		g := zeroGrads(d)
		for _, v := range variants {
			b.Run("fwd/"+shapeName(d)+"/"+v.name, func(b *testing.B) {
				var s Saved
				for i := 0; i < b.N; i++ {
					forwardWith(v.ks, d, in, y, &s)
				}
				reportUpdates(b, d)
			})
			b.Run("bwd/"+shapeName(d)+"/"+v.name, func(b *testing.B) {
				var s Saved
				forwardWith(v.ks, d, in, y, &s)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					backwardWith(v.ks, d, in, dy, &s, g)
				}
				reportUpdates(b, d)
			})
		}
	}
}
