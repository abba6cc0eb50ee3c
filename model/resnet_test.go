package model

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/nn"
)

// TestEncoderGolden builds the architecture the stored state dict describes
// (goldenArch) at the input's batch and size.
func TestEncoderGolden(t *testing.T) {
	f := golden.Open(t, "resnet_encoder.npz")
	e, err := NewEncoder(goldenArch(t, f))
	if err != nil {
		t.Fatal(err)
	}
	loadGolden(t, f, e.Params(), "")
	e.Fold()
	n, _, size := nchw(t, f, "input")
	mark := nn.ScratchOutstanding()
	out := e.Forward(f.Get(t, "input").Data, n, size)
	nn.CheckScratchBalance(t, mark, "after Encoder.Forward")
	if levels := f.Count("output%d"); levels != len(out) {
		t.Fatalf("%d outputs, golden %d", len(out), levels)
	}
	for i := range out {
		name := fmt.Sprint("output", i)
		checkClose(t, name, out[i], f.Get(t, name), outTol)
	}
}

// anomalySigma is the reference's anomaly-map blur (README: gaussian_sigma
// = 4); the golden files do not record it.
const anomalySigma = 4

// goldenAnomalyMap recomputes an anomaly map from stored features named
// <t>%d and <s>%d; levels, channels, sides and batch come from their shapes,
// the map size from the stored map (n, size, size).
func goldenAnomalyMap(t *testing.T, f *golden.File, tName, sName, mapName string, sigma float64) []float32 {
	t.Helper()
	chans, sides, n := goldenLevels(t, f, tName+"%d")
	ms := mustShape(t, f, mapName)
	if len(ms) != 3 || ms[0] != n || ms[1] != ms[2] {
		t.Fatalf("%s has shape %v for %d images", mapName, ms, n)
	}
	var ft, fs [][]float32
	for i := range chans {
		ft = append(ft, f.Get(t, fmt.Sprint(tName, i)).Data)
		fs = append(fs, f.Get(t, fmt.Sprint(sName, i)).Data)
	}
	mark := nn.ScratchOutstanding()
	got := AnomalyMaps(ft, fs, chans, sides, n, ms[1], sigma)
	nn.CheckScratchBalance(t, mark, "after AnomalyMaps")
	g32 := make([]float32, len(got))
	for i, v := range got {
		g32[i] = float32(v)
	}
	return g32
}

func TestAnomalyMapGolden(t *testing.T) {
	f := golden.Open(t, "anomaly_map.npz")
	for _, c := range []struct {
		key   string
		sigma float64
	}{{"anomaly_map_nogauss", 0}, {"anomaly_map", anomalySigma}} {
		got := goldenAnomalyMap(t, f, "ft", "fs", c.key, c.sigma)
		checkClose(t, c.key, got, f.Get(t, c.key), 1e-6)
	}
}

// TestFullSmallAnomalyMap recomputes the full model's anomaly map from its
// stored encoder and decoder features (the golden has no weights, so only
// this part of the case can be compared value by value).
func TestFullSmallAnomalyMap(t *testing.T) {
	f := golden.Open(t, "full_small.npz")
	got := goldenAnomalyMap(t, f, "feat_t", "feat_s", "anomaly_map", anomalySigma)
	checkClose(t, "anomaly_map", got, f.Get(t, "anomaly_map"), 1e-5)
}

// TestFullModelShapes builds the full model at the golden input's size and
// checks that its features and reconstructions have the golden full_small
// shapes. full_small.npz stores no weights, so the architecture cannot be
// read from it: the README's (ResNet34 encoder, the reference decoder, as
// DefaultConfig) is used with the image size of the stored input, and the
// size of the fusion + decoder state dict is checked against the
// generator's record of it in tolerances.json (_info.
// decoder_full_state_dict_MB) when that file has it.
func TestFullModelShapes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full-size model")
	}
	f := golden.Open(t, "full_small.npz")
	n, _, size := nchw(t, f, "input")
	cfg := DefaultConfig()
	cfg.ImageSize = size
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trainable parameters: %d", nn.CountParams(m.Trainable()))
	if mb, ok := stateDictMB(t); ok {
		bytes := 0
		for _, p := range m.Trainable() {
			if p.Int64 {
				bytes += 8 * p.Numel()
			} else {
				bytes += 4 * p.Numel()
			}
		}
		if want := mb * (1 << 20); math.Abs(float64(bytes)-want) > 0.5 {
			t.Errorf("fusion + decoder state dict is %d bytes; the reference's is %.0f", bytes, want)
		}
	}
	m.Init(1)
	m.Enc.InitRandom(1)
	feats := m.Features(f.Get(t, "input").Data, n)
	outs := m.Reconstruct(feats, n)
	if levels := f.Count("feat_s%d"); len(outs) != levels {
		t.Fatalf("%d reconstructed levels, golden %d", len(outs), levels)
	}
	for i := range outs {
		want := mustShape(t, f, fmt.Sprint("feat_s", i))
		if len(outs[i]) != nn.Numel(want) || len(feats[i]) != nn.Numel(want) {
			t.Errorf("level %d: ours %d/%d values, golden %v", i, len(feats[i]), len(outs[i]), want)
		}
	}
}

// stateDictMB reads _info.decoder_full_state_dict_MB from the golden
// directory's tolerances.json, if present.
func stateDictMB(t *testing.T) (float64, bool) {
	raw, err := os.ReadFile(filepath.Join(golden.Dir(), "tolerances.json"))
	if err != nil {
		t.Logf("no tolerances.json (%v): state dict size not checked", err)
		return 0, false
	}
	var tol struct {
		Info struct {
			MB *float64 `json:"decoder_full_state_dict_MB"`
		} `json:"_info"`
	}
	if err := json.Unmarshal(raw, &tol); err != nil || tol.Info.MB == nil {
		t.Logf("tolerances.json has no _info.decoder_full_state_dict_MB: state dict size not checked")
		return 0, false
	}
	return *tol.Info.MB, true
}
