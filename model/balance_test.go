package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/optim"
	"github.com/mambaad/mambaad/scanorder"
)

// smallConfig is the smallest configuration New accepts: 64×64 images,
// ResNet18, two HSS blocks per stage, two scan directions, d_state 4 and one
// fusion bottleneck. It exercises every layer type of the full model.
func smallConfig() Config {
	return Config{Backbone: "resnet18", ImageSize: 64, Depths: []int{2, 2, 2, 2}, Scan: "hilbert",
		Directions: 2, DState: 4, DropPath: 0.1, FusionBlocks: 1}
}

func newSmallModel(t *testing.T) *MambaAD {
	t.Helper()
	m, err := New(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	m.Init(1)
	m.Enc.InitRandom(1)
	return m
}

func allFinite(x []float32) bool {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// tinyTrainable builds the trainable part of a model (fusion and decoder)
// for encoder channels (8, 16, 32) on 64×64 images: the structure of the
// real one at a fraction of its width, with random weights.
func tinyTrainable(t *testing.T) *MambaAD {
	t.Helper()
	ch := [3]int{8, 16, 32}
	fuse, err := NewFusion("mff_oce", ch, 2)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewDecoder("net_s", DecoderConfig{Dims: []int{fuse.OutChannels(), ch[2], ch[1], ch[0]},
		Depths: []int{2, 2, 3, 2}, Side0: 2, Order: scanorder.Hilbert, K: 4, N: 4, LNEps: 1e-5, DropPath: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	m := &MambaAD{Cfg: Config{ImageSize: 64}, Fuse: fuse, Dec: dec}
	m.Init(1)
	return m
}

// TestTrainStepScratchBalance runs two training steps of a small model as
// app/train does (forward, loss, backward, clipping, AdamW) on fixed
// features and checks that every scratch buffer taken is returned, after
// each phase. The package's TestMain turns the pool's checking mode on, so
// a double return panics at its call site and a buffer read before being
// written (or after being returned) turns the loss or the weights into NaN.
func TestTrainStepScratchBalance(t *testing.T) {
	m := tinyTrainable(t)
	const n = 2
	rng := rand.New(rand.NewPCG(3, 4))
	var feats [3][]float32
	for i, c := range m.Fuse.Ch {
		side := m.Cfg.ImageSize / (4 << i)
		feats[i] = make([]float32, n*c*side*side)
		fill(rng, feats[i], 1)
	}
	m.SetTrain(true, 1)
	ps := nn.Trainables(m.Trainable())
	opt := optim.NewAdamW(ps, 1e-3, 1e-4)
	mark := nn.ScratchOutstanding()
	for step := 0; step < 2; step++ {
		// The second step also returns the fusion block's input gradients,
		// which MambaAD.Backward releases.
		m.Fuse.InputGrads = step == 1
		outs := m.Reconstruct(feats, n)
		nn.CheckScratchBalance(t, mark, "after the training forward pass")
		grads := make([][]float32, len(outs))
		for i := range outs {
			grads[i] = make([]float32, len(outs[i]))
		}
		loss := Loss(feats[:], outs, grads)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			t.Fatalf("step %d: loss %v", step, loss)
		}
		nn.ZeroGrad(ps)
		m.Backward(grads)
		nn.CheckScratchBalance(t, mark, "after the backward pass")
		for _, p := range ps {
			if !allFinite(p.G) {
				t.Fatalf("step %d: gradient of %s is not finite", step, p.Name)
			}
		}
		optim.ClipGradNorm(ps, 5)
		opt.Update()
		nn.CheckScratchBalance(t, mark, "after the optimiser step")
	}
	for _, p := range ps {
		if !allFinite(p.W) {
			t.Fatalf("%s is not finite after two steps", p.Name)
		}
	}
}

// TestPredictScratchBalance checks that inference (encoder, fusion,
// decoder, anomaly maps) returns every scratch buffer it takes, twice (the
// second run reuses the pooled buffers, NaN-filled by checking mode).
func TestPredictScratchBalance(t *testing.T) {
	m := newSmallModel(t)
	m.SetTrain(false, 0)
	mark := nn.ScratchOutstanding()
	for range 2 {
		p := m.Predict(randImages(1, m.Cfg.ImageSize), 1)
		nn.CheckScratchBalance(t, mark, "after Predict")
		if !allFinite(p.Maps) {
			t.Fatal("anomaly maps are not finite")
		}
	}
}
