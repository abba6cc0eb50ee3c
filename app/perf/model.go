package perf

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mambaad/mambaad/app/train"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/model"
)

// ModelMACs is the multiply-add count of one 256×256 image through the
// reference configuration (ResNet34 encoder, fusion, decoder), as the
// issue states it; the FLOP floor of an image is 2·ModelMACs / peak.
const ModelMACs = 8.24e9

// Scenarios are the model workloads; each also runs alone in a child
// process to measure its peak resident memory.
var Scenarios = []string{"infer1", "infer8", "train8"}

// ModelBench holds a model with random weights (the timing does not depend
// on the values) and inputs for the scenarios.
type ModelBench struct {
	M *model.MambaAD
	// Prec is the precision of the inference scenarios (training runs
	// fp32 whatever it is).
	Prec   gemm.Precision
	images []float32
}

// NewModelBench builds the reference configuration (256×256, ResNet34).
func NewModelBench() (*ModelBench, error) {
	m, err := model.New(model.DefaultConfig())
	if err != nil {
		return nil, err
	}
	m.Init(1)
	m.Enc.InitRandom(1)
	rng := rand.New(rand.NewPCG(3, 4))
	return &ModelBench{M: m, images: randSlice(rng, 8*3*256*256)}, nil
}

// Run executes one scenario once.
func (b *ModelBench) Run(name string) func() {
	switch name {
	case "infer1", "infer8":
		n := 1
		if name == "infer8" {
			n = 8
		}
		b.M.SetTrain(false, 0)
		if err := b.M.SetPrecision(b.Prec); err != nil {
			panic(err)
		}
		return func() { b.M.Predict(b.images[:n*3*256*256], n) }
	case "train8":
		b.M.SetPrecision(gemm.FP32) // training is fp32
		f := b.M.Features(b.images, 8)
		feats := [3][]float32{clone(f[0]), clone(f[1]), clone(f[2])}
		o := train.DefaultOptions()
		o.BatchSize = 8
		tr, err := train.NewTrainer(b.M, o, 1000)
		if err != nil {
			panic(err)
		}
		return func() {
			if _, err := tr.Step(feats, 8); err != nil {
				panic(err)
			}
		}
	}
	panic("perf: unknown scenario " + name)
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// precisionSuffix marks the inference rows of a non-default precision.
func precisionSuffix(p gemm.Precision) string {
	if p == gemm.FP32 {
		return ""
	}
	return " " + p.String()
}

// precisionNote says what a non-default precision ran as.
func precisionNote(p gemm.Precision) string {
	switch {
	case p == gemm.FP32:
		return ""
	case p.Effective() != p:
		return fmt.Sprintf("; %v asked, ran as %v (no AVX512_BF16)", p, p.Effective())
	}
	return fmt.Sprintf("; %v products", p)
}

// Model adds the inference and training rows; rss maps a scenario to its
// peak resident set in bytes (measured in a child process; may be nil).
func (r *Report) Model(rss map[string]int64) error {
	b, err := NewModelBench()
	if err != nil {
		return err
	}
	b.Prec = r.Precision
	floor := 2 * ModelMACs / (r.PeakGFLOPS * 1e9) // seconds per image at peak
	for _, sc := range []struct {
		name string
		n    int
	}{{"infer1", 1}, {"infer8", 8}} {
		name := fmt.Sprintf("model infer 256x256 resnet34 batch%d%s", sc.n, precisionSuffix(r.Precision))
		t := r.median(name, 3, 2*time.Second, b.Run(sc.name))
		frac := floor * float64(sc.n) / t
		r.Results = append(r.Results, Row{Name: name,
			Value: float64(sc.n) / t, Unit: "images/s", PeakFraction: &frac,
			Note: fmt.Sprintf("%.0f ms/image; fraction = FLOP floor (%.3g MAC/image, fp32 peak) / time%s",
				1000*t/float64(sc.n), ModelMACs, precisionNote(r.Precision))})
	}
	name := "model train_step 256x256 resnet34 batch8"
	t := r.median(name, 3, 5*time.Second, b.Run("train8"))
	r.Add(name, t, "s/step", "fusion + decoder forward/backward + AdamW, cached features")
	for _, sc := range Scenarios {
		if v, ok := rss[sc]; ok {
			r.Add("model peak_rss "+sc, float64(v)/(1<<20), "MiB", "child process running only this workload")
		}
	}
	return nil
}

// PeakRSS returns this process's peak resident set size in bytes (Linux:
// VmHWM from /proc/self/status), or an error where it is not available.
func PeakRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("VmHWM not found in /proc/self/status")
}
