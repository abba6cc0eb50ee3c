// Package train fits MambaAD's fusion block and decoder to the frozen
// encoder's features of normal images (spec §7): mean-squared
// reconstruction loss at three scales, AdamW with ADer's weight-decay rule,
// gradient clipping at norm 5 and a step learning-rate schedule. Training
// state (weights, optimiser moments, schedule position and random state) is
// checkpointed so that a resumed run continues exactly.
package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/optim"
)

// Options are the optimisation hyper-parameters (spec §7 defaults).
type Options struct {
	Epochs      int     `json:"epochs" yaml:"epochs"`
	BatchSize   int     `json:"batch_size" yaml:"batch_size"`
	LR          float64 `json:"lr" yaml:"lr"` // 0: 0.005·batch/16
	WeightDecay float64 `json:"weight_decay" yaml:"weight_decay"`
	ClipNorm    float64 `json:"clip_norm" yaml:"clip_norm"`
	Milestone   float64 `json:"milestone" yaml:"milestone"` // lr × Gamma after this fraction of the iterations
	Gamma       float64 `json:"gamma" yaml:"gamma"`
	Seed        uint64  `json:"seed" yaml:"seed"`
}

// DefaultOptions are the reference recipe's values at batch 16.
func DefaultOptions() Options {
	return Options{Epochs: 100, BatchSize: 16, WeightDecay: 1e-4, ClipNorm: 5, Milestone: 0.8, Gamma: 0.1, Seed: 1}
}

// BaseLR is the learning rate the options give (the reference scales
// 0.005 by batch/16).
func (o Options) BaseLR() float64 {
	if o.LR > 0 {
		return o.LR
	}
	return 0.005 * float64(o.BatchSize) / 16
}

// Validate reports options that cannot train.
func (o Options) Validate() error {
	if o.Epochs < 1 || o.BatchSize < 1 {
		return fmt.Errorf("train: epochs (%d) and batch size (%d) must be at least 1", o.Epochs, o.BatchSize)
	}
	for _, c := range []struct {
		bad  bool
		name string
		v    float64
		want string
	}{
		{o.LR < 0 || math.IsNaN(o.LR), "learning rate (lr)", o.LR, "0 (the default, 0.005·batch/16) or positive"},
		{o.WeightDecay < 0 || math.IsNaN(o.WeightDecay), "weight_decay", o.WeightDecay, "0 or positive"},
		{o.ClipNorm < 0 || math.IsNaN(o.ClipNorm), "clip_norm", o.ClipNorm, "0 (no clipping) or positive"},
		{!(o.Milestone >= 0 && o.Milestone <= 1), "milestone", o.Milestone, "a fraction of the run in [0, 1]"},
		{!(o.Gamma > 0), "gamma", o.Gamma, "positive"},
	} {
		if c.bad {
			return fmt.Errorf("train: %s %g: must be %s", c.name, c.v, c.want)
		}
	}
	return nil
}

// Trainer holds a model being trained and everything needed to resume it.
type Trainer struct {
	Model     *model.MambaAD
	Optimizer *optim.AdamW
	Schedule  optim.StepLR
	Options   Options

	Iter          int // completed optimiser steps
	Epoch         int // completed epochs
	StepInEpoch   int // steps completed in the current epoch
	StepsPerEpoch int

	src   *rand.PCG // drop-path random state (checkpointed)
	grads [][]float32
}

// StepStats describes one optimiser step.
type StepStats struct {
	Loss, GradNorm, LR float64
}

// NewTrainer prepares m for training with itersPerEpoch steps per epoch.
func NewTrainer(m *model.MambaAD, o Options, itersPerEpoch int) (*Trainer, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if itersPerEpoch < 1 {
		return nil, fmt.Errorf("train: no training batches (fewer images than one batch?)")
	}
	t := &Trainer{Model: m, Options: o, StepsPerEpoch: itersPerEpoch,
		Optimizer: optim.NewAdamW(m.Trainable(), o.BaseLR(), o.WeightDecay),
		Schedule:  optim.StepLR{Base: o.BaseLR(), Total: o.Epochs * itersPerEpoch, Milestone: o.Milestone, Gamma: o.Gamma},
		src:       rand.NewPCG(o.Seed, 0x64726f70), // "drop"
	}
	t.TrainMode()
	return t, nil
}

// TrainMode puts the model in training mode with the trainer's random
// state (again, after an evaluation switched it to inference).
func (t *Trainer) TrainMode() {
	t.Model.Fuse.SetTrain(true)
	t.Model.Dec.SetTrain(true, rand.New(t.src))
	t.Model.Dec.SetBackprop(true)
}

// Step runs one optimiser step on encoder features of n images.
func (t *Trainer) Step(f [3][]float32, n int) (StepStats, error) {
	outs := t.Model.Reconstruct(f, n)
	if len(t.grads) != len(outs) {
		t.grads = make([][]float32, len(outs))
	}
	for i := range outs {
		t.grads[i] = ensure(t.grads[i], len(outs[i]))
	}
	loss := model.Loss(f[:], outs, t.grads)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return StepStats{}, fmt.Errorf("train: loss became %v at iteration %d (lower the learning rate?)", loss, t.Iter)
	}
	ps := t.Optimizer.Params()
	nn.ZeroGrad(ps)
	t.Model.Backward(t.grads)
	norm := 0.0
	if t.Options.ClipNorm > 0 {
		norm = optim.ClipGradNorm(ps, t.Options.ClipNorm)
	}
	t.Optimizer.LR = t.Schedule.At(t.Iter)
	t.Optimizer.Update()
	t.Iter++
	t.StepInEpoch++
	if t.StepInEpoch == t.StepsPerEpoch {
		t.Epoch++
		t.StepInEpoch = 0
	}
	return StepStats{Loss: loss, GradNorm: norm, LR: t.Optimizer.LR}, nil
}

// SetEpochs changes the length of the run (to extend a resumed one); the
// schedule's milestone moves with it.
func (t *Trainer) SetEpochs(n int) error {
	if n < t.Epoch || n < 1 {
		return fmt.Errorf("train: cannot set %d epochs: %d are already done", n, t.Epoch)
	}
	t.Options.Epochs = n
	t.Schedule.Total = n * t.StepsPerEpoch
	return nil
}

// Done reports whether every epoch has run.
func (t *Trainer) Done() bool { return t.Epoch >= t.Options.Epochs }

func ensure(b []float32, n int) []float32 {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]float32, n)
}
