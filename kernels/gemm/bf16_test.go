package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// bf16Levels are the levels whose bf16 kernels can run here: the Go twin
// always, the VDPBF16PS kernels where the CPU has them.
func bf16Levels() []isa.Level {
	ls := []isa.Level{isa.Generic}
	if isa.Hardware() >= isa.AVX512BF16 {
		ls = append(ls, isa.AVX512BF16)
	}
	return ls
}

// specials are float32 values at the edges of the bfloat16 rounding.
func specials() []float32 {
	bits := []uint32{0, 0x80000000, 1, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
		0x7fc00000, 0x7f800001, 0xffa00000, 0x3f808000, 0x3f818000, 0x3f807fff, 0x3f808001, 0x7f7f8000, 0x3f800000}
	var out []float32
	for _, b := range bits {
		out = append(out, math.Float32frombits(b))
	}
	return out
}

// TestConversionsMatchTwin requires the VCVTNE2PS2BF16 loops and the Go
// twins to agree bit for bit on random values, ties, denormals, infinities
// and NaNs, for every length around the vector widths.
func TestConversionsMatchTwin(t *testing.T) {
	if isa.Hardware() < isa.AVX512BF16 {
		t.Skip("no AVX512_BF16 on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 16))
	for _, n := range []int{1, 15, 16, 17, 31, 32, 33, 64, 100, 1000} {
		a, b := testutil.NormVec(rng, n), testutil.NormVec(rng, n)
		sp := specials()
		for i := range a {
			if i%3 == 0 {
				a[i] = sp[(i/3)%len(sp)]
			}
			if i%5 == 1 {
				b[i] = sp[(i/5+7)%len(sp)]
			}
		}
		for i := range a {
			if i%7 == 2 { // exact ties: the low half 0x8000
				a[i] = math.Float32frombits(math.Float32bits(a[i])&0xffff0000 | 0x8000)
			}
		}
		got, want := make([]float32, Pairs(n)), make([]float32, Pairs(n))
		cvtPairsFor(isa.AVX512BF16)(got, a)
		cvtPairsGo(want, a)
		if i := firstDiffBits(got, want); i >= 0 {
			t.Fatalf("n=%d: pair word %d = %#x, twin %#x", n, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
		got, want = make([]float32, n), make([]float32, n)
		cvtInterleaveFor(isa.AVX512BF16)(got, a, b)
		cvtInterleaveGo(want, a, b)
		if i := firstDiffBits(got, want); i >= 0 {
			t.Fatalf("n=%d: interleaved word %d = %#x, twin %#x", n, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
	}
}

func firstDiffBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestToBF16 pins the rounding down on hand-checked values.
func TestToBF16(t *testing.T) {
	for _, c := range []struct {
		in   uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, {0x3f808000, 0x3f80}, {0x3f818000, 0x3f82}, {0x3f808001, 0x3f81},
		{0x3f807fff, 0x3f80}, {0x00000001, 0x0000}, {0x807fffff, 0x8000}, {0x7f7fffff, 0x7f80},
		{0x7f800000, 0x7f80}, {0x7f800001, 0x7fc0}, {0xffa00000, 0xffe0},
	} {
		if got := ToBF16(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("ToBF16(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

// TestBF16KernelsAllTiles drives the VDPBF16PS full and edge kernels on
// every tile size and checks each element against the twin's pair steps
// (bit for bit: the hardware adds the high product, then the low one,
// each rounded, as the twin does), with C embedded in NaN so stray writes
// show up.
func TestBF16KernelsAllTiles(t *testing.T) {
	if isa.Hardware() < isa.AVX512BF16 {
		t.Skip("no AVX512_BF16 on this CPU")
	}
	rng := rand.New(rand.NewPCG(7, 16))
	lv := bf16KernelsFor(isa.AVX512BF16)
	for _, k := range []int{1, 2, 3, 17} {
		a, b := make([]float32, lv.mr*k), make([]float32, lv.nr*k)
		for i := range a {
			a[i] = pairWord(rng.Float32()*2-1, rng.Float32()*2-1)
		}
		for i := range b {
			b[i] = pairWord(rng.Float32()*2-1, rng.Float32()*2-1)
		}
		for mrr := 1; mrr <= lv.mr; mrr++ {
			for nrr := 1; nrr <= lv.nr; nrr++ {
				for _, beta := range []float32{0, 0.5} {
					const alpha = 1.5
					ldc := lv.nr + 3
					c := testutil.NaNs(lv.mr * ldc)
					for i := 0; i < mrr; i++ {
						for j := 0; j < nrr; j++ {
							if beta != 0 {
								c[i*ldc+j] = rng.Float32()
							}
						}
					}
					orig := slices.Clone(c)
					if mrr == lv.mr && nrr == lv.nr {
						lv.kern(k, a, b, lv.panelRows, c, ldc, alpha, beta)
					} else {
						lv.edge(mrr, nrr, k, a, b, lv.panelRows, c, ldc, alpha, beta, nil)
					}
					for i := 0; i < lv.mr; i++ {
						for j := 0; j < ldc; j++ {
							got := c[i*ldc+j]
							if i >= mrr || j >= nrr {
								if !math.IsNaN(float64(got)) {
									t.Fatalf("tile %d×%d k=%d: wrote (%d,%d)", mrr, nrr, k, i, j)
								}
								continue
							}
							var s float32
							for p := 0; p < k; p++ {
								s = dot2(s, a[p*lv.mr+i], b[p*lv.nr+j])
							}
							want := alpha * s
							if beta != 0 {
								want = alpha*s + beta*orig[i*ldc+j]
							}
							// Tiles of fewer than four vectors sum two
							// accumulator sets (see gen_bf16.go), in
							// another order than the twin; the others
							// must agree bit for bit.
							exact := mrr*((nrr+15)/16) >= 4
							if exact && math.Float32bits(got) != math.Float32bits(want) ||
								math.Abs(float64(got-want)) > 1e-6*(1+math.Abs(float64(want))) {
								t.Fatalf("tile %d×%d k=%d β=%v: C[%d,%d] = %v, twin %v", mrr, nrr, k, beta, i, j, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// TestSgemmBF16 compares the bf16 products of both levels with the
// float64 specification: within float32 accumulation error of the sum of
// the products' magnitudes, for every transposition, odd and even k,
// edge tiles, alpha and beta.
func TestSgemmBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 16))
	for _, l := range bf16Levels() {
		for _, sh := range [][3]int{{1, 1, 1}, {5, 7, 3}, {14, 32, 16}, {33, 65, 47}, {100, 70, 129}, {3, 300, 1030}, {257, 40, 64}} {
			m, n, k := sh[0], sh[1], sh[2]
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-1, 0.25}} {
					alpha, beta := ab[0], ab[1]
					lda, ldb := k+2, n+1
					if tr[0] {
						lda = m + 3
					}
					if tr[1] {
						ldb = k + 1
					}
					ar, br := m, k
					if tr[0] {
						ar = k
					}
					if tr[1] {
						br = n
					}
					a, b := testutil.NormVec(rng, ar*lda), testutil.NormVec(rng, br*ldb)
					c := testutil.NormVec(rng, m*(n+5))
					want, scale := SgemmBF16Ref(tr[0], tr[1], m, n, k, alpha, a, lda, b, ldb, beta, c, n+5)
					sgemmBF16Level(l, tr[0], tr[1], m, n, k, alpha, a, lda, b, ldb, beta, c, n+5)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							got := float64(c[i*(n+5)+j])
							w, s := want[i*n+j], scale[i*n+j]
							if math.Abs(got-w) > 2e-6*s+1e-30 {
								t.Fatalf("%v %dx%dx%d trans %v α=%v β=%v: C[%d,%d] = %v, want %v (scale %v)", l, m, n, k, tr, alpha, beta, i, j, got, w, s)
							}
						}
					}
				}
			}
		}
	}
}

// TestSgemmBF16Workers requires the bf16 products to be independent of the
// worker count, like the float32 ones.
func TestSgemmBF16Workers(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 16))
	const m, n, k = 300, 200, 530
	a, b := testutil.NormVec(rng, m*k), testutil.NormVec(rng, n*k)
	for _, l := range bf16Levels() {
		testutil.SameForAnyWorkers(t, fmt.Sprint("bf16 ", l), func() [][]float32 {
			c := make([]float32, m*n)
			sgemmBF16Level(l, false, true, m, n, k, 1, a, k, b, k, 0, c, n)
			return [][]float32{c}
		})
	}
}

// fallbackChild marks the subprocess of TestBF16FallsBackToFP32.
const fallbackChild = "MAMBAAD_GEMM_BF16_FALLBACK_CHILD"

// TestBF16FallsBackToFP32 runs this test binary with MAMBAAD_ISA=avx512
// (and avx2): the level then lacks AVX512_BF16, so BF16 must resolve to
// FP32 and SgemmPrec(BF16, …) must be Sgemm bit for bit.
func TestBF16FallsBackToFP32(t *testing.T) {
	if os.Getenv(fallbackChild) == "1" {
		if isa.BF16() || BF16.Effective() != FP32 {
			t.Fatalf("at %v: BF16 effective as %v", isa.Best(), BF16.Effective())
		}
		rng := rand.New(rand.NewPCG(5, 16))
		const m, n, k = 50, 70, 90
		a, b := testutil.NormVec(rng, m*k), testutil.NormVec(rng, k*n)
		c1, c2 := make([]float32, m*n), make([]float32, m*n)
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c1, n)
		SgemmPrec(BF16, false, false, m, n, k, 1, a, k, b, n, 0, c2, n)
		if i := firstDiffBits(c1, c2); i >= 0 {
			t.Fatalf("at %v: SgemmPrec(BF16) differs from Sgemm at %d", isa.Best(), i)
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for _, level := range []string{"avx512", "avx2", "generic"} {
		cmd := exec.Command(exe, "-test.run=^TestBF16FallsBackToFP32$", "-test.count=1")
		cmd.Env = append(os.Environ(), fallbackChild+"=1", isa.EnvVar+"="+level)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("MAMBAAD_ISA=%s: %v\n%s", level, err, out)
		}
	}
	if isa.BF16() && BF16.Effective() != BF16 {
		t.Errorf("at %v BF16 resolves to %v", isa.Best(), BF16.Effective())
	}
}
