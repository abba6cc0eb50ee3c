package nn

import "github.com/mambaad/mambaad/kernels/ops"

// SiLU is x·sigmoid(x), remembering its input for the backward pass.
type SiLU struct{ x, y []float32 }

// Forward applies SiLU to x.
func (l *SiLU) Forward(x []float32) []float32 {
	l.x = x
	l.y = ensure(l.y, len(x))
	ops.SiLU(x, l.y)
	return l.y
}

// Out returns the output of the last Forward.
func (l *SiLU) Out() []float32 { return l.y }

// Backward returns dx.
func (l *SiLU) Backward(dy []float32) []float32 {
	dx := GetScratch(len(l.x))
	ops.SiLUBackward(l.x, dy, dx)
	return dx
}

// ReLU is max(x, 0), remembering its input for the backward pass.
type ReLU struct{ x, y []float32 }

// Forward applies ReLU to x.
func (l *ReLU) Forward(x []float32) []float32 {
	l.x = x
	l.y = ensure(l.y, len(x))
	ops.ReLU(x, l.y)
	return l.y
}

// Backward returns dx.
func (l *ReLU) Backward(dy []float32) []float32 {
	dx := GetScratch(len(l.x))
	ops.ReLUBackward(l.x, dy, dx)
	return dx
}
