package selscan

import (
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// kernelCase is one cache-resident chunk of one group (K = 1, L = n, so
// the records and tokens are contiguous), for timing the kernels alone.
func kernelCase(rng *rand.Rand, n, R, N int) *chunk {
	d := Dims{Batch: 1, L: n, D: lanes, K: 1, R: R, N: N}
	in := randInputs(rng, d, normalOpts)
	var prm params
	prm.build(d, in, 0, 0, make([]float32, paramsLen(d)))
	c := &chunk{n: n, L: n, R: R, N: N, idx: in.Idx[0], rec: in.XDbl, rs: d.E(), ts: lanes, x: in.X,
		out: make([]float32, n*lanes), dy: randVec(rng, n*lanes), pre: make([]float32, n*preLen), sig: true,
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
