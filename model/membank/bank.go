// Package membank is a PatchCore-style memory bank over the frozen
// encoder's features: locally averaged layer-2 and layer-3 patch vectors of
// normal training images (Embed), one bank for all classes, thinned by
// greedy k-center coreset selection on a random projection (Builder), and
// nearest-neighbour distances computed as GEMMs on mambaad's own kernels,
// with bfloat16 products re-ranked in float32 where the CPU has
// AVX512_BF16 (Bank.Nearest). A patch far from every normal patch is
// anomalous.
package membank

import (
	"fmt"
	"math"
	"sync"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/parallel"
)

// Bank is a set of normal patch vectors.
type Bank struct {
	Dim int
	Vec []float32 // Len()×Dim
	sq  []float32 // squared norms of the rows

	bfOnce sync.Once
	bf     *bf16Bank // the bank in bf16 pairs, made by pairs on first use
}

// New wraps rows of dim values as a bank.
func New(dim int, vec []float32) (*Bank, error) {
	if dim < 1 || len(vec) == 0 || len(vec)%dim != 0 {
		return nil, fmt.Errorf("membank: %d values do not make rows of %d", len(vec), dim)
	}
	b := &Bank{Dim: dim, Vec: vec, sq: make([]float32, len(vec)/dim)}
	parallel.For(len(b.sq), 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			b.sq[i] = dot(vec[i*dim:(i+1)*dim], vec[i*dim:(i+1)*dim])
		}
	})
	return b, nil
}

// Len is the number of patches in the bank.
func (b *Bank) Len() int { return len(b.sq) }

// The search of Nearest. Queries are split into blocks of queryBlock rows
// (sixteen 14-row tiles of the AVX-512 kernels), which run in parallel; each
// block is multiplied by the bank bankChunk rows at a time, and the product
// (queryBlock×bankChunk floats, 0.9 MB) is reduced while it is still in the
// core's L2 cache, keeping per query the best few rows (candidates) by
// the expanded distance |b|² − 2·q·b. The candidates are then re-ranked by
// their exact distance. A query's result depends only on its own row and
// on the fixed order of the chunks, never on the thread count.
const (
	queryBlock = 224
	bankChunk  = 1024
	candidates = 4
)

// Nearest writes, for each of the rows query vectors q (rows×Dim), its
// Euclidean distance to the nearest bank vector into out.
//
// The search expands the squared distance as |q|² + |b|² − 2·q·b so that
// the dot products are GEMMs, keeps the 4 best bank rows per query by that
// expansion, and re-ranks them by the distance computed directly (free of
// the expansion's cancellation): the row chosen is the one of least exact
// float32 squared distance among them (the lowest index on a tie) and its
// distance is what out receives. On CPUs with AVX512_BF16 (gemm.BF16
// effective) the candidates come from bfloat16 products — the distance
// between the queries and bank rows rounded to bfloat16, whose error
// shrinks with the distance itself — so a row other than the exact
// nearest can be chosen only in a near-tie, and out is still the exact
// distance of the row chosen. Elsewhere the products are float32. The
// result does not depend on the thread count.
func (b *Bank) Nearest(q []float32, rows int, out []float32) {
	b.search(q, rows, out, nil)
}

// search is Nearest that also writes the index of each query's chosen row
// into idx (when not nil).
func (b *Bank) search(q []float32, rows int, out []float32, idx []int) {
	d := b.Dim
	if len(q) < rows*d || len(out) < rows || (idx != nil && len(idx) < rows) {
		panic(fmt.Sprintf("membank: Nearest of %d rows of %d needs %d values and %d outputs", rows, d, rows*d, rows))
	}
	var bf *bf16Bank
	if gemm.BF16.Effective() == gemm.BF16 {
		bf = b.pairs()
	}
	parallel.Run((rows+queryBlock-1)/queryBlock, func(blk int) {
		r0 := blk * queryBlock
		rb := min(queryBlock, rows-r0)
		s := scratchPool.Get().(*scratch)
		defer scratchPool.Put(s)
		b.searchBlock(bf, q[r0*d:(r0+rb)*d], rb, out[r0:r0+rb], s)
		if idx != nil {
			copy(idx[r0:r0+rb], s.chosen[:rb])
		}
	})
}

// searchBlock is search over one block of rb ≤ queryBlock queries.
func (b *Bank) searchBlock(bf *bf16Bank, q []float32, rb int, out []float32, s *scratch) {
	d, m := b.Dim, b.Len()
	score, cand := s.score[:rb*candidates], s.cand[:rb*candidates]
	for i := range score {
		score[i], cand[i] = float32(math.Inf(1)), -1
	}
	var qp []float32
	if bf != nil {
		if len(s.qp) < rb*bf.k2 {
			s.qp = make([]float32, queryBlock*bf.k2)
		}
		qp = s.qp[:rb*bf.k2]
		gemm.ToPairs(qp, bf.k2, q, d, rb, d)
	}
	for c0 := 0; c0 < m; c0 += bankChunk {
		cb := min(bankChunk, m-c0)
		tmp := s.tmp[:rb*cb]
		var sq []float32
		if bf != nil {
			off := c0 / bankChunk * bf.k2 * bf.ld
			gemm.SgemmPairs(false, false, rb, cb, bf.k2, -2, qp, bf.k2, bf.pairs[off:], bf.ld, 0, tmp, cb)
			sq = bf.sq[c0 : c0+cb]
		} else {
			gemm.Sgemm(false, true, rb, cb, d, -2, q, d, b.Vec[c0*d:], d, 0, tmp, cb)
			sq = b.sq[c0 : c0+cb]
		}
		for i := 0; i < rb; i++ {
			best((*[candidates]float32)(score[i*candidates:]), (*[candidates]int32)(cand[i*candidates:]), tmp[i*cb:(i+1)*cb], sq, int32(c0))
		}
	}
	for i := 0; i < rb; i++ {
		x := q[i*d : (i+1)*d]
		arg, e := 0, float32(math.Inf(1))
		for _, j := range cand[i*candidates : (i+1)*candidates] {
			if j < 0 {
				continue
			}
			if v := sqDist(x, b.Vec[int(j)*d:(int(j)+1)*d]); v < e || (v == e && int(j) < arg) {
				arg, e = int(j), v
			}
		}
		if math.IsInf(float64(e), 1) { // no candidate (NaN scores): row 0
			arg, e = 0, sqDist(x, b.Vec[:d])
		}
		out[i] = float32(math.Sqrt(float64(e)))
		s.chosen[i] = arg
	}
}

// best merges the scores t[j] + sq[j] of bank rows base+j into the sorted
// candidates (v, a): a score enters only below the worst kept, so among
// equal scores the lowest row stays.
func best(v *[candidates]float32, a *[candidates]int32, t, sq []float32, base int32) {
	sq = sq[:len(t)]
	for j := 0; ; j++ {
		j += below(t[j:], sq[j:], v[candidates-1])
		if j >= len(t) {
			return
		}
		s := t[j] + sq[j]
		k := candidates - 1
		for ; k > 0 && s < v[k-1]; k-- {
			v[k], a[k] = v[k-1], a[k-1]
		}
		v[k], a[k] = s, base+int32(j)
	}
}

// belowGo is below in plain Go.
func belowGo(t, sq []float32, thr float32) int {
	sq = sq[:len(t)]
	for j, x := range t {
		if x+sq[j] < thr {
			return j
		}
	}
	return len(t)
}

// scratch is one query block's working memory.
type scratch struct {
	tmp    []float32 // queryBlock×bankChunk products
	qp     []float32 // the queries as bf16 pairs
	score  []float32 // queryBlock×candidates
	cand   []int32
	chosen []int
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		tmp:    make([]float32, queryBlock*bankChunk),
		score:  make([]float32, queryBlock*candidates),
		cand:   make([]int32, queryBlock*candidates),
		chosen: make([]int, queryBlock),
	}
}}

// bf16Bank is the bank rounded to bfloat16 for the bf16 search, made once
// on first use: chunk c (bank rows c·bankChunk on) is a k2×bankChunk
// matrix of pair words (row p, column j: the pair 2p, 2p+1 of bank row
// c·bankChunk+j) with row stride ld, read in place by the GEMM; ld is
// padded past a multiple of 4 KB so that the rows do not all fall in the
// same cache sets. sq holds the squared norms of the rounded rows, which
// makes the scores the distances between rounded vectors.
type bf16Bank struct {
	k2, ld int
	pairs  []float32
	sq     []float32
}

func (b *Bank) pairs() *bf16Bank {
	b.bfOnce.Do(func() {
		d, m := b.Dim, b.Len()
		k2 := gemm.Pairs(d)
		bf := &bf16Bank{k2: k2, ld: bankChunk + 16, sq: make([]float32, m)}
		chunks := (m + bankChunk - 1) / bankChunk
		bf.pairs = make([]float32, (chunks-1)*k2*bf.ld+(k2-1)*bf.ld+min(bankChunk, m-(chunks-1)*bankChunk))
		rows := make([]float32, m*k2)
		gemm.ToPairs(rows, k2, b.Vec, d, m, d)
		parallel.For(m, 256, func(lo, hi int) {
			r := make([]float32, 2*k2)
			for j := lo; j < hi; j++ {
				w := rows[j*k2 : (j+1)*k2]
				dst := bf.pairs[j/bankChunk*k2*bf.ld+j%bankChunk:]
				for p, x := range w {
					dst[p*bf.ld] = x
					u := math.Float32bits(x)
					r[2*p], r[2*p+1] = gemm.FromBF16(uint16(u)), gemm.FromBF16(uint16(u>>16))
				}
				bf.sq[j] = dot(r, r)
			}
		})
		b.bf = bf
	})
	return b.bf
}

// dot is a plain dot product with four accumulators.
func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Sigma is the Gaussian blur of the memory bank's anomaly maps (the same
// as the reconstruction maps').
const Sigma = 4

// AnomalyMaps scores n images from their encoder features: every layer-2
// position's distance to the nearest normal patch, resized to size×size
// (bilinear, align_corners=False) and blurred with a Gaussian of σ = sigma
// (0: none). f2 is (n, c2, s2, s2) and f3 (n, c3, s3, s3). The result is
// (n, size, size) float64, as model.AnomalyMaps returns.
func (b *Bank) AnomalyMaps(f2, f3 []float32, n, c2, c3, s2, s3, size int, sigma float64) []float64 {
	d := Dim(c2, c3)
	if d != b.Dim {
		panic(fmt.Sprintf("membank: features of %d+%d channels for a bank of %d", c2, c3, b.Dim))
	}
	hw := s2 * s2
	p := make([]float32, n*hw*d)
	Embed(f2, f3, n, c2, c3, s2, s3, p)
	dist := make([]float32, n*hw)
	b.Nearest(p, n*hw, dist)
	up := make([]float32, n*size*size)
	ops.Bilinear(dist, n, s2, s2, size, size, false, up)
	out := make([]float64, len(up))
	for i, v := range up {
		out[i] = float64(v)
	}
	if sigma > 0 {
		plane := size * size
		parallel.Run(n, func(i int) {
			m := out[i*plane : (i+1)*plane]
			ops.GaussianBlur(m, size, size, sigma, m)
		})
	}
	return out
}
