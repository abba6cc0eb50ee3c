package detector

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/model/membank"
)

// BenchmarkPredict is the whole inference path per method at 256² with
// the ResNet18 configuration of the CPU presets, batch 8 (random weights:
// the time does not depend on them), so the memory bank's share of the
// per-image time can be read off side by side:
//
//	go test -run - -bench Predict -count 6 ./app/detector | benchstat -col /method -
func BenchmarkPredict(b *testing.B) {
	cfg := model.DefaultConfig()
	cfg.Backbone = "resnet18"
	m, err := model.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	m.Enc.Fold() // as loading a checkpoint does
	const n = 8
	s := cfg.ImageSize
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*3*s*s)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	chans, _ := m.FeatureShapes()
	dim := membank.Dim(chans[1], chans[2])
	run := func(name string, d *Detector) {
		b.Run(name, func(b *testing.B) {
			d.Predict(x, n) // warm-up: scratch buffers, packed weights
			b.ResetTimer()
			for b.Loop() {
				d.Predict(x, n)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*n), "ms/image")
		})
	}
	run("method=recon", FromModel(m))
	for _, rows := range []int{4096, 8192, 16384} {
		vec := make([]float32, rows*dim)
		for i := range vec {
			vec[i] = float32(r.NormFloat64())
		}
		bank, err := membank.New(dim, vec)
		if err != nil {
			b.Fatal(err)
		}
		for _, meth := range []Method{MethodMemory, MethodCombined} {
			d := &Detector{Model: m, Bank: bank, Meta: Meta{Method: meth, Fusion: &FusionStats{ReconScale: 1, MemoryScale: 1}}}
			run(fmt.Sprintf("method=%s/bank=%d", meth, rows), d)
		}
	}
}
