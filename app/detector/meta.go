package detector

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Checkpoint metadata keys. Each holds one JSON (or, for KeyRunConfig,
// YAML) text; a checkpoint may carry other keys (train_state, …).
const (
	KeyEncoder    = "encoder"
	KeyDataset    = "dataset"
	KeyRunConfig  = "run_config"
	KeyThreshold  = "threshold" // a single threshold (checkpoints before per-class ones)
	KeyThresholds = "thresholds"
	KeyClasses    = "classes"
	KeyMethod     = "method"
)

// EncoderInfo says where the encoder's weights came from. It is stored in
// checkpoints and printed in every report, because a random encoder makes
// every number meaningless for real use.
type EncoderInfo struct {
	Source string `json:"source"` // a file path, SourceRandom or SourceRandomFallback
	Random bool   `json:"random"`
}

// The two sources of a random encoder: asked for with --weights random (a
// baseline), or the fallback when "auto" finds no cached weights.
const (
	SourceRandom         = "random"
	SourceRandomFallback = "random-fallback"
)

func (e EncoderInfo) String() string {
	switch {
	case e.Source == SourceRandom:
		return "RANDOM encoder (--weights random: a baseline, not a detector for real use)"
	case e.Random:
		return "RANDOM encoder (no ImageNet weights found; results are only a smoke test)"
	case e.Source == "":
		return "encoder of unrecorded origin"
	}
	return "ImageNet weights from " + e.Source
}

// DatasetInfo records the data a model was trained on, so that `test` can
// find its test split again.
type DatasetInfo struct {
	Root    string `json:"root"`
	Dataset string `json:"dataset"`
	Classes string `json:"classes"`
	// Folders are the explicitly configured classes of a "folder" dataset
	// (none when its classes were found by the conventional folder names).
	Folders []FolderSpec `json:"folders,omitempty"`
}

// FolderSpec is one class of a "folder" dataset: its folders, relative to
// DatasetInfo.Root unless absolute. TestShare nil is automatic; 0 holds no
// normal images out.
type FolderSpec struct {
	Class      string   `json:"class,omitempty"`
	Normal     string   `json:"normal"`
	Abnormal   string   `json:"abnormal,omitempty"`
	Mask       string   `json:"mask,omitempty"`
	NormalTest string   `json:"normal_test,omitempty"`
	TestShare  *float64 `json:"test_share,omitempty"`
}

// Meta is the typed form of a checkpoint's metadata.
type Meta struct {
	Encoder    EncoderInfo
	Dataset    DatasetInfo
	RunConfig  string // the run's configuration as YAML ("" if unknown)
	Thresholds Thresholds
	// Classes are the trained product classes and the softmax temperature
	// of class inference; their prototype vectors are a tensor.
	Classes *ClassInfo
	// Method is how anomaly maps are made: MethodRecon (the paper's),
	// MethodMemory or MethodCombined.
	Method Method
	// Fusion holds the normal-image statistics the combined method
	// normalises each map with (nil for the other methods).
	Fusion *FusionStats
}

// ClassInfo is the metadata half of the class prototypes.
type ClassInfo struct {
	Names       []string `json:"names"`
	Temperature float64  `json:"temperature"`
}

// Thresholds are the calibrated decision thresholds: one per class where
// calibrated, and a global one for every other class.
type Thresholds struct {
	Global  *Threshold           `json:"global,omitempty"`
	Classes map[string]Threshold `json:"classes,omitempty"`
}

// For returns the threshold that decides for class (its own, else the
// global one; nil when neither exists) and whether it is the class's own.
func (t Thresholds) For(class string) (*Threshold, bool) {
	if th, ok := t.Classes[class]; ok && class != "" {
		return &th, true
	}
	return t.Global, false
}

// Empty reports that nothing is calibrated.
func (t Thresholds) Empty() bool { return t.Global == nil && len(t.Classes) == 0 }

// ParseMeta decodes the entries this package owns from a checkpoint's
// metadata map; path names the file in errors. Missing keys leave zero
// values; malformed ones are errors.
func ParseMeta(path string, m map[string]string) (Meta, error) {
	var out Meta
	for _, e := range []struct {
		key string
		dst any
	}{{KeyEncoder, &out.Encoder}, {KeyDataset, &out.Dataset}} {
		js, ok := m[e.key]
		if !ok {
			continue
		}
		if err := decodeStrict(js, e.dst); err != nil {
			return out, fmt.Errorf("%s: metadata %q: %v", path, e.key, err)
		}
	}
	out.RunConfig = m[KeyRunConfig]
	if js, ok := m[KeyThresholds]; ok {
		if err := decodeStrict(js, &out.Thresholds); err != nil {
			return out, fmt.Errorf("%s: metadata %q: %v", path, KeyThresholds, err)
		}
		for c, th := range out.Thresholds.Classes {
			if err := th.check(); err != nil {
				return out, fmt.Errorf("%s: threshold of class %q: %v", path, c, err)
			}
		}
		if g := out.Thresholds.Global; g != nil {
			if err := g.check(); err != nil {
				return out, fmt.Errorf("%s: global threshold: %v", path, err)
			}
		}
	} else {
		th, err := ParseThreshold(m[KeyThreshold])
		if err != nil {
			return out, fmt.Errorf("%s: %w", path, err)
		}
		out.Thresholds.Global = th
	}
	if js, ok := m[KeyClasses]; ok {
		out.Classes = new(ClassInfo)
		if err := decodeStrict(js, out.Classes); err != nil {
			return out, fmt.Errorf("%s: metadata %q: %v", path, KeyClasses, err)
		}
	}
	out.Method = MethodRecon
	if v, ok := m[KeyMethod]; ok {
		meth, err := ParseMethod(v)
		if err != nil {
			return out, fmt.Errorf("%s: %w", path, err)
		}
		out.Method = meth
	}
	if js, ok := m[KeyFusion]; ok {
		out.Fusion = new(FusionStats)
		if err := decodeStrict(js, out.Fusion); err != nil {
			return out, fmt.Errorf("%s: metadata %q: %v", path, KeyFusion, err)
		}
	}
	return out, nil
}

// Entries encodes the metadata as checkpoint entries.
func (m Meta) Entries() map[string]string {
	out := map[string]string{}
	enc, _ := json.Marshal(m.Encoder)
	ds, _ := json.Marshal(m.Dataset)
	out[KeyEncoder], out[KeyDataset] = string(enc), string(ds)
	if m.RunConfig != "" {
		out[KeyRunConfig] = m.RunConfig
	}
	if !m.Thresholds.Empty() {
		js, _ := json.Marshal(m.Thresholds)
		out[KeyThresholds] = string(js)
	}
	if m.Classes != nil {
		js, _ := json.Marshal(m.Classes)
		out[KeyClasses] = string(js)
	}
	if m.Method != "" {
		out[KeyMethod] = string(m.Method)
	}
	if m.Fusion != nil {
		js, _ := json.Marshal(m.Fusion)
		out[KeyFusion] = string(js)
	}
	return out
}

func decodeStrict(js string, dst any) error {
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
