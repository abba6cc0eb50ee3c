package model

import (
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
)

func TestEncoderGolden(t *testing.T) {
	f := golden.Open(t, "resnet_encoder.npz")
	e, err := NewEncoder("resnet18")
	if err != nil {
		t.Fatal(err)
	}
	loadGolden(t, f, e.Params(), "")
	e.Fold()
	out := e.Forward(f.Get(t, "input").Data, 1, 64)
	for i, name := range []string{"output0", "output1", "output2"} {
		checkClose(t, name, out[i], f.Get(t, name), outTol)
	}
}

func TestAnomalyMapGolden(t *testing.T) {
	f := golden.Open(t, "anomaly_map.npz")
	var ft, fs [][]float32
	for _, i := range []string{"0", "1", "2"} {
		ft = append(ft, f.Get(t, "ft"+i).Data)
		fs = append(fs, f.Get(t, "fs"+i).Data)
	}
	chans, sides := []int{64, 128, 256}, []int{64, 32, 16}
	for _, c := range []struct {
		key   string
		sigma float64
	}{{"anomaly_map_nogauss", 0}, {"anomaly_map", 4}} {
		got := AnomalyMaps(ft, fs, chans, sides, 2, 256, c.sigma)
		ref := f.Get(t, c.key)
		g32 := make([]float32, len(got))
		for i, v := range got {
			g32[i] = float32(v)
		}
		checkClose(t, c.key, g32, ref, 1e-6)
	}
}

// TestFullSmallAnomalyMap recomputes the full 256×256 model's anomaly map
// from its stored encoder and decoder features (the golden has no weights,
// so only this part of the case can be compared value by value).
func TestFullSmallAnomalyMap(t *testing.T) {
	f := golden.Open(t, "full_small.npz")
	var ft, fs [][]float32
	for _, i := range []string{"0", "1", "2"} {
		ft = append(ft, f.Get(t, "feat_t"+i).Data)
		fs = append(fs, f.Get(t, "feat_s"+i).Data)
	}
	got := AnomalyMaps(ft, fs, []int{64, 128, 256}, []int{64, 32, 16}, 1, 256, 4)
	g32 := make([]float32, len(got))
	for i, v := range got {
		g32[i] = float32(v)
	}
	checkClose(t, "anomaly_map", g32, f.Get(t, "anomaly_map"), 1e-5)
}

// TestFullModelShapes builds the reference configuration and checks that
// its tensors and outputs have the golden full_small shapes.
func TestFullModelShapes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the 256×256 ResNet34 model")
	}
	f := golden.Open(t, "full_small.npz")
	m, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	n := nn.CountParams(m.Trainable())
	// The spec quotes about 25.7 M parameters for the whole model; the
	// trainable part (fusion + decoder) is the golden's 17.45 M floats minus
	// buffers.
	t.Logf("trainable parameters: %d", n)
	if n < 17_000_000 || n > 17_500_000 {
		t.Errorf("trainable parameters %d, expected about 17.4 M", n)
	}
	m.Init(1)
	m.Enc.InitRandom(1)
	feats := m.Features(f.Get(t, "input").Data, 1)
	outs := m.Reconstruct(feats, 1)
	for i := range outs {
		ref := f.Get(t, "feat_s"+string(rune('0'+i)))
		if len(outs[i]) != len(ref.Data) || len(feats[i]) != len(ref.Data) {
			t.Errorf("level %d: ours %d/%d values, golden %v", i, len(feats[i]), len(outs[i]), ref.Shape)
		}
	}
}
