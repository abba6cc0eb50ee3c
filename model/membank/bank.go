// Package membank is a PatchCore-style memory bank over the frozen
// encoder's features: locally averaged layer-2 and layer-3 patch vectors of
// normal training images (Embed), one bank for all classes, thinned by
// greedy k-center coreset selection on a random projection (Builder), and
// nearest-neighbour distances computed as GEMMs on mambaad's own kernels
// (Bank.Nearest). A patch far from every normal patch is anomalous.
package membank

import (
	"fmt"
	"math"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/parallel"
)

// Bank is a set of normal patch vectors.
type Bank struct {
	Dim int
	Vec []float32 // Len()×Dim
	sq  []float32 // squared norms of the rows
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

// Block sizes of Nearest: a block of query rows against a block of bank
// rows is one GEMM whose product (rowBlock×colBlock floats, 4 MB) stays in
// the last-level cache while it is reduced.
const (
	rowBlock = 1024
	colBlock = 1024
)

// Nearest writes, for each of the rows query vectors q (rows×Dim), its
// Euclidean distance to the nearest bank vector into out. The search
// expands the squared distance as |q|² + |b|² − 2·q·b so that the dot
// products are one GEMM per block; the distance to the vector found is then
// computed directly, free of that expansion's cancellation. The result does
// not depend on the thread count.
func (b *Bank) Nearest(q []float32, rows int, out []float32) {
	d := b.Dim
	if len(q) < rows*d || len(out) < rows {
		panic(fmt.Sprintf("membank: Nearest of %d rows of %d needs %d values and %d outputs", rows, d, rows*d, rows))
	}
	m := b.Len()
	tmp := make([]float32, min(rows, rowBlock)*min(m, colBlock))
	best := make([]float32, min(rows, rowBlock))
	arg := make([]int, min(rows, rowBlock))
	for r0 := 0; r0 < rows; r0 += rowBlock {
		rb := min(rowBlock, rows-r0)
		for i := range best[:rb] {
			best[i], arg[i] = float32(math.Inf(1)), 0
		}
		for c0 := 0; c0 < m; c0 += colBlock {
			cb := min(colBlock, m-c0)
			gemm.Sgemm(false, true, rb, cb, d, -2, q[r0*d:], d, b.Vec[c0*d:], d, 0, tmp, cb)
			sq := b.sq[c0 : c0+cb]
			parallel.For(rb, 64, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					row := tmp[i*cb : (i+1)*cb]
					v, a := best[i], arg[i]
					for j, t := range row {
						if s := t + sq[j]; s < v {
							v, a = s, c0+j
						}
					}
					best[i], arg[i] = v, a
				}
			})
		}
		parallel.For(rb, 64, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				x := q[(r0+i)*d : (r0+i+1)*d]
				out[r0+i] = float32(math.Sqrt(float64(sqDist(x, b.Vec[arg[i]*d:(arg[i]+1)*d]))))
			}
		})
	}
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
