package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func parseMask(rows ...string) ([]uint8, int, int) {
	h, w := len(rows), len(rows[0])
	m := make([]uint8, 0, h*w)
	for _, r := range rows {
		for _, ch := range r {
			if ch == '#' {
				m = append(m, 1)
			} else {
				m = append(m, 0)
			}
		}
	}
	return m, h, w
}

func TestLabelShapes(t *testing.T) {
	cases := []struct {
		name  string
		rows  []string
		areas []int64 // sorted
	}{
		{"empty", []string{"....", "...."}, nil},
		{"single pixels", []string{"#.#", "...", "#.#"}, []int64{1, 1, 1, 1}},
		{"diagonal scratch", []string{"#...", ".#..", "..#.", "...#"}, []int64{4}},
		{"anti-diagonal", []string{"...#", "..#.", ".#..", "#..."}, []int64{4}},
		{"U shape merges late", []string{"#.#", "#.#", "###"}, []int64{7}},
		{"two runs joined below", []string{"##.##", "..#..", "....."}, []int64{5}},
		{"gap of two columns", []string{"#..#", "#..#"}, []int64{2, 2}},
		{"full", []string{"##", "##"}, []int64{4}},
		{"spiral", []string{"#####", "....#", "###.#", "#...#", "#####"}, []int64{17}},
	}
	var l labeler
	for _, c := range cases {
		m, h, w := parseMask(c.rows...)
		_, areas := l.label(m, h, w)
		got := slices.Clone(areas)
		slices.Sort(got)
		if !slices.Equal(got, c.areas) {
			t.Errorf("%s: areas %v, want %v", c.name, got, c.areas)
		}
	}
}

// TestLabelMatchesFloodFill compares the run-based labelling with a
// pixel-by-pixel breadth-first search on random masks: same partition.
func TestLabelMatchesFloodFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var l labeler
	for trial := range 300 {
		h, w := 1+rng.IntN(20), 1+rng.IntN(20)
		m := make([]uint8, h*w)
		density := rng.Float64()
		for i := range m {
			if rng.Float64() < density {
				m[i] = uint8(1 + rng.IntN(255))
			}
		}
		runs, areas := l.label(m, h, w)
		want, n := floodComponents(m, h, w)
		if len(areas) != n {
			t.Fatalf("trial %d: %d components, flood fill finds %d", trial, len(areas), n)
		}
		got := make([]int, h*w)
		for i := range got {
			got[i] = -1
		}
		for _, r := range runs {
			for c := r.start; c < r.end; c++ {
				got[int(r.row)*w+int(c)] = int(r.comp)
			}
		}
		fwd, back := map[int]int{}, map[int]int{}
		for p := range got {
			g, f := got[p], want[p]
			if (g < 0) != (f < 0) {
				t.Fatalf("trial %d: pixel %d foreground mismatch", trial, p)
			}
			if g < 0 {
				continue
			}
			if x, ok := fwd[g]; ok && x != f {
				t.Fatalf("trial %d: component %d spans flood-fill components %d and %d", trial, g, x, f)
			}
			if x, ok := back[f]; ok && x != g {
				t.Fatalf("trial %d: flood-fill component %d split into %d and %d", trial, f, x, g)
			}
			fwd[g], back[f] = f, g
		}
	}
}
