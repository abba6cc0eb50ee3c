package membank

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/parallel"
)

// Options control how a bank is built.
type Options struct {
	// Fraction is the share of training patches kept (PatchCore: 0.01–0.1;
	// 0.001 is the memory-bank baseline of ../shared/data).
	Fraction float64
	// MaxRows caps the bank (0: no cap), bounding inference time and size.
	MaxRows int
	// ProjDim is the random projection's width used to measure distances
	// while selecting (PatchCore uses 128).
	ProjDim int
	// Seed fixes the projection and the first centre.
	Seed uint64
}

// DefaultOptions are the values the memory method uses.
func DefaultOptions() Options {
	return Options{Fraction: 0.01, MaxRows: 16384, ProjDim: 128, Seed: 1}
}

// Builder makes a bank in two passes over the training patches: Add every
// patch, Select the coreset, then Fill the selected patches at full width,
// and take the Bank.
//
// Selection has two stages so that it takes seconds, not hours, on a
// million patches: Add thins each group of groupRows consecutive patches
// (about one image) greedily to a tenth (or ten times the final fraction,
// if that is more), keeping only the survivors' projections; Select then
// runs the greedy k-center over the survivors of all groups.
type Builder struct {
	dim  int
	o    Options
	proj []float32 // dim × ProjDim Gaussian projection, scaled by 1/√ProjDim
	rows int       // patches added
	// pend holds the projections of the current, incomplete group.
	pend []float32
	// cand and candRow are the first stage's survivors: projections and
	// global rows, in ascending row order.
	cand    []float32
	candRow []int
	sel     []int     // selected rows, ascending
	vec     []float32 // filled rows, len(sel)×dim
	got     []bool
}

// stage1Keep is the least share of each group the first stage keeps.
// Keeping less thins the candidates too coarsely: on the three real
// classes of ../shared/data a 0.1 % bank chosen from 1 % per image scored
// image AUROC 56 on ball_screw, from 10 % per image 93 (4096 patches).
const stage1Keep = 0.1

// groupRows is the first stage's group: 1024 patches are one image's at
// 256² (a 32×32 layer-2 grid).
const groupRows = 1024

// NewBuilder prepares a bank of dim-wide patch vectors.
func NewBuilder(dim int, o Options) (*Builder, error) {
	if dim < 1 || o.ProjDim < 1 || !(o.Fraction > 0 && o.Fraction <= 1) || o.MaxRows < 0 {
		return nil, fmt.Errorf("membank: invalid options %+v for %d-wide patches", o, dim)
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x70726f6a)) // "proj"
	p := make([]float32, dim*o.ProjDim)
	s := 1 / math.Sqrt(float64(o.ProjDim))
	for i := range p {
		p[i] = float32(r.NormFloat64() * s)
	}
	return &Builder{dim: dim, o: o, proj: p}, nil
}

// Add projects rows patch vectors (rows×dim) and thins every group they
// complete.
func (b *Builder) Add(patches []float32, rows int) {
	if b.sel != nil {
		panic("membank: Add after Select")
	}
	k := b.o.ProjDim
	start := len(b.pend) / k
	b.pend = slices.Grow(b.pend, rows*k)[:(start+rows)*k]
	gemm.Sgemm(false, false, rows, k, b.dim, 1, patches, b.dim, b.proj, k, 0, b.pend[start*k:], k)
	b.rows += rows
	if full := (start + rows) / groupRows; full > 0 {
		b.thin(full * groupRows)
	}
}

// thin runs the first stage on the first n pending rows (whole groups, or
// the last partial one) and keeps the rest pending.
func (b *Builder) thin(n int) {
	k := b.o.ProjDim
	first := b.rows - len(b.pend)/k // global row of pend[0]
	groups := (n + groupRows - 1) / groupRows
	keep := make([][]int, groups)
	f1 := min(1, max(stage1Keep, 10*b.o.Fraction))
	parallel.Run(groups, func(g int) {
		lo, hi := g*groupRows, min(n, (g+1)*groupRows)
		m := max(1, int(math.Ceil(f1*float64(hi-lo))))
		keep[g] = greedy(b.pend[lo*k:hi*k], k, hi-lo, m, 0, nil)
		for i := range keep[g] {
			keep[g][i] += lo
		}
	})
	for _, ks := range keep {
		slices.Sort(ks)
		for _, r := range ks {
			b.cand = append(b.cand, b.pend[r*k:(r+1)*k]...)
			b.candRow = append(b.candRow, first+r)
		}
	}
	b.pend = append(b.pend[:0], b.pend[n*k:]...)
}

// Rows is the number of patches added.
func (b *Builder) Rows() int { return b.rows }

// Size is the number of patches the bank will keep.
func (b *Builder) Size() int {
	m := int(math.Ceil(b.o.Fraction * float64(b.rows)))
	if b.o.MaxRows > 0 {
		m = min(m, b.o.MaxRows)
	}
	return max(1, min(m, b.rows))
}

// chunk is the fixed work unit of the selection loop; per-chunk maxima are
// combined in chunk order, so the choice never depends on the thread count.
const chunk = 2048

// Select chooses the coreset greedily (k-center): from a seeded random
// first patch, repeatedly the patch farthest from all chosen ones, with
// distances measured between projections. It returns the chosen rows in
// ascending order.
func (b *Builder) Select(ctx context.Context) ([]int, error) {
	if b.rows == 0 {
		return nil, fmt.Errorf("membank: no patches to select from")
	}
	if len(b.pend) > 0 {
		b.thin(len(b.pend) / b.o.ProjDim)
	}
	n := len(b.candRow)
	m := min(b.Size(), n)
	r := rand.New(rand.NewPCG(b.o.Seed, 0x73746172)) // "star"
	idx := greedy(b.cand, b.o.ProjDim, n, m, r.IntN(n), ctx.Err)
	if idx == nil {
		return nil, ctx.Err()
	}
	chosen := make([]int, len(idx))
	for i, c := range idx {
		chosen[i] = b.candRow[c]
	}
	slices.Sort(chosen)
	b.sel = chosen
	b.vec = make([]float32, len(chosen)*b.dim)
	b.got = make([]bool, len(chosen))
	b.cand, b.candRow = nil, nil // the projections are no longer needed
	return chosen, nil
}

// greedy is the k-center selection of m of the n points pts (n×k): from
// point start, repeatedly the point farthest from all chosen ones. It stops
// early when every point coincides with a chosen one. stop, when not nil, is
// polled now and then; a non-nil result aborts with a nil selection. Large
// sets are scanned in parallel chunks whose maxima are combined in order.
func greedy(pts []float32, k, n, m, start int, stop func() error) []int {
	minD := make([]float32, n)
	for i := range minD {
		minD[i] = float32(math.Inf(1))
	}
	nc := (n + chunk - 1) / chunk
	cmax := make([]float32, nc)
	carg := make([]int, nc)
	chosen := make([]int, 0, m)
	c := make([]float32, k)
	next := start
	for len(chosen) < m {
		if stop != nil && len(chosen)%64 == 0 {
			if stop() != nil {
				return nil
			}
		}
		chosen = append(chosen, next)
		copy(c, pts[next*k:(next+1)*k])
		scan := func(ci int) {
			lo, hi := ci*chunk, min(n, (ci+1)*chunk)
			bm, ba := float32(-1), lo
			for i := lo; i < hi; i++ {
				v := minD[i]
				if d := sqDist(pts[i*k:(i+1)*k], c); d < v {
					v = d
					minD[i] = d
				}
				if v > bm {
					bm, ba = v, i
				}
			}
			cmax[ci], carg[ci] = bm, ba
		}
		if nc == 1 {
			scan(0)
		} else {
			parallel.Run(nc, scan)
		}
		bm := float32(-1)
		for ci := range cmax {
			if cmax[ci] > bm {
				bm, next = cmax[ci], carg[ci]
			}
		}
		if bm <= 0 { // every point coincides with a chosen one
			break
		}
	}
	return chosen
}

// Fill copies the selected ones among rows patches whose first row is
// global row first (the same patches, in the same order, as were added).
func (b *Builder) Fill(first int, patches []float32, rows int) {
	i, _ := slices.BinarySearch(b.sel, first)
	for ; i < len(b.sel) && b.sel[i] < first+rows; i++ {
		r := b.sel[i] - first
		copy(b.vec[i*b.dim:(i+1)*b.dim], patches[r*b.dim:(r+1)*b.dim])
		b.got[i] = true
	}
}

// Bank returns the bank of the selected, filled patches.
func (b *Builder) Bank() (*Bank, error) {
	if b.sel == nil {
		return nil, fmt.Errorf("membank: Bank before Select")
	}
	for i, ok := range b.got {
		if !ok {
			return nil, fmt.Errorf("membank: selected patch %d (row %d) was never filled", i, b.sel[i])
		}
	}
	return New(b.dim, b.vec)
}

func sqDist(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0, d1, d2, d3 := a[i]-b[i], a[i+1]-b[i+1], a[i+2]-b[i+2], a[i+3]-b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}
