package model

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/nn"
)

// TestInferenceMatchesBackpropForward runs the fusion and decoder of a
// small model once keeping what the backward pass needs and once as
// inference (scratch buffers released as soon as they are read): the
// reconstructions must be bit-identical and the scratch pool balanced.
func TestInferenceMatchesBackpropForward(t *testing.T) {
	const n = 2
	rng := rand.New(rand.NewPCG(21, 22))
	m := newSmallModel(t)
	perturb(rng, m.Trainable())
	images := make([]float32, n*3*64*64)
	fill(rng, images, 1)
	m.SetTrain(false, 0)
	f := m.Features(images, n)
	mark := nn.ScratchOutstanding()
	var infer [][]float32
	for _, o := range m.Reconstruct(f, n) {
		infer = append(infer, slices.Clone(o))
	}
	nn.CheckScratchBalance(t, mark, "after inference")
	m.Dec.SetBackprop(true)
	defer m.Dec.SetBackprop(false)
	kept := m.Reconstruct(f, n)
	for i := range kept {
		if !slices.Equal(kept[i], infer[i]) {
			t.Fatalf("reconstruction %d differs between inference and a forward pass kept for backward", i)
		}
	}
}
