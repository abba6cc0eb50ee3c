package run

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/format/onnx"
	"github.com/mambaad/mambaad/format/pth"
	"github.com/mambaad/mambaad/internal/atomicfile"
	"github.com/mambaad/mambaad/model"
)

// Export formats.
const (
	FormatONNX = "onnx"
	FormatPth  = "pth"
)

// ExportOptions is `mambaad export`: a checkpoint as an ONNX model (the
// whole inference graph with its preprocessing, thresholds and classes in
// the metadata) or as a PyTorch state_dict in the reference's key layout.
type ExportOptions struct {
	Checkpoint string
	Format     string // FormatONNX or FormatPth; "" = from Out's extension
	Out        string
	// ScanChunk is onnx.Options.ScanChunk (0: one plain Scan per SS2D).
	ScanChunk int
	// Version is the mambaad version recorded in the ONNX file.
	Version        string
	Stdout, Stderr io.Writer
}

// Validate checks the options before anything is read.
func (o *ExportOptions) Validate() error {
	if o.Checkpoint == "" {
		return fmt.Errorf("give --checkpoint FILE")
	}
	if o.Out == "" {
		return fmt.Errorf("give -o FILE (model.onnx or model.pth)")
	}
	if o.Format == "" {
		switch strings.ToLower(filepath.Ext(o.Out)) {
		case ".onnx":
			o.Format = FormatONNX
		case ".pth", ".pt":
			o.Format = FormatPth
		default:
			return fmt.Errorf("give --format onnx or pth (%s has neither extension)", o.Out)
		}
	}
	o.Format = strings.ToLower(o.Format)
	if o.Format != FormatONNX && o.Format != FormatPth {
		return fmt.Errorf("unknown --format %q (want onnx or pth)", o.Format)
	}
	if o.ScanChunk < 0 {
		return fmt.Errorf("--scan-chunk %d must be ≥ 0 (0: one plain Scan)", o.ScanChunk)
	}
	if o.Version == "" {
		o.Version = "(devel)"
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return nil
}

// Run writes the export.
func (o *ExportOptions) Run(ctx context.Context) error {
	start := time.Now()
	d, err := detector.Load(o.Checkpoint)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.Format == FormatPth {
		return o.writePth(d, start)
	}
	return o.writeONNX(d, start)
}

func (o *ExportOptions) writePth(d *detector.Detector, start time.Time) error {
	if d.Meta.Method == detector.MethodMemory {
		return fmt.Errorf("%s: a memory-bank model (method memory) has no trained network to export as a state_dict", o.Checkpoint)
	}
	ts := StateDict(d.Model)
	err := atomicfile.Write(o.Out, func(w io.Writer) error { return pth.Save(w, ts) })
	if err != nil {
		return err
	}
	fi, err := os.Stat(o.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Stdout, "wrote %s: PyTorch state_dict, %d tensors in the reference MambaAD key layout (encoder under %q), %s, in %.1f s\n",
		o.Out, len(ts), model.EncoderPrefix, sizeText(fi.Size()), time.Since(start).Seconds())
	if d.Bank != nil || d.Protos != nil || !d.Meta.Thresholds.Empty() {
		fmt.Fprintln(o.Stderr, "note: a state_dict holds the network only; thresholds, class prototypes and the memory bank stay in the checkpoint (the ONNX export carries them)")
	}
	return nil
}

// StateDict is the model as the reference's MAMBAAD state_dict: the
// trainable tensors under their own names, the encoder's under "net_t.",
// float32 and int64 as stored.
func StateDict(m *model.MambaAD) []pth.Tensor {
	var ts []pth.Tensor
	for _, p := range m.Trainable() {
		ts = append(ts, paramTensor(p.Name, p.Shape, p.W, p.Int64))
	}
	for _, p := range m.Enc.Params() {
		ts = append(ts, paramTensor(model.EncoderPrefix+p.Name, p.Shape, p.W, p.Int64))
	}
	return ts
}

func paramTensor(name string, shape []int, w []float32, isInt bool) pth.Tensor {
	t := pth.Tensor{Name: name, Shape: append([]int{}, shape...)}
	if isInt {
		t.I64 = make([]int64, len(w))
		for i, v := range w {
			t.I64[i] = int64(v)
		}
		return t
	}
	t.F32 = w
	return t
}

func (o *ExportOptions) writeONNX(d *detector.Detector, start time.Time) error {
	sum, err := modelio.FileSHA256(o.Checkpoint)
	if err != nil {
		return err
	}
	opts := onnx.Options{ScanChunk: o.ScanChunk, ProducerVersion: o.Version, Metadata: ONNXMetadata(d, o.Version, sum),
		DocString: "MambaAD anomaly detector exported by mambaad " + o.Version + " from " + filepath.Base(o.Checkpoint) +
			". Input: normalised RGB images; outputs: anomaly_map and pred_score (see the metadata)."}
	if d.Meta.Method.UsesMemory() {
		opts.Memory = &onnx.Memory{Dim: d.Bank.Dim, Vec: d.Bank.Vec, Combined: d.Meta.Method == detector.MethodCombined}
		if f := d.Meta.Fusion; f != nil {
			opts.Memory.ReconScale, opts.Memory.MemoryScale = f.ReconScale, f.MemoryScale
		}
	}
	if p := d.Protos; p != nil {
		opts.Prototypes = &onnx.Prototypes{Names: p.Names, Dim: p.Dim, Vec: p.Vec, Temperature: p.Temperature}
	}
	m, err := onnx.Export(d.Model, opts)
	if err != nil {
		return err
	}
	b := m.Marshal()
	if err := atomicfile.Write(o.Out, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return err
	}
	ck, err := os.Stat(o.Checkpoint)
	if err != nil {
		return err
	}
	S := d.Model.Cfg.ImageSize
	outs := "anomaly_map (batch,1," + strconv.Itoa(S) + "," + strconv.Itoa(S) + "), pred_score (batch)"
	if opts.Prototypes != nil {
		outs += fmt.Sprintf(", class_probs (batch,%d)", len(opts.Prototypes.Names))
	}
	fmt.Fprintf(o.Stdout, "wrote %s: ONNX opset %d, %s (%.2f× the checkpoint), in %.1f s\n  input  image (batch,3,%d,%d) float32, normalised\n  output %s\n",
		o.Out, onnx.Opset, sizeText(int64(len(b))), float64(len(b))/float64(ck.Size()), time.Since(start).Seconds(), S, S, outs)
	return nil
}

func sizeText(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// ONNX metadata keys (metadata_props). Values are plain text or JSON.
const (
	MetaVersion        = "mambaad_version"
	MetaCheckpoint     = "checkpoint"
	MetaCheckpointHash = "checkpoint_sha256"
	MetaMethod         = "method"
	MetaConfig         = "model_config"
	MetaEncoder        = "encoder"
	MetaInputName      = "input_name"
	MetaInputShape     = "input_shape"
	MetaInputSize      = "input_size"
	MetaColor          = "input_color"
	MetaResize         = "resize"
	MetaCrop           = "crop"
	MetaMean           = "mean"
	MetaStd            = "std"
	MetaPreprocess     = "preprocess"
	MetaThresholds     = "thresholds"
	MetaThreshold      = "threshold"
	MetaClassNames     = "class_names"
	MetaTemperature    = "class_temperature"
	MetaOutputs        = "outputs"
	MetaDecision       = "decision_rule"
)

// ONNXMetadata is what a runtime user needs besides the graph: the
// preprocessing (size, resize rule, crop, mean and std), the calibrated
// thresholds (global and per class, as the checkpoint stores them), the
// class names, the method, the model configuration, the encoder's origin,
// and where the file came from (mambaad version, checkpoint SHA-256).
func ONNXMetadata(d *detector.Detector, version, checkpointSHA string) []onnx.Entry {
	S := d.Model.Cfg.ImageSize
	js := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	cfg := js(d.Model.Cfg)
	size := strconv.Itoa(S)
	es := []onnx.Entry{
		{Key: MetaVersion, Value: version},
		{Key: MetaCheckpoint, Value: filepath.Base(d.Path)},
		{Key: MetaCheckpointHash, Value: checkpointSHA},
		{Key: MetaMethod, Value: string(d.Meta.Method)},
		{Key: MetaConfig, Value: cfg},
		{Key: MetaEncoder, Value: js(d.Meta.Encoder) + " — " + d.Meta.Encoder.String()},
		{Key: MetaInputName, Value: onnx.InputName},
		{Key: MetaInputShape, Value: "[batch,3," + size + "," + size + "] float32 NCHW"},
		{Key: MetaInputSize, Value: size},
		{Key: MetaColor, Value: "RGB (greyscale expanded to 3 channels)"},
		{Key: MetaResize, Value: fmt.Sprintf("resize to %d×%d (aspect ratio not kept) with PIL's bilinear filter, Image.resize(..., Image.BILINEAR), which widens its kernel when shrinking (antialiased)", S, S)},
		{Key: MetaCrop, Value: "centre " + size + "×" + size},
		{Key: MetaMean, Value: floats(data.Mean[:])},
		{Key: MetaStd, Value: floats(data.Std[:])},
		{Key: MetaPreprocess, Value: "x = (pixel/255 − mean)/std per channel, after the resize and crop; float32"},
		{Key: MetaThresholds, Value: js(d.Meta.Thresholds)},
	}
	if g := d.Meta.Thresholds.Global; g != nil {
		es = append(es, onnx.Entry{Key: MetaThreshold, Value: strconv.FormatFloat(g.Value, 'g', -1, 64)})
	}
	if p := d.Protos; p != nil {
		es = append(es, onnx.Entry{Key: MetaClassNames, Value: js(p.Names)},
			onnx.Entry{Key: MetaTemperature, Value: strconv.FormatFloat(p.Temperature, 'g', -1, 64)})
	} else if names := classNames(d); names != nil {
		es = append(es, onnx.Entry{Key: MetaClassNames, Value: js(names)})
	}
	how := "1 − cosine of encoder and decoder features"
	switch d.Meta.Method {
	case detector.MethodMemory:
		how = "distance of each layer-2 patch to its nearest normal patch in the memory bank"
	case detector.MethodCombined:
		how = fmt.Sprintf("(1 − cosine of encoder and decoder features)/%g + (distance to the nearest memory-bank patch)/%g", d.Meta.Fusion.ReconScale, d.Meta.Fusion.MemoryScale)
	}
	outs := fmt.Sprintf("anomaly_map: [batch,1,%d,%d] per-pixel anomaly (%s, Gaussian-blurred σ=%d); pred_score: [batch] image score = max of anomaly_map", S, S, how, model.Sigma)
	if d.Protos != nil {
		outs += "; class_probs: [batch,classes] product class probabilities in class_names order"
	}
	es = append(es, onnx.Entry{Key: MetaOutputs, Value: outs},
		onnx.Entry{Key: MetaDecision, Value: "an image is anomalous when pred_score ≥ its class's threshold (thresholds.classes[class].value, else thresholds.global.value; the class is known, or the argmax of class_probs); a pixel is defective when anomaly_map ≥ the same threshold"})
	return es
}

// classNames are the classes a checkpoint without prototypes was
// calibrated for (sorted threshold keys), or nil.
func classNames(d *detector.Detector) []string {
	if len(d.Meta.Thresholds.Classes) == 0 {
		return nil
	}
	var out []string
	for c := range d.Meta.Thresholds.Classes {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func floats(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
