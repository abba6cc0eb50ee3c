package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/nn"
)

// bf16Tol bounds the bf16 anomaly maps' and features' distance from
// float32 (relative L2, and max-abs difference over max-abs). The
// reconstructions come out of fusion and sixteen HSS blocks, each adding
// its bfloat16 roundings to those of the features: they get decoderTol
// (observed: 2–3e-2 on the small random model, 0.6–2e-2 on the golden
// decoder). The anomaly map, 1 − cosine, is far less sensitive (5e-4).
const (
	bf16Tol    = 1e-2
	decoderTol = 5e-2
)

// maxRel is max |a − b| / max |b|.
func maxRel(a, b []float32) float64 {
	var m float64
	for _, v := range b {
		m = max(m, math.Abs(float64(v)))
	}
	return testutil.MaxAbsDiff(a, b) / m
}

// checkBF16Close fails unless got is within bf16Tol of want, and (where
// bf16 runs) differs from it: the bf16 path must have been taken.
func checkBF16Close(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	rel, mx := testutil.RelErr(got, want), maxRel(got, want)
	t.Logf("%s: bf16 vs fp32 relative L2 %.3g, max-abs/max %.3g", what, rel, mx)
	if !(rel <= tol && mx <= tol) {
		t.Errorf("%s: bf16 vs fp32 relative L2 %.3g, max-abs/max %.3g; want ≤ %g", what, rel, mx, tol)
	}
	if gemm.BF16.Effective() == gemm.BF16 && slices.Equal(got, want) {
		t.Errorf("%s: bf16 output equals fp32 bit for bit on %v: the bf16 products did not run", what, isa.Best())
	}
}

func smallImages(n int) []float32 {
	rng := rand.New(rand.NewPCG(7, 8))
	x := make([]float32, n*3*64*64)
	fill(rng, x, 1)
	return x
}

// TestBF16PredictCloseToFP32 runs a small random model's inference in
// float32 and in bf16: anomaly maps, features and reconstructions within
// 1e-2; the bf16 weights converted again after the weights change; and
// the scratch pool balanced.
func TestBF16PredictCloseToFP32(t *testing.T) {
	const n = 2
	images := smallImages(n)
	m := newSmallModel(t)
	m.SetTrain(false, 0)
	ref := m.Predict(images, n)
	f32 := m.Features(images, n)
	feats := [3][]float32{slices.Clone(f32[0]), slices.Clone(f32[1]), slices.Clone(f32[2])}
	var recs [][]float32
	for _, r := range m.Reconstruct(f32, n) {
		recs = append(recs, slices.Clone(r))
	}

	if err := m.SetPrecision(gemm.BF16); err != nil {
		t.Fatal(err)
	}
	if m.Precision() != gemm.BF16 {
		t.Fatalf("Precision() = %v after SetPrecision(BF16)", m.Precision())
	}
	mark := nn.ScratchOutstanding()
	got := m.Predict(images, n)
	nn.CheckScratchBalance(t, mark, "after a bf16 Predict")
	checkBF16Close(t, "anomaly maps", got.Maps, ref.Maps, bf16Tol)
	f16 := m.Features(images, n)
	for i := range f16 {
		checkBF16Close(t, fmt.Sprint("features ", i), f16[i], feats[i], bf16Tol)
	}
	for i, r := range m.Reconstruct(f16, n) {
		checkBF16Close(t, fmt.Sprint("reconstruction ", i), r, recs[i], decoderTol)
	}
	// A second call reuses the cached weight pairs: the same output.
	again := m.Predict(images, n)
	if !slices.Equal(again.Maps, got.Maps) {
		t.Errorf("a second bf16 Predict differs from the first")
	}

	// New weights in the same model: the cached pairs must go. A fresh
	// model initialised the same way is the reference.
	m.Init(2)
	m.Enc.InitRandom(2)
	m.Enc.Fold()
	changed := m.Predict(images, n)
	fresh, err := New(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	fresh.Init(2)
	fresh.Enc.InitRandom(2)
	fresh.SetTrain(false, 0)
	if err := fresh.SetPrecision(gemm.BF16); err != nil {
		t.Fatal(err)
	}
	if want := fresh.Predict(images, n); !slices.Equal(changed.Maps, want.Maps) {
		t.Errorf("after new weights, bf16 maps differ from a fresh model's (max diff %.3g): stale weight pairs",
			testutil.MaxAbsDiff(changed.Maps, want.Maps))
	}

	// Back to fp32: the reference exactly.
	if err := fresh.SetPrecision(gemm.FP32); err != nil {
		t.Fatal(err)
	}
	fp := fresh.Predict(images, n)
	plain, _ := New(smallConfig())
	plain.Init(2)
	plain.Enc.InitRandom(2)
	plain.SetTrain(false, 0)
	if want := plain.Predict(images, n); !slices.Equal(fp.Maps, want.Maps) {
		t.Errorf("SetPrecision(FP32) after BF16 is not the float32 output")
	}
}

// TestBF16RefusedInTraining: SetPrecision(BF16) fails on a model in
// training mode, and a model set to bf16 and then trained runs its
// training forward in float32 bit for bit.
func TestBF16RefusedInTraining(t *testing.T) {
	const n = 2
	images := smallImages(n)
	m := newSmallModel(t)
	m.SetTrain(true, 3)
	if err := m.SetPrecision(gemm.BF16); !errors.Is(err, ErrPrecisionTraining) {
		t.Fatalf("SetPrecision(BF16) in training: %v, want ErrPrecisionTraining", err)
	}
	if err := m.SetPrecision(gemm.Precision(7)); err == nil {
		t.Errorf("SetPrecision(7) accepted")
	}
	run := func(m *MambaAD) [][]float32 {
		m.SetTrain(true, 3)
		f := m.Features(images, n)
		out := [][]float32{slices.Clone(f[0]), slices.Clone(f[2])}
		for _, r := range m.Reconstruct(f, n) {
			out = append(out, slices.Clone(r))
		}
		return out
	}
	want := run(m)
	b := newSmallModel(t)
	b.SetTrain(false, 0)
	if err := b.SetPrecision(gemm.BF16); err != nil {
		t.Fatal(err)
	}
	got := run(b)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("training forward output %d with bf16 set differs from float32", i)
		}
	}
}

// fallbackChildEnv marks the subprocess of TestBF16FallbackIsFP32.
const fallbackChildEnv = "MAMBAAD_MODEL_BF16_FALLBACK_CHILD"

// TestBF16FallbackIsFP32 re-runs this test binary with MAMBAAD_ISA=avx512,
// a level without AVX512_BF16: there a bf16 model's output must be the
// float32 output bit for bit.
func TestBF16FallbackIsFP32(t *testing.T) {
	if os.Getenv(fallbackChildEnv) == "1" {
		if gemm.BF16.Effective() != gemm.FP32 {
			t.Fatalf("at %v BF16 is effective", isa.Best())
		}
		const n = 2
		images := smallImages(n)
		m := newSmallModel(t)
		m.SetTrain(false, 0)
		want := m.Predict(images, n)
		f := m.Features(images, n)
		var recs [][]float32
		for _, r := range m.Reconstruct(f, n) {
			recs = append(recs, slices.Clone(r))
		}
		if err := m.SetPrecision(gemm.BF16); err != nil {
			t.Fatal(err)
		}
		got := m.Predict(images, n)
		if !slices.Equal(got.Maps, want.Maps) {
			t.Errorf("at %v: bf16 maps differ from fp32 (max diff %.3g)", isa.Best(), testutil.MaxAbsDiff(got.Maps, want.Maps))
		}
		for i, r := range m.Reconstruct(m.Features(images, n), n) {
			if !slices.Equal(r, recs[i]) {
				t.Errorf("at %v: bf16 reconstruction %d differs from fp32", isa.Best(), i)
			}
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestBF16FallbackIsFP32$", "-test.count=1")
	cmd.Env = append(os.Environ(), fallbackChildEnv+"=1", isa.EnvVar+"=avx512")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("MAMBAAD_ISA=avx512: %v\n%s", err, out)
	}
}

// TestBF16Golden runs the golden encoder (resnet_encoder.npz) and the
// golden small decoder (decoder_small.npz, inference) with bf16 products
// and compares them with the reference's float32 outputs.
func TestBF16Golden(t *testing.T) {
	t.Run("encoder", func(t *testing.T) {
		f := golden.Open(t, "resnet_encoder.npz")
		e, err := NewEncoder(goldenArch(t, f))
		if err != nil {
			t.Fatal(err)
		}
		loadGolden(t, f, e.Params(), "")
		e.Fold()
		e.bf16 = gemm.BF16.Effective() == gemm.BF16
		n, _, size := nchw(t, f, "input")
		out := e.Forward(f.Get(t, "input").Data, n, size)
		for i := range out {
			name := fmt.Sprint("output", i)
			checkBF16Close(t, name, out[i], f.Get(t, name).Data, bf16Tol)
		}
	})
	t.Run("decoder", func(t *testing.T) {
		f := golden.Open(t, "decoder_small.npz")
		cfg, b := goldenDecoder(t, f, "", "input")
		d, err := NewDecoder("", cfg)
		if err != nil {
			t.Fatal(err)
		}
		loadGolden(t, f, d.Params(), "")
		d.setBF16(gemm.BF16.Effective() == gemm.BF16)
		mark := nn.ScratchOutstanding()
		outs := d.Forward(f.Get(t, "input").Data, b)
		nn.CheckScratchBalance(t, mark, "after a bf16 Decoder.Forward")
		for i := range outs {
			name := fmt.Sprint("output", i)
			checkBF16Close(t, name, outs[i], f.Get(t, name).Data, decoderTol)
		}
	})
}
