package nn

import "github.com/mambaad/mambaad/kernels/gemm"

// Linear is y = x·Wᵀ (+ b) over rows of a row-major (rows, In) matrix, with
// W stored (Out, In) as in PyTorch.
type Linear struct {
	In, Out int
	W, B    *Param // B is nil without bias

	x    []float32 // input of the last Forward (by reference)
	rows int
	y    []float32
}

// NewLinear returns a zero-initialised linear layer named like PyTorch's
// (name.weight, name.bias).
func NewLinear(name string, in, out int, bias bool) *Linear {
	l := &Linear{In: in, Out: out, W: NewParam(name+".weight", out, in)}
	if bias {
		l.B = NewParam(name+".bias", out)
	}
	return l
}

// Params returns weight (and bias).
func (l *Linear) Params() []*Param {
	if l.B != nil {
		return []*Param{l.W, l.B}
	}
	return []*Param{l.W}
}

// Forward computes y (rows, Out) from x (rows, In).
func (l *Linear) Forward(x []float32, rows int) []float32 {
	l.x, l.rows = x, rows
	l.y = ensure(l.y, rows*l.Out)
	gemm.Sgemm(false, true, rows, l.Out, l.In, 1, x, l.In, l.W.W, l.In, 0, l.y, l.Out)
	if l.B != nil {
		addRowBias(l.y, rows, l.Out, l.B.W)
	}
	return l.y
}

// Release drops the output and the input reference kept for Backward, so
// that an idle layer holds no activation memory.
func (l *Linear) Release() { l.x, l.y = nil, nil }

// Backward accumulates dW += dyᵀ·x (and db += Σ dy) and returns dx = dy·W.
func (l *Linear) Backward(dy []float32) []float32 {
	rows := l.rows
	if l.W.G != nil {
		gemm.Sgemm(true, false, l.Out, l.In, rows, 1, dy, l.Out, l.x, l.In, 1, l.W.G, l.In)
	}
	if l.B != nil && l.B.G != nil {
		sumRowsInto(l.B.G, dy, rows, l.Out)
	}
	dx := GetScratch(rows * l.In)
	gemm.Sgemm(false, false, rows, l.In, l.Out, 1, dy, l.Out, l.W.W, l.In, 0, dx, l.In)
	return dx
}

// addRowBias adds b to every row of y (rows, cols).
func addRowBias(y []float32, rows, cols int, b []float32) {
	for r := 0; r < rows; r++ {
		row := y[r*cols : (r+1)*cols]
		for j, v := range b {
			row[j] += v
		}
	}
}

// sumRowsInto accumulates the column sums of x (rows, cols) into acc.
func sumRowsInto(acc, x []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		row := x[r*cols : (r+1)*cols]
		for j, v := range row {
			acc[j] += v
		}
	}
}
