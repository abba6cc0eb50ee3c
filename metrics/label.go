package metrics

// Connected components of a binary mask with 8-connectivity, which is what
// skimage.measure.label uses by default for 2-D images and therefore what
// both ADer and the MVTec AD evaluation count as one defect region. A thin
// diagonal scratch is one region under 8-connectivity but many under 4.
//
// The labelling works on runs (maximal horizontal stretches of foreground),
// not pixels: masks are mostly background, a run costs one union-find node,
// and two runs on adjacent rows touch under 8-connectivity exactly when their
// column ranges, each widened by one, overlap.

// run is the columns [start, end) of row row, in component comp.
type run struct {
	row, start, end int32
	comp            int32
}

// labeler keeps its buffers between images to avoid garbage per image.
type labeler struct {
	runs   []run
	parent []int32
	remap  []int32
	areas  []int64
}

// label finds the components of mask (h×w, nonzero = foreground). It returns
// the runs with comp set to a component index in [0, n), ordered by row and
// column, and the area of each component. The slices are reused by the next
// call.
func (l *labeler) label(mask []uint8, h, w int) ([]run, []int64) {
	l.runs = l.runs[:0]
	l.parent = l.parent[:0]
	prevLo, prevHi := 0, 0 // runs of the previous row: l.runs[prevLo:prevHi]
	for r := 0; r < h; r++ {
		row := mask[r*w : (r+1)*w]
		curLo := len(l.runs)
		j := prevLo
		for c := 0; c < w; {
			if row[c] == 0 {
				c++
				continue
			}
			s := c
			for c < w && row[c] != 0 {
				c++
			}
			id := int32(len(l.parent))
			l.parent = append(l.parent, id)
			// Skip previous-row runs that end before this run's widened start.
			for j < prevHi && int(l.runs[j].end) < s {
				j++
			}
			for k := j; k < prevHi && int(l.runs[k].start) <= c; k++ {
				l.union(id, l.runs[k].comp)
			}
			l.runs = append(l.runs, run{row: int32(r), start: int32(s), end: int32(c), comp: id})
		}
		prevLo, prevHi = curLo, len(l.runs)
	}
	return l.runs, l.finish()
}

// finish replaces every run's node by a dense component index and sums the
// areas.
func (l *labeler) finish() []int64 {
	l.remap = l.remap[:0]
	for range l.parent {
		l.remap = append(l.remap, -1)
	}
	l.areas = l.areas[:0]
	for i := range l.runs {
		root := l.find(l.runs[i].comp)
		if l.remap[root] < 0 {
			l.remap[root] = int32(len(l.areas))
			l.areas = append(l.areas, 0)
		}
		c := l.remap[root]
		l.runs[i].comp = c
		l.areas[c] += int64(l.runs[i].end - l.runs[i].start)
	}
	return l.areas
}

func (l *labeler) find(x int32) int32 {
	for l.parent[x] != x {
		l.parent[x] = l.parent[l.parent[x]] // path halving
		x = l.parent[x]
	}
	return x
}

func (l *labeler) union(a, b int32) {
	ra, rb := l.find(a), l.find(b)
	if ra == rb {
		return
	}
	if ra < rb { // keep the older node as root; any rule works
		ra, rb = rb, ra
	}
	l.parent[ra] = rb
}
