package model

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/optim"
)

// TestStepsIndependentOfWorkers runs two training steps (drop-path on,
// batch 3, gradient clipping and AdamW) and an inference pass of a fresh
// small model (from the same initial state) for each of several worker counts, twice each, and requires
// bit-identical losses, gradients, weights, BatchNorm statistics, anomaly
// maps and scores.
func TestStepsIndependentOfWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("ten small training runs")
	}
	// The checking mode's stack walks would dominate ten runs; the
	// balance tests cover the pool.
	defer nn.SetScratchChecks(nn.SetScratchChecks(false))
	const n = 3
	rng := rand.New(rand.NewPCG(5, 6))
	images := make([]float32, n*3*64*64)
	fill(rng, images, 1)
	m := newSmallModel(t)
	var init [][]float32 // the trainable tensors, restored before each run
	for _, p := range m.Trainable() {
		init = append(init, slices.Clone(p.W))
	}
	testutil.SameForAnyWorkers(t, "training steps and inference", func() [][]float32 {
		for i, p := range m.Trainable() {
			copy(p.W, init[i])
		}
		f := m.Features(images, n)
		out := [][]float32{f[0], f[1], f[2]}
		m.SetTrain(true, 9)
		ps := nn.Trainables(m.Trainable())
		opt := optim.NewAdamW(ps, 1e-3, 1e-4)
		for range 2 {
			outs := m.Reconstruct(f, n)
			grads := make([][]float32, len(outs))
			for i := range outs {
				grads[i] = make([]float32, len(outs[i]))
			}
			loss := Loss(f[:], outs, grads)
			nn.ZeroGrad(ps)
			m.Backward(grads)
			norm := optim.ClipGradNorm(ps, 1)
			opt.Update()
			out = append(out, []float32{float32(loss), float32(norm)})
			for _, p := range ps {
				out = append(out, slices.Clone(p.G))
			}
		}
		for _, p := range m.Trainable() { // weights and BatchNorm buffers
			out = append(out, slices.Clone(p.W))
		}
		m.SetTrain(false, 0)
		p := m.Predict(images, n)
		scores := make([]float32, 0, 2*n)
		for _, s := range p.Scores {
			scores = append(scores, float32(s), float32(s-float64(float32(s))))
		}
		return append(out, p.Maps, scores)
	})
}
