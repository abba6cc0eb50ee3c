package modelio

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/format/pth"
	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/mambaad/mambaad/internal/atomicfile"
	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/scanorder"
)

// tinyConfig is the smallest full model: 64×64 input, ResNet18, one LSS
// module of two HSS blocks per stage.
func tinyConfig() model.Config {
	c := model.DefaultConfig()
	c.Backbone, c.ImageSize, c.Depths = "resnet18", 64, []int{2, 2, 2, 2}
	return c
}

// TestCheckpointRoundTrip saves a model and loads it back: same
// configuration, same tensors, same anomaly maps.
func TestCheckpointRoundTrip(t *testing.T) {
	m, err := model.New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	m.Init(3)
	m.Enc.InitRandom(3)
	path := filepath.Join(t.TempDir(), "m.ckpt")
	if err := Save(path, m, SaveOptions{Meta: map[string]string{"note": "round trip"}}); err != nil {
		t.Fatal(err)
	}
	back, f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Meta["note"] != "round trip" || !slices.Equal(back.Cfg.Depths, m.Cfg.Depths) || back.Cfg.ImageSize != 64 {
		t.Fatalf("metadata or configuration lost: %v %+v", f.Meta, back.Cfg)
	}
	a, b := m.All(), back.All()
	for i := range a {
		if a[i].Name != b[i].Name || !slices.Equal(a[i].W, b[i].W) {
			t.Fatalf("tensor %s differs after the round trip", a[i].Name)
		}
	}
	x := randImages(2, 64)
	p1, p2 := m.Predict(x, 2), back.Predict(x, 2)
	if !slices.Equal(p1.Maps, p2.Maps) {
		t.Fatal("the loaded model predicts differently")
	}
}

// TestLoadGoldenPth loads the reference's own checkpoints of the small
// decoder (zip and legacy torch.save formats) by state_dict name and checks
// the forward pass against the golden output.
func TestLoadGoldenPth(t *testing.T) {
	ref := golden.Open(t, "decoder_small.npz")
	for _, file := range []string{"checkpoint_small.pth", "checkpoint_small_legacy.pth"} {
		t.Run(file, func(t *testing.T) {
			ts, err := pth.Load(golden.Path(t, file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := model.NewDecoder("", model.DecoderConfig{Dims: []int{64, 32, 16, 8}, Depths: []int{3, 4, 6, 3},
				Side0: 8, Order: scanorder.Hilbert, K: 8, N: 16, LNEps: 1e-5})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := loadInto(file, d.Params(), ts, func(k string) string { return k })
			if err != nil {
				t.Fatal(err)
			}
			if rep.Loaded != 321 || len(rep.Missing)+len(rep.Unexpected) != 0 {
				t.Fatalf("load report: %s", rep)
			}
			outs := d.Forward(ref.Get(t, "input").Data, 1)
			if e := testutil.RelErr(outs[0], ref.Get(t, "output0").Data); e > 1e-4 {
				t.Fatalf("output0: relative error %.3g", e)
			}
		})
	}
}

// TestLoadRejectsOtherConfiguration feeds a checkpoint of one configuration
// to a model of another and expects an error naming the tensor and shapes.
func TestLoadRejectsOtherConfiguration(t *testing.T) {
	ts, err := pth.Load(golden.Path(t, "checkpoint_small.pth"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := model.NewDecoder("", model.DecoderConfig{Dims: []int{128, 64, 32, 16}, Depths: []int{3, 4, 6, 3},
		Side0: 8, Order: scanorder.Hilbert, K: 8, N: 16, LNEps: 1e-5})
	_, err = loadInto("checkpoint_small.pth", d.Params(), ts, func(k string) string { return k })
	if err == nil || !strings.Contains(err.Error(), "shape") || !strings.Contains(err.Error(), "checkpoint_small.pth") {
		t.Fatalf("mismatched checkpoint: %v", err)
	}
	// A different scan order is caught through the stored index buffers.
	z, _ := model.NewDecoder("", model.DecoderConfig{Dims: []int{64, 32, 16, 8}, Depths: []int{3, 4, 6, 3},
		Side0: 8, Order: scanorder.ZOrder, K: 8, N: 16, LNEps: 1e-5})
	if _, err := loadInto("checkpoint_small.pth", z.Params(), ts, func(k string) string { return k }); err == nil ||
		!strings.Contains(err.Error(), "scan") {
		t.Fatalf("checkpoint of another scan order: %v", err)
	}
}

func randImages(n, size int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*3*size*size)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// TestSaveOptions: a half-precision checkpoint is half the size and
// predicts within float16 rounding; an encoder stored by reference (a
// backbone file with its SHA-256, or a seed) loads back identically and
// makes the file smaller; a changed backbone file is refused; an
// encoder-only checkpoint leaves fusion and decoder out.
func TestSaveOptions(t *testing.T) {
	dir := t.TempDir()
	m, err := model.New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	m.Init(3)
	m.Enc.InitRandom(3)
	size := func(p string) int64 {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	full := filepath.Join(dir, "full.ckpt")
	if err := Save(full, m, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	x := randImages(2, 64)
	want := m.Predict(x, 2)

	half := filepath.Join(dir, "half.ckpt")
	if err := Save(half, m, SaveOptions{Half: true}); err != nil {
		t.Fatal(err)
	}
	hm, _, err := Load(half)
	if err != nil {
		t.Fatal(err)
	}
	if e := testutil.RelErr(hm.Predict(x, 2).Maps, want.Maps); e > 1e-2 || e == 0 {
		t.Errorf("half-precision model: anomaly maps differ by %.3g relative", e)
	}

	// The encoder by reference to a backbone file.
	bb := filepath.Join(dir, "backbone.safetensors")
	var ts []safetensors.Tensor
	for _, p := range m.Enc.Params() {
		ts = append(ts, toNamed(p.Name, p))
	}
	if err := atomicfile.Write(bb, func(w io.Writer) error { return safetensors.Encode(w, ts, nil) }); err != nil {
		t.Fatal(err)
	}
	sum, err := FileSHA256(bb)
	if err != nil {
		t.Fatal(err)
	}
	byRef := filepath.Join(dir, "ref.ckpt")
	if err := Save(byRef, m, SaveOptions{EncoderRef: &EncoderRef{Path: bb, SHA256: sum}}); err != nil {
		t.Fatal(err)
	}
	if size(byRef) >= size(full) {
		t.Errorf("by reference %d bytes, self-contained %d", size(byRef), size(full))
	}
	rm, _, err := Load(byRef)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rm.Predict(x, 2).Maps, want.Maps) {
		t.Error("the model with a referenced encoder predicts differently")
	}
	os.WriteFile(bb, []byte("changed"), 0o644)
	if _, _, err := Load(byRef); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("changed backbone file: %v", err)
	}
	seed := uint64(3)
	bySeed := filepath.Join(dir, "seed.ckpt")
	if err := Save(bySeed, m, SaveOptions{EncoderRef: &EncoderRef{RandomSeed: &seed}}); err != nil {
		t.Fatal(err)
	}
	if sm, _, err := Load(bySeed); err != nil || !slices.Equal(sm.Predict(x, 2).Maps, want.Maps) {
		t.Errorf("the model with a seeded encoder: %v", err)
	}

	enc := filepath.Join(dir, "enc.ckpt")
	if err := Save(enc, m, SaveOptions{EncoderOnly: true}); err != nil {
		t.Fatal(err)
	}
	em, _, err := Load(enc)
	if err != nil {
		t.Fatal(err)
	}
	if size(enc) >= size(full)/2 {
		t.Errorf("encoder-only %d bytes, full %d", size(enc), size(full))
	}
	f1, f2 := m.Features(x, 2), em.Features(x, 2)
	if !slices.Equal(f1[2], f2[2]) {
		t.Error("encoder-only checkpoint: features differ")
	}
}
