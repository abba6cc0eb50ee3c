package membank

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randRows(r *rand.Rand, rows, d int) []float32 {
	x := make([]float32, rows*d)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// TestNearestMatchesBruteForce compares the GEMM-based search with a
// float64 brute-force nearest neighbour over every bank row, across block
// boundaries (more rows and bank vectors than one block).
func TestNearestMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const d = 37
	for _, c := range []struct{ m, rows int }{{1, 5}, {300, 70}, {bankChunk + 17, 2*queryBlock + 3}} {
		vec := randRows(r, c.m, d)
		b, err := New(d, vec)
		if err != nil {
			t.Fatal(err)
		}
		q := randRows(r, c.rows, d)
		copy(q[:d], vec[(c.m-1)*d:]) // one exact match: distance 0
		got := make([]float32, c.rows)
		b.Nearest(q, c.rows, got)
		for i := 0; i < c.rows; i++ {
			best := math.Inf(1)
			for j := 0; j < c.m; j++ {
				s := 0.0
				for k := 0; k < d; k++ {
					x := float64(q[i*d+k]) - float64(vec[j*d+k])
					s += x * x
				}
				best = min(best, s)
			}
			want := math.Sqrt(best)
			if math.Abs(float64(got[i])-want) > 2e-3*(1+want) {
				t.Fatalf("m=%d row %d: distance %v, brute force %v", c.m, i, got[i], want)
			}
		}
		if got[0] > 2e-3 {
			t.Errorf("m=%d: an exact match is at distance %v", c.m, got[0])
		}
	}
}

// build runs the two passes over patches added in batches of batch rows.
func build(t *testing.T, pts []float32, d, batch int, o Options) (*Bank, []int) {
	t.Helper()
	bl, err := NewBuilder(d, o)
	if err != nil {
		t.Fatal(err)
	}
	n := len(pts) / d
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		bl.Add(pts[lo*d:hi*d], hi-lo)
	}
	sel, err := bl.Select(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		bl.Fill(lo, pts[lo*d:hi*d], hi-lo)
	}
	b, err := bl.Bank()
	if err != nil {
		t.Fatal(err)
	}
	return b, sel
}

// TestCoresetDeterministicAndCovering: the same seed selects the same
// patches whatever the batching, another seed selects others, the bank
// holds exactly the selected rows, and greedy selection covers the set far
// better than the same number of random rows.
func TestCoresetDeterministicAndCovering(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const d, n = 24, 9000
	// Clustered data: 40 clusters of very different sizes.
	centres := randRows(r, 40, d)
	pts := make([]float32, n*d)
	for i := 0; i < n; i++ {
		c := int(math.Floor(40 * math.Pow(r.Float64(), 3)))
		for k := 0; k < d; k++ {
			pts[i*d+k] = 8*centres[c*d+k] + float32(r.NormFloat64())
		}
	}
	o := Options{Fraction: 0.01, ProjDim: 16, Seed: 7}
	b1, s1 := build(t, pts, d, 1000, o)
	b2, s2 := build(t, pts, d, 333, o)
	if !slices.Equal(s1, s2) || !slices.Equal(b1.Vec, b2.Vec) {
		t.Fatal("the same seed selected different patches with another batching")
	}
	if len(s1) != 90 {
		t.Fatalf("selected %d patches, want 1%% of %d", len(s1), n)
	}
	for i, row := range s1 {
		if !slices.Equal(b1.Vec[i*d:(i+1)*d], pts[row*d:(row+1)*d]) {
			t.Fatalf("bank row %d is not patch %d", i, row)
		}
	}
	o.Seed = 8
	if _, s3 := build(t, pts, d, 1000, o); slices.Equal(s1, s3) {
		t.Error("another seed selected the same patches")
	}
	// Coverage: the largest distance from any patch to the bank.
	cover := func(b *Bank) float32 {
		dist := make([]float32, n)
		b.Nearest(pts, n, dist)
		return slices.Max(dist)
	}
	rnd := make([]float32, 0, len(s1)*d)
	for _, i := range r.Perm(n)[:len(s1)] {
		rnd = append(rnd, pts[i*d:(i+1)*d]...)
	}
	br, _ := New(d, rnd)
	if g, rr := cover(b1), cover(br); !(g < 0.8*rr) {
		t.Errorf("greedy coreset covers to %.3g, random rows to %.3g", g, rr)
	}
}

// TestEmbedMatchesDefinition checks Embed against a direct evaluation of
// its definition at a few positions.
func TestEmbedMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n, c2, c3, s, s3 = 2, 3, 5, 8, 4
	f2 := randRows(r, n*c2, s*s)
	f3 := randRows(r, n*c3, s3*s3)
	d := Dim(c2, c3)
	got := make([]float32, n*s*s*d)
	Embed(f2, f3, n, c2, c3, s, s3, got)
	box := func(x []float32, side, i, j int) float64 {
		v := 0.0
		for di := -1; di <= 1; di++ {
			for dj := -1; dj <= 1; dj++ {
				if ii, jj := i+di, j+dj; ii >= 0 && ii < side && jj >= 0 && jj < side {
					v += float64(x[ii*side+jj])
				}
			}
		}
		return v / 9
	}
	for b := 0; b < n; b++ {
		for _, pos := range [][2]int{{0, 0}, {3, 5}, {7, 7}, {0, 6}} {
			i, j := pos[0], pos[1]
			row := got[(b*s*s+i*s+j)*d:]
			for c := 0; c < c2; c++ {
				want := box(f2[(b*c2+c)*s*s:], s, i, j)
				if math.Abs(float64(row[c])-want) > 1e-5 {
					t.Fatalf("layer2 b%d (%d,%d) c%d: %v want %v", b, i, j, c, row[c], want)
				}
			}
			// align_corners=False: source coordinate (i+0.5)·s3/s − 0.5,
			// clamped at 0.
			src := func(o int) (int, int, float64) {
				x := max(0, (float64(o)+0.5)*s3/s-0.5)
				x0 := int(x)
				x1 := min(x0+1, s3-1)
				return x0, x1, x - float64(x0)
			}
			y0, y1, fy := src(i)
			x0, x1, fx := src(j)
			for c := 0; c < c3; c++ {
				p := f3[(b*c3+c)*s3*s3:]
				v := (1-fy)*((1-fx)*box(p, s3, y0, x0)+fx*box(p, s3, y0, x1)) + fy*((1-fx)*box(p, s3, y1, x0)+fx*box(p, s3, y1, x1))
				if math.Abs(float64(row[c2+c])-v) > 1e-5 {
					t.Fatalf("layer3 b%d (%d,%d) c%d: %v want %v", b, i, j, c, row[c2+c], v)
				}
			}
		}
	}
}
