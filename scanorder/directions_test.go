package scanorder

import (
	"slices"
	"testing"
)

// grid is a labelled square map used to replay forward_core literally.
type grid [][]int32

func labelled(s int) grid {
	g := make(grid, s)
	for r := range g {
		g[r] = make([]int32, s)
		for c := range g[r] {
			g[r][c] = int32(r*s + c)
		}
	}
	return g
}

func (g grid) transpose() grid {
	out := make(grid, len(g[0]))
	for i := range out {
		out[i] = make([]int32, len(g))
		for j := range out[i] {
			out[i][j] = g[j][i]
		}
	}
	return out
}

// rot90 is torch.rot90(x, k, (H, W)): one step gives out[i][j] = in[j][W−1−i].
func (g grid) rot90(k int) grid {
	for ; k > 0; k-- {
		h, w := len(g), len(g[0])
		out := make(grid, w)
		for i := range out {
			out[i] = make([]int32, h)
			for j := range out[i] {
				out[i][j] = g[j][w-1-i]
			}
		}
		g = out
	}
	return g
}

func (g grid) flatten() []int32 { return slices.Concat(g...) }

func unflatten(v []int32, s int) grid {
	g := make(grid, s)
	for r := range g {
		g[r] = v[r*s : (r+1)*s]
	}
	return g
}

func gather(v, p []int32) []int32 {
	out := make([]int32, len(p))
	for j, q := range p {
		out[j] = v[q]
	}
	return out
}

func scatter(seq, p []int32) []int32 {
	out := make([]int32, len(p))
	for j, q := range p {
		out[q] = seq[j]
	}
	return out
}

func reversed(v []int32) []int32 {
	out := slices.Clone(v)
	slices.Reverse(out)
	return out
}

// bruteEncode replays SS2D step 3 on the labelled grid: each label in the
// result is the original pixel that lands at that sequence position.
func bruteEncode(p []int32, s, k int) [][]int32 {
	x := labelled(s)
	maps := []grid{x, x.transpose(), x.rot90(1), x.rot90(1).transpose()}
	out := make([][]int32, k)
	for b := 0; b < k/2; b++ {
		out[b] = gather(maps[b].flatten(), p)
		out[k/2+b] = reversed(out[b])
	}
	return out
}

// bruteDecode replays SS2D step 6 for one direction: un-reverse, scatter with
// the order, then undo the transform.
func bruteDecode(seq, p []int32, s, k, dir int) grid {
	b := dir
	if dir >= k/2 {
		b, seq = dir-k/2, reversed(seq)
	}
	m := unflatten(scatter(seq, p), s)
	switch b {
	case 1:
		m = m.transpose()
	case 2:
		m = m.rot90(3)
	case 3:
		m = m.transpose().rot90(3)
	}
	return m
}

func TestDirectionsMatchLiteralOps(t *testing.T) {
	for _, o := range allOrders {
		for _, s := range []int{4, 8, 16} {
			for _, k := range []int{2, 4, 8} {
				checkDirections(t, o, s, k)
			}
		}
	}
}

func checkDirections(t *testing.T, o Order, s, k int) {
	t.Helper()
	d, err := NewDirections(o, s, k)
	if err != nil {
		t.Fatal(err)
	}
	if d.K != k || d.Side != s || len(d.Idx) != k {
		t.Fatalf("%v s=%d k=%d: got K=%d Side=%d len=%d", o, s, k, d.K, d.Side, len(d.Idx))
	}
	p, _ := Indices(o, s)
	want := bruteEncode(p, s, k)
	for dir := range want {
		if !slices.Equal(d.Idx[dir], want[dir]) {
			t.Fatalf("%v s=%d k=%d dir %d: encode\n got %v\nwant %v", o, s, k, dir, d.Idx[dir], want[dir])
		}
		// A sequence carrying a distinct label per position must be merged by
		// the scatter through Idx exactly as the literal inverse operations do.
		seq := reversed(sweep(s))
		lit := bruteDecode(seq, p, s, k, dir).flatten()
		if got := scatter(seq, d.Idx[dir]); !slices.Equal(got, lit) {
			t.Fatalf("%v s=%d k=%d dir %d: decode\n got %v\nwant %v", o, s, k, dir, got, lit)
		}
	}
}

// The rot90 convention itself: the README's formula and a known 2×2 case.
func TestRot90Convention(t *testing.T) {
	g := labelled(2) // [[0 1] [2 3]]
	if got := g.rot90(1).flatten(); !slices.Equal(got, []int32{1, 3, 0, 2}) {
		t.Fatalf("rot90 of [[0 1] [2 3]] = %v, want [1 3 0 2]", got)
	}
	if got := g.rot90(1).rot90(3).flatten(); !slices.Equal(got, g.flatten()) {
		t.Fatalf("rot90(3) does not undo rot90(1): %v", got)
	}
}

func TestNewDirectionsErrors(t *testing.T) {
	if _, err := NewDirections(Sweep, 4, 3); err == nil {
		t.Error("K=3 gave no error")
	}
	if _, err := NewDirections(Hilbert, 6, 4); err == nil {
		t.Error("hilbert side 6 gave no error")
	}
}
