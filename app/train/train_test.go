package train

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/model"
)

// tinyModel is the smallest configuration the network allows: 64×64 input,
// ResNet18, a 2×2 bottleneck and one LSS module of two HSS blocks per stage.
func tinyModel(t *testing.T) *model.MambaAD {
	t.Helper()
	cfg := model.DefaultConfig()
	cfg.Backbone, cfg.ImageSize, cfg.Depths = "resnet18", 64, []int{2, 2, 2, 2}
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(7)
	m.Enc.InitRandom(7)
	return m
}

// tinyCache encodes n random images into a feature cache.
func tinyCache(m *model.MambaAD, n int) *FeatureCache {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, n*3*64*64)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	f := m.Features(x, n)
	c := &FeatureCache{N: n}
	for i := range f {
		c.per[i] = len(f[i]) / n
		c.level[i] = slices.Clone(f[i])
	}
	return c
}

func tinyOptions() Options {
	o := DefaultOptions()
	o.Epochs, o.BatchSize, o.Seed = 3, 2, 5
	return o
}

// TestResumeIsExact checks that stopping after one epoch, saving, resuming
// from the file and finishing gives bit-identical weights to running
// straight through (optimiser moments, schedule and drop-path random state
// all survive the round trip).
func TestResumeIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small model twice")
	}
	straight := tinyModel(t)
	cache := tinyCache(straight, 6)
	trA, err := NewTrainer(straight, tinyOptions(), ItersPerEpoch(cache.N, 2))
	if err != nil {
		t.Fatal(err)
	}
	if err := trA.RunCached(context.Background(), cache, Hooks{}); err != nil {
		t.Fatal(err)
	}

	m := tinyModel(t)
	trB, _ := NewTrainer(m, tinyOptions(), ItersPerEpoch(cache.N, 2))
	stop := Hooks{EpochEnd: func(tr *Trainer) error {
		if tr.Epoch == 1 {
			return context.Canceled
		}
		return nil
	}}
	if err := trB.RunCached(context.Background(), cache, stop); err != context.Canceled {
		t.Fatalf("run stopped with %v", err)
	}
	path := filepath.Join(t.TempDir(), "last.ckpt")
	if err := trB.Save(path, modelio.SaveOptions{Meta: map[string]string{"note": "x"}}); err != nil {
		t.Fatal(err)
	}
	trC, f, err := Resume(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Meta["note"] != "x" || trC.Epoch != 1 || trC.Iter != 3 {
		t.Fatalf("resumed at epoch %d iter %d, meta %v", trC.Epoch, trC.Iter, f.Meta["note"])
	}
	if err := trC.RunCached(context.Background(), cache, Hooks{}); err != nil {
		t.Fatal(err)
	}
	a, c := straight.Trainable(), trC.Model.Trainable()
	for i := range a {
		if !slices.Equal(a[i].W, c[i].W) {
			t.Fatalf("%s differs between the straight and the resumed run", a[i].Name)
		}
	}
	if trA.Iter != trC.Iter || trA.Optimizer.Step != trC.Optimizer.Step {
		t.Fatalf("iterations %d/%d, optimiser steps %d/%d", trA.Iter, trC.Iter, trA.Optimizer.Step, trC.Optimizer.Step)
	}
}

// TestTrainingReducesLoss checks that a few steps on one batch lower the
// reconstruction loss (the whole backward pass points downhill).
func TestTrainingReducesLoss(t *testing.T) {
	m := tinyModel(t)
	cache := tinyCache(m, 2)
	o := tinyOptions()
	o.Epochs, o.LR = 20, 1e-3
	tr, err := NewTrainer(m, o, 1)
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	err = tr.RunCached(context.Background(), cache, Hooks{Step: func(st StepStats, _ int) { losses = append(losses, st.Loss) }})
	if err != nil {
		t.Fatal(err)
	}
	if !(losses[len(losses)-1] < 0.8*losses[0]) {
		t.Fatalf("loss went from %g to %g", losses[0], losses[len(losses)-1])
	}
}

func TestOptionsValidate(t *testing.T) {
	o := DefaultOptions()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	o.Epochs = 0
	if err := o.Validate(); err == nil {
		t.Fatal("0 epochs accepted")
	}
	if lr := DefaultOptions().BaseLR(); lr != 0.005 {
		t.Fatalf("base lr at batch 16 = %v, want 0.005", lr)
	}
	if EpochOrder(1, 2, 10)[0] != EpochOrder(1, 2, 10)[0] || slices.Equal(EpochOrder(1, 1, 50), EpochOrder(1, 2, 50)) {
		t.Fatal("epoch orders are not deterministic per epoch")
	}
}
