// Package detector is a trained model ready to judge images: the network
// (and the memory bank, for the methods that use one), what its checkpoint
// says about it (encoder origin, training data, method, calibrated
// thresholds, class prototypes) and the decision rule. Every inference path
// — test, predict, calibrate and the server — loads its model here and
// scores with Predict, so they all see the same maps, scores and decisions.
package detector

import (
	"fmt"
	"slices"

	"github.com/mambaad/mambaad/format/checkpoint"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/model/membank"
)

// Tensor names of a detector's own parts in a checkpoint.
const (
	TensorBank       = modelio.ExtraPrefix + "membank"
	TensorPrototypes = modelio.ExtraPrefix + "class_prototypes"
)

// Detector is a loaded checkpoint.
type Detector struct {
	Path  string
	Model *model.MambaAD
	Bank  *membank.Bank // nil unless Meta.Method uses the memory bank
	// Protos recognise the product class; nil in checkpoints without them.
	Protos *Prototypes
	Meta   Meta
	file   *checkpoint.File
}

// Load reads a mambaad checkpoint, its metadata and its detector parts.
func Load(path string) (*Detector, error) {
	m, f, err := modelio.Load(path)
	if err != nil {
		return nil, err
	}
	meta, err := ParseMeta(path, f.Meta)
	if err != nil {
		return nil, err
	}
	d := &Detector{Path: path, Model: m, Meta: meta, file: f}
	if meta.Method.UsesMemory() {
		t, ok := f.Tensor(TensorBank)
		if !ok || len(t.Shape) != 2 || t.F32 == nil {
			return nil, fmt.Errorf("%s: method %s needs a memory bank (tensor %s), which is missing or malformed", path, meta.Method, TensorBank)
		}
		ch, _ := m.FeatureShapes()
		if t.Shape[1] != membank.Dim(ch[1], ch[2]) {
			return nil, fmt.Errorf("%s: memory bank of %d-wide patches for an encoder whose patches are %d wide", path, t.Shape[1], membank.Dim(ch[1], ch[2]))
		}
		if d.Bank, err = membank.New(t.Shape[1], t.F32); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if meta.Method == MethodCombined && meta.Fusion == nil {
		return nil, fmt.Errorf("%s: the combined method needs its normalisation statistics (metadata %q)", path, KeyFusion)
	}
	if meta.Classes != nil {
		t, ok := f.Tensor(TensorPrototypes)
		ch, _ := m.FeatureShapes()
		k := len(meta.Classes.Names)
		if !ok || t.F32 == nil || !slices.Equal(t.Shape, []int{k, ch[2]}) {
			return nil, fmt.Errorf("%s: %d classes but no %d×%d prototype tensor %s", path, k, k, ch[2], TensorPrototypes)
		}
		d.Protos = &Prototypes{Names: meta.Classes.Names, Dim: ch[2], Vec: t.F32, Temperature: meta.Classes.Temperature}
	}
	return d, nil
}

// Parts are the detector's own tensors, for modelio.SaveOptions.Extra.
func (d *Detector) Parts(half bool) []checkpoint.Named {
	var out []checkpoint.Named
	dt := safetensors.F32
	if half {
		dt = safetensors.F16
	}
	if d.Bank != nil {
		out = append(out, checkpoint.Named{Name: TensorBank, DType: dt, Shape: []int{d.Bank.Len(), d.Bank.Dim}, F32: d.Bank.Vec})
	}
	if d.Protos != nil {
		out = append(out, checkpoint.Named{Name: TensorPrototypes, DType: safetensors.F32, Shape: []int{len(d.Protos.Names), d.Protos.Dim}, F32: d.Protos.Vec})
	}
	return out
}

// SetPrototypes installs class prototypes and records them in Meta.
func (d *Detector) SetPrototypes(p *Prototypes) {
	d.Protos = p
	d.Meta.Classes = &ClassInfo{Names: p.Names, Temperature: p.Temperature}
}

// SaveMeta writes the checkpoint again to dst (atomically; dst may be the
// file it was loaded from) with d.Meta in place of its stored metadata.
// Every tensor and every metadata entry this package does not own is kept.
func (d *Detector) SaveMeta(dst string) error {
	meta := map[string]string{}
	for k, v := range d.file.Meta {
		meta[k] = v
	}
	for _, k := range []string{KeyThreshold, KeyThresholds, KeyClasses, KeyMethod, KeyFusion} {
		delete(meta, k)
	}
	for k, v := range d.Meta.Entries() {
		meta[k] = v
	}
	return checkpoint.Save(dst, d.file.Tensors, meta)
}

// Prediction is the detector's judgement of a batch of images.
type Prediction struct {
	N, Size int
	Maps    []float32 // (N, Size, Size) anomaly maps, blurred
	Scores  []float64 // image scores: the maximum of each map
	// Classes are the inferred product classes (nil without prototypes).
	Classes []ClassGuess
}

// Map returns image b's anomaly map.
func (p *Prediction) Map(b int) []float32 {
	return p.Maps[b*p.Size*p.Size : (b+1)*p.Size*p.Size]
}

// Predict scores n normalised images (n, 3, S, S) with the detector's
// method: the one inference path every command uses.
func (d *Detector) Predict(images []float32, n int) Prediction {
	m := d.Model
	m.SetTrain(false, 0)
	s := m.Cfg.ImageSize
	chans, sides := m.FeatureShapes()
	f := m.Features(images, n)
	p := Prediction{N: n, Size: s, Maps: make([]float32, n*s*s), Scores: make([]float64, n)}
	if d.Protos != nil {
		pooled := Pool(f[2], n, chans[2], sides[2])
		p.Classes = make([]ClassGuess, n)
		for b := range p.Classes {
			p.Classes[b] = d.Protos.Infer(pooled[b*chans[2] : (b+1)*chans[2]])
		}
	}
	var mem []float64
	if d.Meta.Method.UsesMemory() {
		// Before Reconstruct, which may reuse the encoder's buffers.
		mem = d.Bank.AnomalyMaps(f[1], f[2], n, chans[1], chans[2], sides[1], sides[2], s, membank.Sigma)
	}
	var rec []float64
	if d.Meta.Method.UsesRecon() {
		outs := m.Reconstruct(f, n)
		rec = model.AnomalyMaps(f[:], outs, chans, sides, n, s, model.Sigma)
	}
	final := rec
	switch d.Meta.Method {
	case MethodMemory:
		final = mem
	case MethodCombined:
		fs := d.Meta.Fusion
		for i := range rec {
			final[i] = rec[i]/fs.ReconScale + mem[i]/fs.MemoryScale
		}
	}
	plane := s * s
	for b := 0; b < n; b++ {
		p.Scores[b] = slices.Max(final[b*plane : (b+1)*plane])
	}
	for i, v := range final {
		p.Maps[i] = float32(v)
	}
	return p
}

// FromModel wraps a network as a detector of the paper's method, without
// prototypes or thresholds (a model being trained, or one built in a test).
func FromModel(m *model.MambaAD) *Detector {
	return &Detector{Model: m, Meta: Meta{Method: MethodRecon}}
}
