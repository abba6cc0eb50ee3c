package run

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	apppredict "github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/format/onnx"
	"github.com/mambaad/mambaad/format/pth"
	"github.com/mambaad/mambaad/internal/exporttest"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/model/membank"
)

// exportCheckpoint saves m as a calibrated two-class detector checkpoint:
// class prototypes, a global threshold and one for class "b".
func exportCheckpoint(t testing.TB, m *model.MambaAD, dir string, x []float32, n int) (string, *detector.Detector) {
	t.Helper()
	d := detector.FromModel(m)
	c3 := m.Enc.Channels[2]
	r := rand.New(rand.NewPCG(4, 4))
	vec := make([]float32, 2*c3)
	for k := 0; k < 2; k++ { // unit rows
		var ss float64
		for j := 0; j < c3; j++ {
			v := r.NormFloat64()
			vec[k*c3+j], ss = float32(v), ss+v*v
		}
		for j := 0; j < c3; j++ {
			vec[k*c3+j] /= float32(math.Sqrt(ss))
		}
	}
	d.SetPrototypes(&detector.Prototypes{Names: []string{"a", "b"}, Dim: c3, Vec: vec, Temperature: 0.05})
	// Thresholds between scores, so decisions go both ways. (A threshold
	// within float32 rounding of a score, ~1e-7 relative, could decide that
	// image differently in a float32 runtime; calibrated thresholds sit
	// one ulp above a calibration image's score, so only those images can
	// be affected, never unseen ones in practice.)
	p := d.Predict(x, n)
	s := slices.Sorted(slices.Values(p.Scores))
	d.Meta.Thresholds = detector.Thresholds{
		Global:  &detector.Threshold{Value: (s[0] + s[len(s)-1]) / 2, Method: "given"},
		Classes: map[string]detector.Threshold{"b": {Value: (s[0] + s[1]) / 2, Method: "fpr", FPR: 0.01, Images: 10}},
	}
	path := filepath.Join(dir, "model.ckpt")
	if err := modelio.Save(path, m, modelio.SaveOptions{Meta: d.Meta.Entries(), Extra: d.Parts(false)}); err != nil {
		t.Fatal(err)
	}
	loaded, err := detector.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, loaded
}

func runExport(t testing.TB, ckpt, out string, extra ...func(*ExportOptions)) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	o := ExportOptions{Checkpoint: ckpt, Out: out, Version: "test-version", Stdout: &stdout, Stderr: &stderr}
	for _, f := range extra {
		f(&o)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := o.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return stdout.String() + stderr.String()
}

// TestExportONNXMetadata: the file's metadata_props, read back by the Go
// decoder, carry the preprocessing, thresholds, classes and provenance.
func TestExportONNXMetadata(t *testing.T) {
	m := exporttest.SmallModel(t, "zigzag", 4, 4, 2)
	dir := t.TempDir()
	x := exporttest.Images(4, 64, 1)
	ckpt, d := exportCheckpoint(t, m, dir, x, 4)
	out := filepath.Join(dir, "model.onnx")
	msg := runExport(t, ckpt, out)
	if !strings.Contains(msg, "wrote "+out) || !strings.Contains(msg, "class_probs (batch,2)") {
		t.Errorf("summary: %s", msg)
	}
	entries, err := onnx.ReadMetadata(out)
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{}
	for _, e := range entries {
		meta[e.Key] = e.Value
	}
	sum, _ := modelio.FileSHA256(ckpt)
	var th detector.Thresholds
	if err := json.Unmarshal([]byte(meta[MetaThresholds]), &th); err != nil {
		t.Fatal(err)
	}
	if th.Global == nil || th.Global.Value != d.Meta.Thresholds.Global.Value || th.Classes["b"].Value != d.Meta.Thresholds.Classes["b"].Value {
		t.Errorf("thresholds %s, want %+v", meta[MetaThresholds], d.Meta.Thresholds)
	}
	want := map[string]string{
		MetaVersion: "test-version", MetaCheckpointHash: sum, MetaCheckpoint: "model.ckpt", MetaMethod: "recon",
		MetaInputSize: "64", MetaMean: "[0.485,0.456,0.406]", MetaStd: "[0.229,0.224,0.225]",
		MetaClassNames: `["a","b"]`, MetaTemperature: "0.05", MetaCrop: "centre 64×64",
		MetaThreshold: fmt.Sprint(d.Meta.Thresholds.Global.Value), MetaInputName: "image",
	}
	for k, v := range want {
		if meta[k] != v {
			t.Errorf("metadata %s = %q, want %q", k, meta[k], v)
		}
	}
	for _, k := range []string{MetaResize, MetaConfig, MetaEncoder, MetaOutputs, MetaDecision, MetaPreprocess, MetaColor, MetaInputShape} {
		if meta[k] == "" {
			t.Errorf("metadata %s missing", k)
		}
	}
	if !strings.Contains(meta[MetaResize], "bilinear") || !strings.Contains(meta[MetaResize], "antialiased") {
		t.Errorf("resize rule %q", meta[MetaResize])
	}
	var cfg model.Config
	if err := json.Unmarshal([]byte(meta[MetaConfig]), &cfg); err != nil || cfg.Scan != "zigzag" || cfg.Directions != 4 {
		t.Errorf("model_config %q (%v)", meta[MetaConfig], err)
	}
}

// TestExportONNXCheckerAndORT is the command's ONNX file in two real
// runtimes: onnx.checker.check_model(full_check=True) from python3-onnx
// (with the inferred input and output shapes and the metadata), and ONNX
// Runtime, whose anomaly maps, scores, class probabilities and decisions
// must be mambaad's (detector.Predict on the same checkpoint).
func TestExportONNXCheckerAndORT(t *testing.T) {
	m := exporttest.SmallModel(t, "hilbert", 8, 8, 5)
	dir := t.TempDir()
	const n = 4
	x := exporttest.Images(n, 64, 7)
	ckpt, d := exportCheckpoint(t, m, dir, x, n)
	out := filepath.Join(dir, "model.onnx")
	runExport(t, ckpt, out)
	t.Run("checker", func(t *testing.T) {
		py := exporttest.NeedPython(t, "onnx", "python3-onnx")
		checkONNXFile(t, py, out, 64, 2)
	})
	t.Run("ort", func(t *testing.T) {
		ort := exporttest.NeedORT(t)
		p := compareWithORT(t, ort, d, out, x, n)
		t.Logf("map max rel %.2e, abs/max %.2e", p.MaxRel, p.MaxAbsOverMax)
	})
}

// checkONNXFile runs tools/export/check_onnx.py and checks what it reports.
func checkONNXFile(t *testing.T, py, path string, size, classes int) {
	t.Helper()
	out := exporttest.Python(t, py, "check_onnx.py", path)
	var rep struct {
		IR       int                       `json:"ir_version"`
		Opset    map[string]int            `json:"opset"`
		Inputs   map[string][]any          `json:"inputs"`
		Outputs  map[string][]any          `json:"outputs"`
		Ops      map[string]int            `json:"ops"`
		Metadata map[string]string         `json:"metadata"`
		Producer []string                  `json:"producer"`
		Extra    map[string]map[string]any `json:"-"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("check_onnx.py: %v\n%s", err, out)
	}
	if rep.Opset["ai.onnx"] != onnx.Opset || rep.IR != onnx.IRVersion || rep.Producer[0] != "mambaad" {
		t.Errorf("opset %v, IR %d, producer %v", rep.Opset, rep.IR, rep.Producer)
	}
	s := float64(size)
	wantIO := map[string][]any{onnx.InputName: {"batch", 3.0, s, s}}
	if fmt.Sprint(rep.Inputs) != fmt.Sprint(wantIO) {
		t.Errorf("inputs %v, want %v", rep.Inputs, wantIO)
	}
	wantOut := map[string][]any{onnx.OutputMap: {"batch", 1.0, s, s}, onnx.OutputScore: {"batch"}}
	if classes > 0 {
		wantOut[onnx.OutputClass] = []any{"batch", float64(classes)}
	}
	if fmt.Sprint(rep.Outputs) != fmt.Sprint(wantOut) {
		t.Errorf("outputs %v, want %v", rep.Outputs, wantOut)
	}
	if (rep.Ops["Scan"] == 0) != (rep.Metadata[MetaMethod] == "memory") || rep.Metadata[MetaInputSize] != fmt.Sprint(size) {
		t.Errorf("ops %v, metadata %v", rep.Ops, rep.Metadata)
	}
	t.Logf("onnx checker (full) passed: %d Scan, %d Conv, %d MatMul nodes", rep.Ops["Scan"], rep.Ops["Conv"], rep.Ops["MatMul"])
}

// compareWithORT runs the exported file in ONNX Runtime and compares every
// output with d.Predict: maps within 1e-4 relative element by element,
// scores within 1e-4, class probabilities within 1e-4 absolute with the
// same argmax, and identical decisions at the checkpoint's thresholds,
// both with the inferred class and with each class given.
func compareWithORT(t *testing.T, ort *exporttest.ORT, d *detector.Detector, path string, x []float32, n int) exporttest.Parity {
	t.Helper()
	S := d.Model.Cfg.ImageSize
	res := ort.Run(t, path, x, n, S)
	want := d.Predict(x, n)
	p := exporttest.Compare(res.Out[onnx.OutputMap], want.Maps, 1e-3)
	if p.MaxRel > 1e-4 {
		t.Errorf("anomaly map: max relative error %.3g > 1e-4 (ORT %v, mambaad %v at %d)", p.MaxRel, res.Out[onnx.OutputMap][p.At], want.Maps[p.At], p.At)
	}
	scores := res.Out[onnx.OutputScore]
	probs := res.Out[onnx.OutputClass]
	if len(scores) != n {
		t.Fatalf("%d scores for %d images", len(scores), n)
	}
	for b := 0; b < n; b++ {
		if r := math.Abs(float64(scores[b])-want.Scores[b]) / want.Scores[b]; r > 1e-4 {
			t.Errorf("image %d: score %v, mambaad %v", b, scores[b], want.Scores[b])
		}
		var guess *detector.ClassGuess
		if d.Protos != nil {
			k := len(d.Protos.Names)
			row := probs[b*k : (b+1)*k]
			best := 0
			for j := range row {
				if row[j] > row[best] {
					best = j
				}
			}
			g := want.Classes[b]
			if d.Protos.Names[best] != g.Class || math.Abs(float64(row[best])-g.Confidence) > 1e-4 {
				t.Errorf("image %d: ORT class %s (%.6f), mambaad %s (%.6f)", b, d.Protos.Names[best], row[best], g.Class, g.Confidence)
			}
			guess = &detector.ClassGuess{Class: d.Protos.Names[best], Confidence: float64(row[best])}
		}
		var refGuess *detector.ClassGuess
		if want.Classes != nil {
			g := want.Classes[b]
			refGuess = &g
		}
		classes := []string{""}
		if d.Protos != nil {
			classes = append(classes, d.Protos.Names...)
		}
		for c := range d.Meta.Thresholds.Classes {
			classes = append(classes, c)
		}
		for _, class := range classes {
			got := d.Decide(float64(scores[b]), class, guess, nil)
			ref := d.Decide(want.Scores[b], class, refGuess, nil)
			if (got.Anomalous == nil) != (ref.Anomalous == nil) || got.Anomalous != nil && *got.Anomalous != *ref.Anomalous || got.Class != ref.Class {
				t.Errorf("image %d class %q: ORT decision %+v, mambaad %+v", b, class, got, ref)
			}
		}
	}
	return p
}

// TestExportPthRoundTrip: the .pth holds the reference key layout; reading
// it back (modelio.LoadReference, what `pth` import and train --init use)
// gives a bit-identical model, whose checkpoint is byte-identical to the
// original's and whose predictions are the same bits; PyTorch's
// torch.load(weights_only=True) reads the same names, shapes and values.
func TestExportPthRoundTrip(t *testing.T) {
	m := exporttest.SmallModel(t, "scan", 8, 4, 11)
	dir := t.TempDir()
	x := exporttest.Images(2, 64, 3)
	ckpt, _ := exportCheckpoint(t, m, dir, x, 2)
	out := filepath.Join(dir, "model.pth")
	msg := runExport(t, ckpt, out)
	if !strings.Contains(msg, "reference MambaAD key layout") || !strings.Contains(msg, "thresholds, class prototypes") {
		t.Errorf("summary: %s", msg)
	}
	ts, err := pth.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	all := m.All()
	if len(ts) != len(all) {
		t.Fatalf("%d tensors in the .pth, the model has %d", len(ts), len(all))
	}
	encoder := map[string]bool{}
	for _, p := range m.Enc.Params() {
		encoder[p.Name] = true
	}
	for i, p := range all {
		want := p.Name
		if encoder[p.Name] {
			want = model.EncoderPrefix + p.Name
		}
		if ts[i].Name != want || !slices.Equal(ts[i].Shape, p.Shape) {
			t.Fatalf("tensor %d: %s %v, want %s %v", i, ts[i].Name, ts[i].Shape, want, p.Shape)
		}
	}

	back, err := model.New(m.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := modelio.LoadReference(back, out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != len(all) || len(rep.Missing)+len(rep.Unexpected) > 0 {
		t.Fatalf("re-import: %s", rep)
	}
	for i, p := range back.All() {
		for j, v := range p.W {
			if math.Float32bits(v) != math.Float32bits(all[i].W[j]) {
				t.Fatalf("%s[%d]: %v after the round trip, was %v", p.Name, j, v, all[i].W[j])
			}
		}
	}
	a, b := filepath.Join(dir, "a.ckpt"), filepath.Join(dir, "b.ckpt")
	if err := modelio.Save(a, m, modelio.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := modelio.Save(b, back, modelio.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) {
		t.Fatal("the re-imported model's checkpoint differs from the original's")
	}
	p1, p2 := detector.FromModel(m).Predict(x, 2), detector.FromModel(back).Predict(x, 2)
	if !slices.Equal(p1.Maps, p2.Maps) {
		t.Fatal("the re-imported model predicts differently")
	}
	// train --init NAME.pth
	init, err := model.New(m.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	init.Init(99)
	if err := modelio.LoadTrainable(init, out); err != nil {
		t.Fatal(err)
	}
	for i, p := range init.Trainable() {
		if !slices.Equal(p.W, m.Trainable()[i].W) {
			t.Fatalf("LoadTrainable: %s differs", p.Name)
		}
	}

	t.Run("torch", func(t *testing.T) {
		py := exporttest.NeedPython(t, "torch", "python3-torch")
		manifest, blob := exporttest.WriteStateDictExpectation(t, t.TempDir(), StateDict(m))
		t.Log(exporttest.Python(t, py, "check_pth.py", out, manifest, blob))
	})
}

// memoryCheckpoint saves m as a memory-bank detector (method memory or
// combined) whose bank is the patch vectors of other images, so test
// patches have close neighbours, and near-ties between bank rows occur as
// with a real bank.
func memoryCheckpoint(t testing.TB, m *model.MambaAD, dir string, method detector.Method) string {
	t.Helper()
	d := detector.FromModel(m)
	chans, sides := m.FeatureShapes()
	const nb = 3
	f := m.Features(exporttest.Images(nb, m.Cfg.ImageSize, 99), nb)
	dim := membank.Dim(chans[1], chans[2])
	vec := make([]float32, nb*sides[1]*sides[1]*dim)
	membank.Embed(f[1], f[2], nb, chans[1], chans[2], sides[1], sides[2], vec)
	bank, err := membank.New(dim, vec)
	if err != nil {
		t.Fatal(err)
	}
	d.Bank, d.Meta.Method = bank, method
	opts := modelio.SaveOptions{EncoderOnly: method == detector.MethodMemory}
	if method == detector.MethodCombined {
		d.Meta.Fusion = &detector.FusionStats{ReconScale: 0.35, MemoryScale: 1.7}
	}
	opts.Meta, opts.Extra = d.Meta.Entries(), d.Parts(false)
	path := filepath.Join(dir, string(method)+".ckpt")
	if err := modelio.Save(path, m, opts); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExportMemoryMethods: the memory and combined methods export too (the
// bank's nearest-neighbour search as Gemm, ArgMin and Gather), pass the
// ONNX checker, and ONNX Runtime gives detector.Predict's maps and scores.
func TestExportMemoryMethods(t *testing.T) {
	m := exporttest.SmallModel(t, "zorder", 4, 4, 21)
	x := exporttest.Images(3, 64, 8)
	for _, method := range []detector.Method{detector.MethodMemory, detector.MethodCombined} {
		t.Run(string(method), func(t *testing.T) {
			dir := t.TempDir()
			ckpt := memoryCheckpoint(t, m, dir, method)
			d, err := detector.Load(ckpt)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "model.onnx")
			runExport(t, ckpt, out)
			meta, err := onnx.ReadMetadata(out)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(meta, onnx.Entry{Key: MetaMethod, Value: string(method)}) {
				t.Errorf("metadata %v lacks method %s", meta, method)
			}
			// The bank is stored once (the search and the exact distance
			// share it), so the file stays about the checkpoint's size.
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			om, err := onnx.Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			bankElems := int64(d.Bank.Len() * d.Bank.Dim)
			copies := 0
			for _, in := range om.Graph.Initializers {
				n := int64(1)
				for _, v := range in.Dims {
					n *= v
				}
				if n == bankElems && strings.HasPrefix(in.Name, "membank") {
					copies++
				}
			}
			if copies != 1 {
				t.Errorf("the ONNX file holds the %d-value bank %d times, want once", bankElems, copies)
			}
			t.Run("checker", func(t *testing.T) {
				py := exporttest.NeedPython(t, "onnx", "python3-onnx")
				checkONNXFile(t, py, out, 64, 0)
			})
			t.Run("ort", func(t *testing.T) {
				p := compareWithORT(t, exporttest.NeedORT(t), d, out, x, 3)
				t.Logf("%s: map max rel %.2e, abs/max %.2e", method, p.MaxRel, p.MaxAbsOverMax)
			})
			if method == detector.MethodMemory {
				o := ExportOptions{Checkpoint: ckpt, Out: filepath.Join(dir, "m.pth")}
				if err := o.Validate(); err != nil {
					t.Fatal(err)
				}
				if err := o.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "method memory") {
					t.Errorf("pth of a memory model: %v", err)
				}
				if _, serr := os.Stat(o.Out); serr == nil {
					t.Error("a refused export left a file")
				}
			}
		})
	}
}

// TestExportBadOptions: refused before anything is read.
func TestExportBadOptions(t *testing.T) {
	for _, bad := range []ExportOptions{
		{Out: "x.onnx"},
		{Checkpoint: "c"},
		{Checkpoint: "c", Out: "x.bin"},
		{Checkpoint: "c", Out: "x.onnx", Format: "tflite"},
		{Checkpoint: "c", Out: "x.onnx", ScanChunk: -1},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestExportFull is the reference-size check (MAMBAAD_EXPORT_FULL=1; a few
// minutes): 256×256 models with ResNet18 and ResNet34 encoders and the full
// decoder (depths 3 4 6 3, d_state 16), exported through the command, each
// checked by the ONNX checker and against ONNX Runtime. It logs the export
// time (target ≤ 10 s), the file size against the checkpoint's (≤ 1.1×) and
// the parity per configuration. MAMBAAD_EXPORT_FULL=all runs every scan
// order with 2, 4 and 8 directions for both encoders.
func TestExportFull(t *testing.T) {
	mode := os.Getenv("MAMBAAD_EXPORT_FULL")
	if mode == "" {
		t.Skip("set MAMBAAD_EXPORT_FULL=1 (or =all) for the 256² ResNet18/ResNet34 export tests")
	}
	ort := exporttest.NeedORT(t)
	py := exporttest.NeedPython(t, "onnx", "python3-onnx")
	type conf struct {
		backbone, scan string
		k              int
	}
	confs := []conf{{"resnet18", "hilbert", 8}, {"resnet34", "hilbert", 8}}
	if mode == "all" {
		confs = nil
		for _, bb := range []string{"resnet18", "resnet34"} {
			for _, scan := range []string{"sweep", "scan", "zorder", "zigzag", "hilbert"} {
				for _, k := range []int{2, 4, 8} {
					confs = append(confs, conf{bb, scan, k})
				}
			}
		}
	}
	var lines []string
	for i, c := range confs {
		name := fmt.Sprintf("%s/%s/K%d", c.backbone, c.scan, c.k)
		t.Run(name, func(t *testing.T) {
			cfg := model.DefaultConfig()
			cfg.Backbone, cfg.Scan, cfg.Directions = c.backbone, c.scan, c.k
			m := exporttest.NewModel(t, cfg, uint64(i+1))
			dir := t.TempDir()
			const n = 2
			x := exporttest.Images(n, 256, uint64(i))
			ckpt, d := exportCheckpoint(t, m, dir, x, n)
			out := filepath.Join(dir, "model.onnx")
			start := time.Now()
			runExport(t, ckpt, out)
			took := time.Since(start)
			ci, _ := os.Stat(ckpt)
			oi, _ := os.Stat(out)
			ratio := float64(oi.Size()) / float64(ci.Size())
			if i < 2 || mode != "all" {
				checkONNXFile(t, py, out, 256, 2)
			}
			p := compareWithORT(t, ort, d, out, x, n)
			line := fmt.Sprintf("%-28s export %.1f s, %.1f MB onnx / %.1f MB ckpt = %.3f×, map max rel %.2e (abs/max %.2e)",
				name, took.Seconds(), float64(oi.Size())/1e6, float64(ci.Size())/1e6, ratio, p.MaxRel, p.MaxAbsOverMax)
			lines = append(lines, line)
			t.Log(line)
			if took > 10*time.Second {
				t.Errorf("export took %v > 10 s", took)
			}
			if ratio > 1.1 {
				t.Errorf("the ONNX file is %.2f× the checkpoint > 1.1×", ratio)
			}
		})
	}
	t.Log("256² models, batch 2:\n" + strings.Join(lines, "\n"))
}

// TestExportCheckpoint exports a real checkpoint (MAMBAAD_EXPORT_CHECKPOINT,
// e.g. the demo's or a trained model) through the command and compares
// ONNX Runtime with mambaad on real images (MAMBAAD_EXPORT_IMAGES: files,
// folders or globs, comma-separated; the first 8 found), preprocessed by
// data.LoadImage as predict does. A trained model reconstructs its
// features closely, so 1 − cos is small and its relative error the most
// demanding.
func TestExportCheckpoint(t *testing.T) {
	ckpt := os.Getenv("MAMBAAD_EXPORT_CHECKPOINT")
	if ckpt == "" {
		t.Skip("set MAMBAAD_EXPORT_CHECKPOINT=FILE and MAMBAAD_EXPORT_IMAGES=DIR to check a real model")
	}
	ort := exporttest.NeedORT(t)
	d, err := detector.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := apppredict.ExpandInputs(strings.Split(os.Getenv("MAMBAAD_EXPORT_IMAGES"), ","))
	if err != nil || len(paths) == 0 {
		t.Fatalf("MAMBAAD_EXPORT_IMAGES: %d images (%v)", len(paths), err)
	}
	paths = paths[:min(8, len(paths))]
	S := d.Model.Cfg.ImageSize
	var x []float32
	for _, p := range paths {
		v, err := data.LoadImage(p, S, S)
		if err != nil {
			t.Fatal(err)
		}
		x = append(x, v...)
	}
	dir := t.TempDir()
	for _, format := range []string{"onnx", "pth"} {
		out := filepath.Join(dir, "model."+format)
		start := time.Now()
		t.Log(strings.TrimSpace(runExport(t, ckpt, out)))
		fi, _ := os.Stat(out)
		ci, _ := os.Stat(ckpt)
		t.Logf("%s: %.1f s, %.1f MB (%.3f× the checkpoint)", format, time.Since(start).Seconds(), float64(fi.Size())/1e6, float64(fi.Size())/float64(ci.Size()))
		if format == "onnx" {
			p := compareWithORT(t, ort, d, out, x, len(paths))
			t.Logf("%d images: map max rel %.2e, abs/max %.2e", len(paths), p.MaxRel, p.MaxAbsOverMax)
		}
	}
}

// TestBankCheckpointRoundTrip: a checkpoint with a memory bank loads back
// with the same bank, fusion scales and method, and the loaded detector
// predicts exactly what the saved one did.
func TestBankCheckpointRoundTrip(t *testing.T) {
	m := exporttest.SmallModel(t, "hilbert", 4, 4, 5)
	x := exporttest.Images(2, 64, 6)
	for _, method := range []detector.Method{detector.MethodMemory, detector.MethodCombined} {
		t.Run(string(method), func(t *testing.T) {
			ckpt := memoryCheckpoint(t, m, t.TempDir(), method)
			d, err := detector.Load(ckpt)
			if err != nil {
				t.Fatal(err)
			}
			if d.Meta.Method != method || d.Bank == nil {
				t.Fatalf("loaded method %q, bank %v", d.Meta.Method, d.Bank != nil)
			}
			// The reference: the same bank and scales on the in-memory model.
			ref := detector.FromModel(m)
			ref.Meta.Method, ref.Meta.Fusion = method, d.Meta.Fusion
			if method == detector.MethodCombined && (d.Meta.Fusion == nil || d.Meta.Fusion.ReconScale != 0.35 || d.Meta.Fusion.MemoryScale != 1.7) {
				t.Fatalf("fusion scales %+v, want 0.35 and 1.7", d.Meta.Fusion)
			}
			chans, sides := m.FeatureShapes()
			const nb = 3
			f := m.Features(exporttest.Images(nb, m.Cfg.ImageSize, 99), nb)
			vec := make([]float32, nb*sides[1]*sides[1]*membank.Dim(chans[1], chans[2]))
			membank.Embed(f[1], f[2], nb, chans[1], chans[2], sides[1], sides[2], vec)
			if !slices.Equal(d.Bank.Vec, vec) {
				t.Fatal("the loaded bank differs from the saved one")
			}
			if ref.Bank, err = membank.New(d.Bank.Dim, vec); err != nil {
				t.Fatal(err)
			}
			got, want := d.Predict(x, 2), ref.Predict(x, 2)
			if !slices.Equal(got.Maps, want.Maps) || !slices.Equal(got.Scores, want.Scores) {
				t.Error("the loaded detector predicts differently from the saved one")
			}
		})
	}
}
