// Package nn holds mambaad's layers. Each layer pairs an explicit Forward with
// its Backward next to it, in the style of llm.c: Forward computes the output
// into a buffer the layer owns and remembers (by reference) what Backward will
// need; Backward takes the gradient of the output, accumulates the gradients
// of the layer's parameters and returns the gradient of its input.
//
// Conventions: a layer's output lives in a buffer the layer owns, kept for
// its backward pass and overwritten by the next Forward. The input gradient
// that Backward returns comes from the scratch pool (GetScratch) and belongs
// to the caller, who hands it on and returns it with PutScratch once it is
// used: gradients then occupy memory only while they flow through one layer,
// which keeps a training step's peak memory near its activations alone.
// Parameter gradients accumulate (+=) until ZeroGrad, which allows gradient
// accumulation over micro-batches.
package nn

import (
	"fmt"
	"strings"
)

// Param is a named tensor of a model: a trainable parameter (G != nil) or a
// buffer that is saved with the model but not trained (BatchNorm running
// statistics, for example). Name is the PyTorch state_dict key, so weights
// import and export without a translation table.
type Param struct {
	Name  string
	Shape []int
	W     []float32 // values
	G     []float32 // accumulated gradient; nil for buffers and frozen tensors
	// Decay marks tensors that AdamW decays. The reference (ADer) decays every
	// trainable tensor of rank ≥ 2 whose name does not end in ".bias".
	Decay bool
	// Int64 marks tensors the reference stores as int64 (BatchNorm's
	// num_batches_tracked, the scans' index tables); their values are small
	// integers held exactly in W.
	Int64 bool
}

// Numel returns the number of elements a shape holds (1 for a scalar shape).
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nn: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return n
}

// NewParam returns a zero-valued trainable parameter with a gradient buffer.
func NewParam(name string, shape ...int) *Param {
	n := Numel(shape)
	p := &Param{Name: name, Shape: append([]int(nil), shape...), W: make([]float32, n), G: make([]float32, n)}
	p.Decay = len(shape) >= 2 && !strings.HasSuffix(name, ".bias")
	return p
}

// NewBuffer returns a zero-valued non-trainable tensor (no gradient).
func NewBuffer(name string, shape ...int) *Param {
	return &Param{Name: name, Shape: append([]int(nil), shape...), W: make([]float32, Numel(shape))}
}

// Trainable reports whether the tensor has a gradient.
func (p *Param) Trainable() bool { return p.G != nil }

// Freeze drops the gradient buffer so the tensor is no longer trained.
func (p *Param) Freeze() { p.G = nil }

// Numel returns the number of elements.
func (p *Param) Numel() int { return len(p.W) }

// Module is anything that owns parameters. Params returns them in a stable
// order (the reference's state_dict order where it matters).
type Module interface {
	Params() []*Param
}

// ZeroGrad clears the gradients of every trainable parameter.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		clear(p.G)
	}
}

// Trainables returns the parameters that have gradients.
func Trainables(ps []*Param) []*Param {
	var out []*Param
	for _, p := range ps {
		if p.Trainable() {
			out = append(out, p)
		}
	}
	return out
}

// CountParams returns the number of trainable scalars.
func CountParams(ps []*Param) int {
	n := 0
	for _, p := range Trainables(ps) {
		n += len(p.W)
	}
	return n
}

// Prefix renames params by prepending prefix + "." (used when a module is
// placed inside another, so names match the reference state_dict keys).
func Prefix(prefix string, ps []*Param) []*Param {
	for _, p := range ps {
		p.Name = prefix + "." + p.Name
	}
	return ps
}

// ByName indexes params by name and reports duplicates, which would make
// checkpoints ambiguous.
func ByName(ps []*Param) (map[string]*Param, error) {
	m := make(map[string]*Param, len(ps))
	for _, p := range ps {
		if _, dup := m[p.Name]; dup {
			return nil, fmt.Errorf("nn: duplicate parameter name %q", p.Name)
		}
		m[p.Name] = p
	}
	return m, nil
}

// ensure returns buf resized to n elements, reusing its storage when it is
// large enough. Layers keep their activation buffers across calls with it.
func ensure(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]float32, n)
}
