package ops

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Permutations used by the SS2D scans. All work on rows of contiguous data
// (for SS2D: (B·D) rows of L = H·W positions).

// Gather computes dst[r, j] = src[r, idx[j]] for each of rows rows; dst is
// (rows, len(idx)), overwritten, and src is (rows, cols) with cols =
// len(src)/rows. It is the scan "encode"; its backward is ScatterAdd with
// the same idx. Every index must lie in [0, cols) (checked once per call).
func Gather(dst, src []float32, rows int, idx []int32) {
	gather(isa.Best(), dst, src, rows, idx)
}

// ScatterAdd computes dst[r, idx[j]] += src[r, j]: the backward of Gather
// (dst accumulates, as a gradient would). With a permutation idx, Gather
// with the inverse permutation is the overwriting "decode".
func ScatterAdd(dst, src []float32, rows int, idx []int32) {
	scatterAdd(isa.Best(), dst, src, rows, idx)
}

func gather(l isa.Level, dst, src []float32, rows int, idx []int32) {
	cols := checkIndexed("Gather", src, dst, rows, idx)
	f := permKernelsFor(l).gather
	if rows <= rowGrain(len(idx)) {
		f(dst, src, rows, cols, idx)
		return
	}
	parallel.For(rows, rowGrain(len(idx)), func(lo, hi int) {
		f(dst[lo*len(idx):hi*len(idx)], src[lo*cols:hi*cols], hi-lo, cols, idx)
	})
}

func scatterAdd(l isa.Level, dst, src []float32, rows int, idx []int32) {
	cols := checkIndexed("ScatterAdd", dst, src, rows, idx)
	f := permKernelsFor(l).scatterAdd
	if rows <= rowGrain(len(idx)) {
		f(dst, src, rows, cols, idx)
		return
	}
	parallel.For(rows, rowGrain(len(idx)), func(lo, hi int) {
		f(dst[lo*cols:hi*cols], src[lo*len(idx):hi*len(idx)], hi-lo, cols, idx)
	})
}

// checkIndexed validates an indexed copy between wide (rows, cols) and
// narrow (rows, len(idx)) and returns cols.
func checkIndexed(fn string, wide, narrow []float32, rows int, idx []int32) int {
	checkDims(fn, rows)
	if rows == 0 {
		if !(len(wide) == 0 && len(narrow) == 0) {
			fail("%s: zero rows but non-empty data", fn)
		}
		return 0
	}
	if !(len(wide)%rows == 0) {
		fail("%s: %d elements do not split into %d rows", fn, len(wide), rows)
	}
	checkLen(fn, "the indexed output/input", narrow, rows*len(idx))
	cols := len(wide) / rows
	for j, v := range idx {
		if v < 0 || int(v) >= cols {
			panic(fmt.Sprintf("ops: %s: idx[%d] = %d outside [0, %d)", fn, j, v, cols))
		}
	}
	return cols
}

type permKernels struct {
	gather     func(dst, src []float32, rows, cols int, idx []int32)
	scatterAdd func(dst, src []float32, rows, cols int, idx []int32)
	transpose  func(dst, src []float32, rows, cols, r0, r1, c0, c1 int)
}

var permGo = permKernels{gather: gatherGo, scatterAdd: scatterAddGo, transpose: transposeBlockGo}

func gatherGo(dst, src []float32, rows, cols int, idx []int32) {
	l := len(idx)
	for r := 0; r < rows; r++ {
		s, d := src[r*cols:(r+1)*cols], dst[r*l:(r+1)*l]
		for j, i := range idx {
			d[j] = s[i]
		}
	}
}

func scatterAddGo(dst, src []float32, rows, cols int, idx []int32) {
	l := len(idx)
	for r := 0; r < rows; r++ {
		d, s := dst[r*cols:(r+1)*cols], src[r*l:(r+1)*l]
		for j, i := range idx {
			d[i] += s[j]
		}
	}
}

// Transpose writes dst[b, c, r] = src[b, r, c] for batch matrices of
// rows × cols (NHWC ↔ NCHW, or swapping H and W). dst must not overlap src.
func Transpose(dst, src []float32, batch, rows, cols int) {
	transpose(isa.Best(), dst, src, batch, rows, cols)
}

// transposeTile is the cache block: a 64×64 float32 tile of each side is
// 16 KB, so source and destination tiles fit L1 together.
const transposeTile = 64

func transpose(l isa.Level, dst, src []float32, batch, rows, cols int) {
	const fn = "Transpose"
	checkDims(fn, batch, rows, cols)
	n := rows * cols
	checkLen(fn, "src", src, batch*n)
	checkLen(fn, "dst", dst, batch*n)
	if n == 0 || batch == 0 {
		return
	}
	f := permKernelsFor(l).transpose
	tr, tc := (rows+transposeTile-1)/transposeTile, (cols+transposeTile-1)/transposeTile
	tiles := batch * tr * tc
	parallel.For(tiles, max(1, 4096/(min(rows, transposeTile)*min(cols, transposeTile))), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			b, rest := t/(tr*tc), t%(tr*tc)
			r0, c0 := rest%tr*transposeTile, rest/tr*transposeTile
			f(dst[b*n:(b+1)*n], src[b*n:(b+1)*n], rows, cols, r0, min(r0+transposeTile, rows), c0, min(c0+transposeTile, cols))
		}
	})
}

// transposeBlockGo transposes the tile rows [r0, r1) × cols [c0, c1) of one
// rows × cols matrix.
func transposeBlockGo(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	for c := c0; c < c1; c++ {
		d := dst[c*rows+r0 : c*rows+r1]
		for i := range d {
			d[i] = src[(r0+i)*cols+c]
		}
	}
}

// Rot90 rotates each of batch (h, w) planes by k·90° counter-clockwise, as
// torch.rot90(x, k, dims=(H, W)); k is taken mod 4. For odd k the output
// planes are (w, h). k = 1 gives out[i, j] = in[j, w−1−i]; k = 3 (the
// inverse, clockwise) gives out[i, j] = in[h−1−j, i]. dst must not overlap
// src. The backward of Rot90(k) is Rot90(4−k) on the output's shape.
func Rot90(dst, src []float32, batch, h, w, k int) {
	const fn = "Rot90"
	checkDims(fn, batch, h, w)
	n := h * w
	checkLen(fn, "src", src, batch*n)
	checkLen(fn, "dst", dst, batch*n)
	k = ((k % 4) + 4) % 4
	if k == 0 {
		copy(dst, src)
		return
	}
	if k == 2 {
		parallel.For(batch, max(1, 16384/max(n, 1)), func(lo, hi int) {
			for b := lo; b < hi; b++ {
				d, s := dst[b*n:(b+1)*n], src[b*n:(b+1)*n]
				for i := range d {
					d[i] = s[n-1-i]
				}
			}
		})
		return
	}
	// k = 1 is a transpose followed by reversing the row order; k = 3 is a
	// transpose followed by reversing each row.
	Transpose(dst, src, batch, h, w)
	if k == 1 {
		parallel.For(batch, max(1, 16384/max(n, 1)), func(lo, hi int) {
			for b := lo; b < hi; b++ {
				reverseRows(dst[b*n:(b+1)*n], w, h)
			}
		})
		return
	}
	Reverse(dst, dst, batch*w, h)
}

// reverseRows reverses the order of the rows of an (rows, cols) plane in
// place.
func reverseRows(p []float32, rows, cols int) {
	for i, j := 0, rows-1; i < j; i, j = i+1, j-1 {
		a, b := p[i*cols:(i+1)*cols], p[j*cols:(j+1)*cols]
		for c := range a {
			a[c], b[c] = b[c], a[c]
		}
	}
}

// Reverse reverses each of rows rows of cols values into dst (the flipped
// scan directions). dst may be src itself (in place) but must not partially
// overlap it. Reverse is its own backward.
func Reverse(dst, src []float32, rows, cols int) {
	const fn = "Reverse"
	checkDims(fn, rows, cols)
	checkLen(fn, "src", src, rows*cols)
	checkLen(fn, "dst", dst, rows*cols)
	parallel.For(rows, rowGrain(cols), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s, d := src[r*cols:(r+1)*cols], dst[r*cols:(r+1)*cols]
			for i, j := 0, cols-1; i <= j; i, j = i+1, j-1 {
				d[i], d[j] = s[j], s[i]
			}
		}
	})
}
