package membank

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// bruteNearest is the specification of search: for each query, the bank
// row of least float32 squared distance (sqDist; the lowest index on a
// tie) and that distance.
func bruteNearest(b *Bank, q []float32, rows int) ([]float32, []int) {
	d := b.Dim
	dist, idx := make([]float32, rows), make([]int, rows)
	parallel.For(rows, 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			e, arg := float32(math.Inf(1)), 0
			for j := 0; j < b.Len(); j++ {
				if v := sqDist(q[i*d:(i+1)*d], b.Vec[j*d:(j+1)*d]); v < e {
					e, arg = v, j
				}
			}
			dist[i], idx[i] = float32(math.Sqrt(float64(e))), arg
		}
	})
	return dist, idx
}

// nearestCases are banks and queries across the block and chunk edges:
// Gaussian rows (every distance nearly the same: near-ties everywhere,
// the hardest case for bf16 candidates) and clustered rows whose queries
// lie close to bank rows (as test patches near normal ones).
func nearestCases(r *rand.Rand) []struct {
	name    string
	d, rows int
	bank, q []float32
} {
	type c = struct {
		name    string
		d, rows int
		bank, q []float32
	}
	var cs []c
	for _, s := range []struct{ d, m, rows int }{{37, 300, 70}, {384, 2*bankChunk + 100, 2*queryBlock + 5}, {385, bankChunk, queryBlock}} {
		cs = append(cs, c{"gauss", s.d, s.rows, randRows(r, s.m, s.d), randRows(r, s.rows, s.d)})
	}
	// Clusters: 64 centres, bank rows and queries scattered around them.
	const d, m, rows = 384, 5000, 400
	centres := randRows(r, 64, d)
	around := func(n int, spread float32) []float32 {
		x := randRows(r, n, d)
		for i := 0; i < n; i++ {
			k := r.IntN(64)
			for j := 0; j < d; j++ {
				x[i*d+j] = 3*centres[k*d+j] + spread*x[i*d+j]
			}
		}
		return x
	}
	cs = append(cs, c{"clusters", d, rows, around(m, 1), around(rows, 1)})
	return cs
}

// checkChildEnv marks the subprocess of TestNearestFP32Exact.
const checkChildEnv = "MAMBAAD_MEMBANK_FP32_CHILD"

// TestNearestExactRow: the distance written is always the exact float32
// distance of the row chosen, and that row is the exact nearest one, or
// with bf16 candidates (gemm.BF16 effective) within a small relative
// margin of it. With float32 products (every level below avx512bf16) the
// result is the brute force's, bit for bit.
func TestNearestExactRow(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	bf := gemm.BF16.Effective() == gemm.BF16
	if os.Getenv(checkChildEnv) == "1" && bf {
		t.Fatalf("at %v bf16 is effective", isa.Best())
	}
	for _, c := range nearestCases(r) {
		b, err := New(c.d, c.bank)
		if err != nil {
			t.Fatal(err)
		}
		got, idx := make([]float32, c.rows), make([]int, c.rows)
		b.search(c.q, c.rows, got, idx)
		want, widx := bruteNearest(b, c.q, c.rows)
		diff, worst := 0, 0.0
		for i := range got {
			row := b.Vec[idx[i]*c.d : (idx[i]+1)*c.d]
			if e := float32(math.Sqrt(float64(sqDist(c.q[i*c.d:(i+1)*c.d], row)))); got[i] != e {
				t.Fatalf("%s d=%d row %d: distance %v, the chosen row %d is at %v", c.name, c.d, i, got[i], idx[i], e)
			}
			if idx[i] != widx[i] {
				diff++
			}
			worst = max(worst, float64(got[i])/float64(want[i])-1)
		}
		t.Logf("%s d=%d bank %d, %d queries (bf16 %v): %d rows differ from the exact nearest, distance at most %.2e relative above it", c.name, c.d, b.Len(), c.rows, bf, diff, worst)
		if !bf && diff > 0 {
			t.Errorf("%s d=%d: float32 search chose another row than brute force for %d queries", c.name, c.d, diff)
		}
		if worst > 1e-3 {
			t.Errorf("%s d=%d: a distance is %.2e relative above the nearest", c.name, c.d, worst)
		}
	}
}

// TestNearestFP32Exact re-runs TestNearestExactRow with MAMBAAD_ISA=avx512,
// a level without AVX512_BF16, where the search must be the brute force's
// exactly.
func TestNearestFP32Exact(t *testing.T) {
	if os.Getenv(checkChildEnv) == "1" {
		t.Skip("in the child")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestNearestExactRow$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), checkChildEnv+"=1", isa.EnvVar+"=avx512")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("MAMBAAD_ISA=avx512: %v\n%s", err, out)
	}
	t.Logf("MAMBAAD_ISA=avx512:\n%s", out)
}

// TestNearestThreadIndependent: one worker and the full pool give the same
// distances and rows bit for bit.
func TestNearestThreadIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range nearestCases(r) {
		b, err := New(c.d, c.bank)
		if err != nil {
			t.Fatal(err)
		}
		run := func(w int) ([]float32, []int) {
			prev := parallel.SetWorkers(w)
			defer parallel.SetWorkers(prev)
			got, idx := make([]float32, c.rows), make([]int, c.rows)
			b.search(c.q, c.rows, got, idx)
			return got, idx
		}
		d1, i1 := run(1)
		for _, w := range []int{2, 3, 8} {
			if d, i := run(w); !slices.Equal(d, d1) || !slices.Equal(i, i1) {
				t.Errorf("%s d=%d: %d workers differ from one", c.name, c.d, w)
			}
		}
	}
}

// TestBelow compares below (AVX-512 where there is) with its plain-Go
// twin on every length up to 70 and thresholds that cut anywhere, NaN
// included.
func TestBelow(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for n := 0; n <= 70; n++ {
		x, sq := randRows(r, 1, n), randRows(r, 1, n)
		if n > 5 {
			x[n/2] = float32(math.NaN())
		}
		for _, thr := range []float32{float32(math.Inf(-1)), -3, -2, -1, 0, 1, float32(math.Inf(1)), float32(math.NaN())} {
			if got, want := below(x, sq, thr), belowGo(x, sq, thr); got != want {
				t.Fatalf("n=%d thr=%v: below %d, plain Go %d", n, thr, got, want)
			}
		}
	}
}
