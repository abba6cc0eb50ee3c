package selscan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/internal/isa"
)

// chunkCase is random operands for one chunk of one channel.
type chunkCase struct {
	n, N                        int
	delta, u, dy, bt, ct, a, h0 []float32
	dhNext, aNext, accA         []float32
	dB, dC                      []float32
	dskip                       float32
}

func newChunkCase(rng *rand.Rand, n, N int, dlo, dhi float64) chunkCase {
	uni := func(k int, lo, hi float64) []float32 {
		s := make([]float32, k)
		for i := range s {
			s[i] = float32(lo + (hi-lo)*rng.Float64())
		}
		return s
	}
	a := uni(N, -1, 2.8)
	for i := range a {
		a[i] = -float32(math.Exp(float64(a[i])))
	}
	return chunkCase{n: n, N: N, delta: uni(n, dlo, dhi), u: randVec(rng, n), dy: randVec(rng, n),
		bt: randVec(rng, n*N), ct: randVec(rng, n*N), a: a, h0: randVec(rng, N),
		dhNext: randVec(rng, N), aNext: uni(N, 0, 1), accA: randVec(rng, N),
		dB: randVec(rng, n*N), dC: randVec(rng, n*N), dskip: float32(rng.NormFloat64())}
}

// run runs the backward chunk kernel of ks on a copy of the case.
func (cc chunkCase) runBwd(ks *kernels) *bwdChunk {
	c := &bwdChunk{n: cc.n, N: cc.N, delta: cc.delta, u: cc.u, dy: cc.dy, bt: cc.bt, ct: cc.ct, a: cc.a,
		h0: cc.h0, dhNext: clone(cc.dhNext), aNext: clone(cc.aNext), accA: clone(cc.accA),
		dB: clone(cc.dB), dC: clone(cc.dC), s1: nanVec(cc.n), s2: nanVec(cc.n),
		hbuf: nanVec((cc.n + 1) * cc.N), abuf: nanVec(cc.n * cc.N), dubuf: nanVec(cc.n)}
	ks.bwd(c)
	return c
}

func near(a, b []float32, tol float64) error {
	scale := 1e-30
	for _, v := range b {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for i := range a {
		if d := math.Abs(float64(a[i] - b[i])); !(d <= tol*(scale+math.Abs(float64(b[i])))) {
			return fmt.Errorf("element %d = %g, want %g (scale %g)", i, a[i], b[i], scale)
		}
	}
	return nil
}

// TestChunkKernels compares each level's chunk kernels with the plain-Go
// ones on every chunk length 1..70 (all remainders of the unrolled loops),
// with NaN-poisoned outputs and scratch, large and small δ.
func TestChunkKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, lv := range isa.Available() {
		ks := kernelsFor(lv)
		for _, N := range []int{16, 3} {
			for n := 1; n <= 70; n++ {
				for _, dr := range [][2]float64{{0.01, 1.5}, {15, 30}} {
					cc := newChunkCase(rng, n, N, dr[0], dr[1])
					h, y := clone(cc.h0), nanVec(n)
					ks.fwd(n, N, cc.delta, cc.u, cc.bt, cc.ct, cc.a, cc.dskip, h, y)
					hw, yw := clone(cc.h0), nanVec(n)
					fwdGo(n, N, cc.delta, cc.u, cc.bt, cc.ct, cc.a, cc.dskip, hw, yw)
					got, want := cc.runBwd(ks), cc.runBwd(&goKernels)
					for _, p := range []struct {
						name string
						a, b []float32
					}{{"y", y, yw}, {"h", h, hw}, {"s1", got.s1, want.s1}, {"s2", got.s2, want.s2},
						{"dB", got.dB, want.dB}, {"dC", got.dC, want.dC}, {"dhNext", got.dhNext, want.dhNext},
						{"aNext", got.aNext, want.aNext}, {"accA", got.accA, want.accA}} {
						if err := near(p.a, p.b, 1e-5); err != nil {
							t.Fatalf("%v N=%d n=%d δ in %v: %s: %v", lv, N, n, dr, p.name, err)
						}
					}
				}
			}
		}
	}
}

// TestChunkKernelsPanicOnShortSlices checks every level rejects a chunk
// whose slices are too short instead of reading or writing past them.
func TestChunkKernelsPanicOnShortSlices(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, lv := range isa.Available() {
		ks := kernelsFor(lv)
		cc := newChunkCase(rng, 9, 16, 0.1, 1)
		expectPanic(t, lv.String()+" fwd short y", func() {
			ks.fwd(cc.n, 16, cc.delta, cc.u, cc.bt, cc.ct, cc.a, cc.dskip, clone(cc.h0), make([]float32, 8))
		})
		expectPanic(t, lv.String()+" bwd short abuf", func() {
			c := cc.runBwd(ks)
			c.abuf = c.abuf[:8*16]
			ks.bwd(c)
		})
	}
}
