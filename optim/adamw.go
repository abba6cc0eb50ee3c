// Package optim holds the optimiser of the reference recipe: AdamW with
// decoupled weight decay, global gradient-norm clipping, and the step
// learning-rate schedule (spec §7).
package optim

import (
	"fmt"
	"math"

	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/parallel"
)

// AdamW is torch.optim.AdamW: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
// p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + eps) with bias-corrected m̂, v̂. Weight
// decay applies only to params with Decay set (ADer's rule).
type AdamW struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Step                               int // completed steps

	params []*nn.Param
	m, v   [][]float32
}

// NewAdamW returns an optimiser over the trainable params with the
// reference's betas (0.9, 0.999) and eps 1e-8.
func NewAdamW(params []*nn.Param, lr, weightDecay float64) *AdamW {
	ps := nn.Trainables(params)
	o := &AdamW{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay, params: ps}
	o.m = make([][]float32, len(ps))
	o.v = make([][]float32, len(ps))
	for i, p := range ps {
		o.m[i] = make([]float32, len(p.W))
		o.v[i] = make([]float32, len(p.W))
	}
	return o
}

// Params returns the parameters the optimiser updates, in order.
func (o *AdamW) Params() []*nn.Param { return o.params }

// Moments returns the first and second moment buffers of parameter i, for
// checkpointing the optimiser state.
func (o *AdamW) Moments(i int) (m, v []float32) { return o.m[i], o.v[i] }

// Update applies one step with the gradients currently in the params.
func (o *AdamW) Update() {
	o.Step++
	t := float64(o.Step)
	bc1 := 1 - math.Pow(o.Beta1, t)
	bc2 := 1 - math.Pow(o.Beta2, t)
	// torch computes step_size = lr/bc1 and denom = sqrt(v)/sqrt(bc2) + eps.
	stepSize := float32(o.LR / bc1)
	sqrtBC2 := float32(math.Sqrt(bc2))
	b1, b2, eps := float32(o.Beta1), float32(o.Beta2), float32(o.Eps)
	parallel.Run(len(o.params), func(i int) {
		p := o.params[i]
		if p.Decay && o.WeightDecay != 0 {
			f := float32(1 - o.LR*o.WeightDecay)
			for j := range p.W {
				p.W[j] *= f
			}
		}
		m, v := o.m[i], o.v[i]
		for j, g := range p.G {
			m[j] = b1*m[j] + (1-b1)*g
			v[j] = b2*v[j] + (1-b2)*g*g
			denom := float32(math.Sqrt(float64(v[j])))/sqrtBC2 + eps
			p.W[j] -= stepSize * m[j] / denom
		}
	})
}

// ClipGradNorm scales all gradients so their global L2 norm is at most
// maxNorm, as torch.nn.utils.clip_grad_norm_ (factor maxNorm/(norm+1e-6),
// applied only when it is below 1). It returns the norm before clipping.
func ClipGradNorm(params []*nn.Param, maxNorm float64) float64 {
	var sum float64
	for _, p := range params {
		for _, g := range p.G {
			sum += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(sum)
	if coef := maxNorm / (norm + 1e-6); coef < 1 {
		c := float32(coef)
		for _, p := range params {
			for j := range p.G {
				p.G[j] *= c
			}
		}
	}
	return norm
}

// StepLR is the reference schedule: the base rate until the milestone
// fraction of all iterations, then base·gamma.
type StepLR struct {
	Base      float64
	Total     int     // total iterations of the run
	Milestone float64 // fraction of Total, 0.8 in the reference
	Gamma     float64 // 0.1 in the reference
}

// At returns the learning rate for iteration it (0-based).
func (s StepLR) At(it int) float64 {
	if float64(it) >= s.Milestone*float64(s.Total) {
		return s.Base * s.Gamma
	}
	return s.Base
}

// Validate reports a schedule that cannot be right.
func (s StepLR) Validate() error {
	if s.Base <= 0 || s.Total <= 0 || s.Milestone < 0 || s.Milestone > 1 || s.Gamma <= 0 {
		return fmt.Errorf("optim: invalid schedule %+v", s)
	}
	return nil
}
