// Package modelio moves MambaAD networks between memory and files: mambaad's
// own checkpoints (package checkpoint: safetensors plus metadata and a
// checksum), the reference implementation's PyTorch state_dicts (package
// pth) and torchvision/timm backbone weights for the encoder. Package model
// knows tensors and their reference names; this package knows files.
package modelio

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/mambaad/mambaad/format/checkpoint"
	"github.com/mambaad/mambaad/format/pth"
	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/nn"
)

// LoadReport says how a set of file tensors matched a model's tensors.
type LoadReport struct {
	Loaded     int
	Missing    []string // model tensors the file lacks
	Unexpected []string // file tensors the model does not have
}

// String summarises the report in one line.
func (r LoadReport) String() string {
	s := fmt.Sprintf("%d tensors loaded", r.Loaded)
	if len(r.Missing) > 0 {
		s += fmt.Sprintf("; %d missing (%s)", len(r.Missing), abbrev(r.Missing))
	}
	if len(r.Unexpected) > 0 {
		s += fmt.Sprintf("; %d unexpected (%s)", len(r.Unexpected), abbrev(r.Unexpected))
	}
	return s
}

func abbrev(names []string) string {
	if len(names) <= 4 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:4], ", ") + ", …"
}

// loadInto copies tensors into params by name. rename maps a file name to a
// model name ("" drops it). A shape mismatch is an error naming the key;
// scan index buffers are compared, not loaded, because they are generated.
func loadInto(src string, ps []*nn.Param, ts []safetensors.Tensor, rename func(string) string) (LoadReport, error) {
	byName, err := nn.ByName(ps)
	if err != nil {
		return LoadReport{}, err
	}
	var rep LoadReport
	seen := map[string]bool{}
	for i := range ts {
		t := &ts[i]
		name := rename(t.Name)
		p, ok := byName[name]
		if name == "" || !ok {
			rep.Unexpected = append(rep.Unexpected, t.Name)
			continue
		}
		if err := assign(p, t); err != nil {
			return rep, fmt.Errorf("%s: %w", src, err)
		}
		seen[name] = true
		rep.Loaded++
	}
	for _, p := range ps {
		if !seen[p.Name] {
			rep.Missing = append(rep.Missing, p.Name)
		}
	}
	sort.Strings(rep.Missing)
	sort.Strings(rep.Unexpected)
	return rep, nil
}

func assign(p *nn.Param, t *safetensors.Tensor) error {
	if nn.Numel(t.Shape) != p.Numel() || !shapesCompatible(p.Shape, t.Shape) {
		return &ShapeError{Tensor: t.Name, Got: t.Shape, Want: p.Shape}
	}
	switch {
	case t.F32 != nil:
		copy(p.W, t.F32)
	case strings.Contains(p.Name, ".scans.index"):
		for i, v := range t.I64 {
			if float32(v) != p.W[i] {
				return fmt.Errorf("tensor %s: scan order differs from this model's (position %d: %d, expected %v); the checkpoint was made with another scan type or size", t.Name, i, v, p.W[i])
			}
		}
	default:
		for i, v := range t.I64 {
			p.W[i] = float32(v)
		}
	}
	return nil
}

// shapesCompatible accepts equal shapes, and a scalar stored as shape [] or
// [1] (num_batches_tracked).
func shapesCompatible(a, b []int) bool {
	if slices.Equal(a, b) {
		return true
	}
	return nn.Numel(a) == 1 && nn.Numel(b) == 1
}

// referenceName maps a key of a reference MAMBAAD state_dict (optionally
// wrapped by DataParallel's "module.") to ours: the encoder's "net_t." is
// dropped because our encoder tensors carry torchvision names.
func referenceName(k string) string {
	k = strings.TrimPrefix(k, "module.")
	if strings.HasPrefix(k, model.EncoderPrefix) {
		return strings.TrimPrefix(k, model.EncoderPrefix)
	}
	return k
}

// LoadReference loads a checkpoint of the reference implementation (.pth,
// zip or legacy format) into m: a bare MAMBAAD state_dict, or a training
// checkpoint whose "net" entry holds it. Missing trainable tensors are an
// error; a missing encoder is reported (the encoder may come from a
// backbone file instead).
func LoadReference(m *model.MambaAD, path string) (LoadReport, error) {
	ts, err := loadPth(path)
	if err != nil {
		return LoadReport{}, err
	}
	rep, err := loadInto(path, m.All(), ts, referenceName)
	if err != nil {
		return rep, err
	}
	if missing := trainableMissing(rep.Missing, m.Enc); len(missing) > 0 {
		return rep, &MismatchError{Path: path, Missing: missing}
	}
	m.Enc.Fold()
	return rep, nil
}

func loadPth(path string) ([]safetensors.Tensor, error) {
	ts, err := pth.Load(path)
	if _, ok := errors.AsType[*pth.AmbiguousError](err); ok {
		return pth.LoadKey(path, "net")
	}
	return ts, err
}

// trainableMissing drops encoder names from a missing list.
func trainableMissing(missing []string, enc *model.Encoder) []string {
	encNames := map[string]bool{}
	for _, p := range enc.Params() {
		encNames[p.Name] = true
	}
	var out []string
	for _, n := range missing {
		if !encNames[n] {
			out = append(out, n)
		}
	}
	return out
}

// LoadBackbone loads ImageNet encoder weights from a torchvision- or
// timm-style .pth or .safetensors file. layer4 and fc are ignored; every
// stem and layer1–3 tensor must be present.
func LoadBackbone(e *model.Encoder, path string) (LoadReport, error) {
	var ts []safetensors.Tensor
	var err error
	if strings.EqualFold(filepath.Ext(path), ".safetensors") {
		var f *safetensors.File
		if f, err = safetensors.Open(path); err == nil {
			ts, err = f.Tensors()
		}
	} else {
		ts, err = pth.Load(path)
	}
	if err != nil {
		return LoadReport{}, err
	}
	rep, err := loadInto(path, e.Params(), ts, func(k string) string {
		k = strings.TrimPrefix(strings.TrimPrefix(k, "module."), model.EncoderPrefix)
		if strings.HasPrefix(k, "layer4.") || strings.HasPrefix(k, "fc.") {
			return ""
		}
		return k
	})
	if err != nil {
		return rep, err
	}
	if len(rep.Missing) > 0 {
		return rep, &MismatchError{Path: path, Want: e.Arch + " weights", Missing: rep.Missing}
	}
	e.Fold()
	return rep, nil
}

// SaveOptions say what a checkpoint holds besides the model's configuration.
type SaveOptions struct {
	Meta  map[string]string  // further metadata entries
	Extra []checkpoint.Named // further tensors, named under ExtraPrefix
	// Half stores the trainable float tensors as float16: half the size,
	// each value rounded to 11 significant bits.
	Half bool
	// EncoderRef, when set, leaves the frozen encoder's tensors out and
	// records where Load finds them again (a training checkpoint need not
	// carry a copy of the backbone file it was made from).
	EncoderRef *EncoderRef
	// EncoderOnly leaves out the fusion block and the decoder: a detector
	// that scores with the memory bank alone has no trained network.
	EncoderOnly bool
}

// EncoderRef is where a checkpoint's encoder weights are when they are not
// inside it: a backbone file with its SHA-256, or a random initialisation.
type EncoderRef struct {
	Path       string  `json:"path,omitempty"`
	SHA256     string  `json:"sha256,omitempty"`
	RandomSeed *uint64 `json:"random_seed,omitempty"`
}

// Metadata keys this package owns besides "config".
const (
	keyEncoderRef = "encoder_ref"
	keyParts      = "parts"
	partsEncoder  = "encoder"
)

// FileSHA256 is the hex SHA-256 of a file's contents.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Save writes m as a mambaad checkpoint (safetensors with the configuration
// and metadata, checksummed, atomically). By default the file is
// self-contained: encoder, fusion block and decoder at full precision.
func Save(path string, m *model.MambaAD, o SaveOptions) error {
	cfg, err := json.Marshal(m.Cfg)
	if err != nil {
		return err
	}
	all := map[string]string{"config": string(cfg)}
	for k, v := range o.Meta {
		all[k] = v
	}
	var ts []checkpoint.Named
	if o.EncoderOnly {
		all[keyParts] = partsEncoder
	} else {
		for _, p := range m.Trainable() {
			t := toNamed(p.Name, p)
			if o.Half && t.DType == safetensors.F32 {
				t.DType = safetensors.F16
			}
			ts = append(ts, t)
		}
	}
	if o.EncoderRef != nil {
		js, err := json.Marshal(o.EncoderRef)
		if err != nil {
			return err
		}
		all[keyEncoderRef] = string(js)
	} else {
		for _, p := range m.Enc.Params() {
			ts = append(ts, toNamed(model.EncoderPrefix+p.Name, p))
		}
	}
	return checkpoint.Save(path, append(ts, o.Extra...), all)
}

func toNamed(name string, p *nn.Param) checkpoint.Named {
	t := checkpoint.Named{Name: name, Shape: append([]int(nil), p.Shape...)}
	if p.Int64 {
		t.DType = safetensors.I64
		t.I64 = make([]int64, len(p.W))
		for i, v := range p.W {
			t.I64[i] = int64(v)
		}
		return t
	}
	t.DType = safetensors.F32
	t.F32 = p.W
	return t
}

// Load reads a mambaad checkpoint and builds the model it describes. Every
// tensor the checkpoint is meant to hold must be present with the right
// shape; an encoder stored by reference is loaded from its file (checked
// against its SHA-256) or re-created from its seed. The file is returned
// for its metadata and any extra tensors (names under ExtraPrefix).
func Load(path string) (*model.MambaAD, *checkpoint.File, error) {
	f, err := checkpoint.Load(path)
	if err != nil {
		return nil, nil, err
	}
	var cfg model.Config
	dec := json.NewDecoder(strings.NewReader(f.Config))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, nil, fmt.Errorf("%s: bad model configuration in checkpoint: %w", path, err)
	}
	m, err := model.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var want []*nn.Param
	if f.Meta[keyParts] != partsEncoder {
		want = m.Trainable()
	}
	var ref *EncoderRef
	if js, ok := f.Meta[keyEncoderRef]; ok {
		ref = new(EncoderRef)
		dec := json.NewDecoder(strings.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(ref); err != nil {
			return nil, nil, fmt.Errorf("%s: bad %s metadata: %w", path, keyEncoderRef, err)
		}
	} else {
		want = append(want, m.Enc.Params()...)
	}
	var own []safetensors.Tensor
	for _, t := range f.Tensors {
		if !strings.HasPrefix(t.Name, ExtraPrefix) {
			own = append(own, t)
		}
	}
	rep, err := loadInto(path, want, own, func(k string) string {
		return strings.TrimPrefix(k, model.EncoderPrefix)
	})
	if err != nil {
		return nil, nil, err
	}
	if len(rep.Missing) > 0 || len(rep.Unexpected) > 0 {
		return nil, nil, &MismatchError{Path: path, Want: "the tensors its own configuration names", Missing: rep.Missing, Unexpected: rep.Unexpected}
	}
	if ref != nil {
		if err := loadRef(path, m, ref); err != nil {
			return nil, nil, err
		}
	}
	m.Enc.Fold()
	return m, f, nil
}

// loadRef fills the encoder of checkpoint path from its reference.
func loadRef(path string, m *model.MambaAD, ref *EncoderRef) error {
	if ref.RandomSeed != nil {
		m.Enc.InitRandom(*ref.RandomSeed)
		return nil
	}
	if ref.Path == "" {
		return fmt.Errorf("%s: the encoder reference names neither a file nor a seed", path)
	}
	if ref.SHA256 != "" {
		got, err := FileSHA256(ref.Path)
		if err != nil {
			return fmt.Errorf("%s: its encoder weights %s cannot be read (%v); put the file back or use a self-contained model.ckpt", path, ref.Path, err)
		}
		if got != ref.SHA256 {
			return fmt.Errorf("%s: its encoder weights %s changed since it was written (SHA-256 %s, recorded %s)", path, ref.Path, got, ref.SHA256)
		}
	}
	if _, err := LoadBackbone(m.Enc, ref.Path); err != nil {
		return fmt.Errorf("%s: encoder: %w", path, err)
	}
	return nil
}

// LoadTrainable copies the fusion block and decoder weights of a mambaad
// checkpoint or of a reference .pth (.pth, .pt or .bin) into m (a new run that starts from a
// trained model). The file's network configuration must be m's.
func LoadTrainable(m *model.MambaAD, path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pth", ".pt", ".bin":
		_, err := LoadReference(m, path)
		return err
	}
	f, err := checkpoint.Load(path)
	if err != nil {
		return err
	}
	if f.Meta[keyParts] == partsEncoder {
		return fmt.Errorf("%s: holds no trained fusion block or decoder (a memory-bank-only model)", path)
	}
	var own []safetensors.Tensor
	for _, t := range f.Tensors {
		if !strings.HasPrefix(t.Name, ExtraPrefix) && !strings.HasPrefix(t.Name, model.EncoderPrefix) {
			own = append(own, t)
		}
	}
	rep, err := loadInto(path, m.Trainable(), own, func(k string) string { return k })
	if err != nil {
		return err
	}
	if len(rep.Missing) > 0 || len(rep.Unexpected) > 0 {
		return &MismatchError{Path: path, Want: "a fusion block and decoder of this configuration", Missing: rep.Missing, Unexpected: rep.Unexpected}
	}
	return nil
}

// ExtraPrefix starts the names of non-model tensors in a checkpoint.
const ExtraPrefix = "extra."

// ShapeError is a file tensor whose shape differs from the model's.
type ShapeError struct {
	Tensor    string
	Got, Want []int
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("tensor %s has shape %v, the model expects %v", e.Tensor, e.Got, e.Want)
}

// MismatchError is a file whose tensors do not make up the model asked for:
// some are missing (or, for mambaad checkpoints, left over).
type MismatchError struct {
	Path                string
	Want                string // what the file was expected to hold
	Missing, Unexpected []string
}

func (e *MismatchError) Error() string {
	want := e.Want
	if want == "" {
		want = "a MambaAD checkpoint for this configuration"
	}
	s := fmt.Sprintf("%s: does not hold %s", e.Path, want)
	if len(e.Missing) > 0 {
		s += fmt.Sprintf(": %d tensors missing (%s)", len(e.Missing), abbrev(e.Missing))
	}
	if len(e.Unexpected) > 0 {
		s += fmt.Sprintf("; %d unexpected (%s)", len(e.Unexpected), abbrev(e.Unexpected))
	}
	return s
}
