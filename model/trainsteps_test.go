package model

import (
	"math"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/optim"
	"github.com/mambaad/mambaad/scanorder"
)

// TestTrainStepsGolden replays the reference's three optimiser steps of the
// small decoder: loss, backward, clip to norm 5, AdamW with ADer's decay rule.
func TestTrainStepsGolden(t *testing.T) {
	f := golden.Open(t, "train_steps.npz")
	d, err := NewDecoder("", DecoderConfig{Dims: []int{64, 32, 16, 8}, Depths: []int{3, 4, 6, 3},
		Side0: 8, Order: scanorder.Hilbert, K: 8, N: 16, LNEps: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	ps := d.Params()
	for _, p := range ps {
		if !p.Int64 {
			copy(p.W, f.Get(t, "init."+p.Name).Data)
		}
	}
	checkDecaySet(t, f, ps)
	d.SetTrain(true, newRNG(1)) // drop_path_rate is 0 in this case
	d.SetBackprop(true)
	lr := float64(f.Get(t, "lr").F64[0])
	wd := float64(f.Get(t, "weight_decay").F64[0])
	opt := optim.NewAdamW(ps, lr, wd)
	in := f.Get(t, "input").Data
	var targets [][]float32
	for _, k := range []string{"target0", "target1", "target2"} {
		targets = append(targets, f.Get(t, k).Data)
	}
	losses, norms := f.Get(t, "losses").F64, f.Get(t, "grad_norms_before_clip").F64
	grads := make([][]float32, 3)
	for step := 0; step < 3; step++ {
		outs := d.Forward(in, 2)
		for i := range grads {
			grads[i] = make([]float32, len(outs[i]))
		}
		loss := Loss(targets, outs, grads)
		relClose(t, "loss", step, loss, losses[step], 1e-4)
		nn.ZeroGrad(ps)
		d.Backward(grads)
		norm := optim.ClipGradNorm(nn.Trainables(ps), 5)
		relClose(t, "grad norm", step, norm, norms[step], 1e-3)
		opt.Update()
	}
	outs := d.Forward(in, 2)
	relClose(t, "final loss", 3, Loss(targets, outs, nil), f.Get(t, "final_loss").F64[0], 1e-4)
	for _, p := range nn.Trainables(ps) {
		if zeroGradBias(p.Name) {
			continue // moved by Adam in the direction of float32 noise; see README
		}
		// A tensor that starts at zero (biases) ends as the sum of three
		// Adam updates, each g/√v: scale-free, so its relative error is the
		// gradients' (tolerance 1e-3), not the forward pass's.
		tol := outTol
		if maxAbs(f.Get(t, "init."+p.Name).Data) == 0 {
			tol = gradTol
		}
		checkClose(t, "final."+p.Name, p.W, f.Get(t, "final."+p.Name), tol)
	}
}

func relClose(t *testing.T, what string, step int, got, want, tol float64) {
	t.Helper()
	if e := math.Abs(got-want) / math.Abs(want); !(e <= tol) {
		t.Errorf("step %d %s = %.8g, golden %.8g (relative error %.3g)", step, what, got, want, e)
	}
}

// checkDecaySet compares our weight-decay flags with the reference's list.
func checkDecaySet(t *testing.T, f *golden.File, ps []*nn.Param) {
	t.Helper()
	names, err := f.Strings("decay_params")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for _, p := range nn.Trainables(ps) {
		if p.Decay != want[p.Name] {
			t.Errorf("%s: decay %v, reference %v", p.Name, p.Decay, want[p.Name])
		}
	}
}
