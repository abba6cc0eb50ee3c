package model

import (
	"fmt"
	"math"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/optim"
)

// TestTrainStepsGolden replays the reference's optimiser steps of the small
// decoder: loss, backward, clipping, AdamW with ADer's decay rule. The
// decoder's configuration comes from the init.* state dict (goldenDecoder),
// the batch from the input, and the number of steps, learning rate, weight
// decay and clipping norm from the file's scalar entries (steps, lr,
// weight_decay, clip_grad_norm). The drop-path rate (0, so that the run is
// deterministic) is not recorded in the file: the README gives it.
func TestTrainStepsGolden(t *testing.T) {
	f := golden.Open(t, "train_steps.npz")
	cfg, b := goldenDecoder(t, f, "init.", "input")
	d, err := NewDecoder("", cfg)
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
	steps := int(f.Get(t, "steps").Ints[0])
	lr := f.Get(t, "lr").F64[0]
	wd := f.Get(t, "weight_decay").F64[0]
	clip := f.Get(t, "clip_grad_norm").F64[0]
	opt := optim.NewAdamW(ps, lr, wd)
	in := f.Get(t, "input").Data
	var targets [][]float32
	for i := range f.Count("target%d") {
		targets = append(targets, f.Get(t, fmt.Sprint("target", i)).Data)
	}
	losses, norms := f.Get(t, "losses").F64, f.Get(t, "grad_norms_before_clip").F64
	if len(losses) != steps || len(norms) != steps {
		t.Fatalf("%d steps but %d losses and %d norms", steps, len(losses), len(norms))
	}
	grads := make([][]float32, len(targets))
	mark := nn.ScratchOutstanding()
	for step := 0; step < steps; step++ {
		outs := d.Forward(in, b)
		if len(outs) != len(targets) {
			t.Fatalf("%d outputs, %d targets", len(outs), len(targets))
		}
		for i := range grads {
			grads[i] = make([]float32, len(outs[i]))
		}
		loss := Loss(targets, outs, grads)
		relClose(t, "loss", step, loss, losses[step], 1e-4)
		nn.ZeroGrad(ps)
		nn.PutScratch(d.Backward(grads))
		nn.CheckScratchBalance(t, mark, "after a training step's backward pass")
		norm := optim.ClipGradNorm(nn.Trainables(ps), clip)
		relClose(t, "grad norm", step, norm, norms[step], 1e-3)
		opt.Update()
	}
	outs := d.Forward(in, b)
	relClose(t, "final loss", steps, Loss(targets, outs, nil), f.Get(t, "final_loss").F64[0], 1e-4)
	for _, p := range nn.Trainables(ps) {
		if zeroGradBias(p.Name) {
			continue // moved by Adam in the direction of float32 noise; see README
		}
		// A tensor that starts at zero (biases) ends as the sum of Adam
		// updates, each g/√v: scale-free, so its relative error is the
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
