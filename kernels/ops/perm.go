package ops

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// Permutations used by the SS2D scans. All work on rows of contiguous data
// (for SS2D: (B·D) rows of L = H·W positions).

type permKernels struct {
	transpose func(dst, src []float32, rows, cols, r0, r1, c0, c1 int)
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
