package selscan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/gemm"
	"github.com/mambaad/mambaad/ops"
	"github.com/mambaad/mambaad/parallel"
	"github.com/mambaad/mambaad/selscan/internal/legacy"
)

// The previous kernel (internal/legacy) on the same shapes, for side-by-side
// figures: its pure scan, and the scan plus the work SS2D needed around it
// (per-direction gathers of x, the Δ GEMM, B and C copies, the scatter-add
// merge and the transpose back to token-major), which the fused core
// replaces.

type legacyCase struct {
	d         Dims
	ld        legacy.Dims
	in        legacy.Inputs
	xa, xdbl  []float32 // (B, D, L) and (B, K, E, L): the pipeline's inputs
	dtw       []float32
	idx       [][]int32
	y, ym, yt []float32
	dy        []float32
}

func newLegacyCase(d Dims) *legacyCase {
	rng := rand.New(rand.NewPCG(1, 2))
	ld := legacy.Dims{Batch: d.Batch, K: d.K, D: d.D, L: d.L, N: d.N}
	seq, bc, ch := d.Batch*d.K*d.D*d.L, d.Batch*d.K*d.N*d.L, d.K*d.D
	a := uniVec(rng, ch*d.N, -1, 2.8)
	for i := range a {
		a[i] = -float32(math.Exp(float64(a[i])))
	}
	c := &legacyCase{d: d, ld: ld, in: legacy.Inputs{U: randVec(rng, seq), Delta: uniVec(rng, seq, -4, 0.5), A: a,
		B: randVec(rng, bc), C: randVec(rng, bc), Dskip: randVec(rng, ch), DeltaBias: uniVec(rng, ch, -1, 0.5)},
		xa: randVec(rng, d.tokLen()), xdbl: randVec(rng, d.Batch*d.K*d.E()*d.L), dtw: randVec(rng, d.K*d.D*d.R),
		idx: directions(rng, d.L, d.K), y: make([]float32, seq), ym: make([]float32, d.tokLen()),
		yt: make([]float32, d.tokLen()), dy: randVec(rng, seq)}
	return c
}

// pipeline runs what the old SS2D core did between x_dbl and the
// LayerNorm, given x (B, D, L) and x_dbl (B, K, E, L).
func (c *legacyCase) pipeline(s *legacy.Saved) {
	d := c.d
	DL, E, NL := d.D*d.L, d.E(), d.N*d.L
	parallel.Run(d.Batch*d.K, func(i int) {
		b, k := i/d.K, i%d.K
		ops.Gather(c.in.U[i*DL:(i+1)*DL], c.xa[b*DL:(b+1)*DL], d.D, c.idx[k])
		xd := c.xdbl[i*E*d.L : (i+1)*E*d.L]
		gemm.Sgemm(false, false, d.D, d.L, d.R, 1, c.dtw[k*d.D*d.R:], d.R, xd, d.L, 0, c.in.Delta[i*DL:(i+1)*DL], d.L)
		copy(c.in.B[i*NL:(i+1)*NL], xd[d.R*d.L:])
		copy(c.in.C[i*NL:(i+1)*NL], xd[(d.R+d.N)*d.L:])
	})
	legacy.Forward(c.ld, c.in, c.y, s)
	parallel.Run(d.Batch, func(b int) {
		dst := c.ym[b*DL : (b+1)*DL]
		clear(dst)
		for k := 0; k < d.K; k++ {
			i := b*d.K + k
			ops.ScatterAdd(dst, c.y[i*DL:(i+1)*DL], d.D, c.idx[k])
		}
	})
	ops.Transpose(c.yt, c.ym, d.Batch, d.D, d.L)
}

func BenchmarkLegacyForward(b *testing.B) {
	for _, d := range benchDims {
		b.Run(shapeName(d), func(b *testing.B) {
			c := newLegacyCase(d)
			var s legacy.Saved
			legacy.Forward(c.ld, c.in, c.y, &s)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				legacy.Forward(c.ld, c.in, c.y, &s)
			}
			reportUpdates(b, d)
		})
	}
}

func BenchmarkLegacyBackward(b *testing.B) {
	for _, d := range benchDims {
		b.Run(shapeName(d), func(b *testing.B) {
			c := newLegacyCase(d)
			var s legacy.Saved
			legacy.Forward(c.ld, c.in, c.y, &s)
			seq, bc, ch := len(c.y), len(c.in.B), d.K*d.D
			g := legacy.Grads{U: make([]float32, seq), Delta: make([]float32, seq), B: make([]float32, bc),
				C: make([]float32, bc), A: make([]float32, ch*d.N), Dskip: make([]float32, ch), DeltaBias: make([]float32, ch)}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				legacy.Backward(c.ld, c.in, c.dy, &s, g)
			}
			reportUpdates(b, d)
		})
	}
}

// BenchmarkLegacyPipelineForward is the old forward with the gathers, Δ
// GEMM, copies, merge and transpose that the fused Forward absorbs.
func BenchmarkLegacyPipelineForward(b *testing.B) {
	for _, d := range benchDims {
		b.Run(shapeName(d), func(b *testing.B) {
			c := newLegacyCase(d)
			var s legacy.Saved
			c.pipeline(&s)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.pipeline(&s)
			}
			reportUpdates(b, d)
		})
	}
}
