package modelio

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/format/pth"
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
	if err := Save(path, m, map[string]string{"note": "round trip"}); err != nil {
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
