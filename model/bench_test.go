package model

import (
	"math/rand/v2"
	"testing"
)

// benchModel returns the reference configuration with random weights.
func benchModel(b *testing.B) *MambaAD {
	b.Helper()
	m, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	m.Init(1)
	m.Enc.InitRandom(1)
	return m
}

func randImages(n, size int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*3*size*size)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// BenchmarkInference times encoder + fusion + decoder + anomaly map per
// batch at 256×256 with the ResNet34 configuration.
func BenchmarkInference(b *testing.B) {
	for _, n := range []int{1, 8} {
		b.Run(map[int]string{1: "batch1", 8: "batch8"}[n], func(b *testing.B) {
			m := benchModel(b)
			m.SetTrain(false, 0)
			x := randImages(n, 256)
			chans, sides := m.FeatureShapes()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f := m.Features(x, n)
				outs := m.Reconstruct(f, n)
				AnomalyMaps(f[:], outs, chans, sides, n, 256, 4)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// BenchmarkTrainStep times one fusion + decoder forward/backward at batch 8
// on fixed features (the encoder is cached during training), without the
// optimiser update.
func BenchmarkTrainStep(b *testing.B) {
	m := benchModel(b)
	const n = 8
	f := m.Features(randImages(n, 256), n)
	feats := [3][]float32{append([]float32(nil), f[0]...), append([]float32(nil), f[1]...), append([]float32(nil), f[2]...)}
	m.SetTrain(true, 1)
	grads := make([][]float32, 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		outs := m.Reconstruct(feats, n)
		for j := range outs {
			if grads[j] == nil {
				grads[j] = make([]float32, len(outs[j]))
			}
		}
		Loss(feats[:], outs, grads)
		m.Backward(grads)
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/step")
}
