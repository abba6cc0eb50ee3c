package ops

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// AddRowVector computes y[r, :] = x[r, :] + v for every row r of a (rows,
// cols) matrix: a bias added to channels-last tokens. y may alias x.
func AddRowVector(x, v, y []float32, rows, cols int) {
	const fn = "AddRowVector"
	checkDims(fn, rows, cols)
	checkLen(fn, "x", x, rows*cols)
	checkLen(fn, "y", y, rows*cols)
	checkLen(fn, "v", v, cols)
	add := ewKernelsFor(isa.Best()).add
	forBlocks(rows, max(1, elemGrain/max(cols, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			add(x[r*cols:(r+1)*cols], v, y[r*cols:(r+1)*cols])
		}
	})
}

// SumRows adds the sum of the rows of a (rows, cols) matrix to acc (cols):
// the bias gradient of channels-last tokens. The rows are summed in fixed
// blocks (set by the shape alone), each block's sum added to acc in block
// order, so the bits do not depend on the worker count.
func SumRows(x []float32, rows, cols int, acc []float32) {
	const fn = "SumRows"
	checkDims(fn, rows, cols)
	checkLen(fn, "x", x, rows*cols)
	checkLen(fn, "acc", acc, cols)
	addTo := ewKernelsFor(isa.Best()).addTo
	g := max(1, elemGrain/max(cols, 1))
	nb := (rows + g - 1) / g
	if nb <= 1 {
		for r := 0; r < rows; r++ {
			addTo(x[r*cols:(r+1)*cols], acc)
		}
		return
	}
	part := make([]float32, nb*cols)
	parallel.For(nb, 1, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			p := part[b*cols : (b+1)*cols]
			for r := b * g; r < min((b+1)*g, rows); r++ {
				addTo(x[r*cols:(r+1)*cols], p)
			}
		}
	})
	for b := 0; b < nb; b++ {
		addTo(part[b*cols:(b+1)*cols], acc)
	}
}

// SumPlanes adds, for every channel c of an (n, c, hw) tensor, the sum of
// its n planes to acc[c]: the bias gradient of an NCHW convolution. Each
// channel is summed by one worker, image by image in order, so the bits do
// not depend on the worker count.
func SumPlanes(x []float32, n, c, hw int, acc []float32) {
	const fn = "SumPlanes"
	checkDims(fn, n, c, hw)
	checkLen(fn, "x", x, n*c*hw)
	checkLen(fn, "acc", acc, c)
	parallel.For(c, max(1, elemGrain/max(n*hw, 1)), func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			s := acc[ch]
			for i := 0; i < n; i++ {
				s += sum8(x[(i*c+ch)*hw : (i*c+ch+1)*hw])
			}
			acc[ch] = s
		}
	})
}
