package detector

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Checkpoint metadata keys. Each holds one JSON (or, for KeyRunConfig,
// YAML) text; a checkpoint may carry other keys (train_state, …).
const (
	KeyEncoder   = "encoder"
	KeyDataset   = "dataset"
	KeyRunConfig = "run_config"
	KeyThreshold = "threshold"
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
}

// Meta is the typed form of a checkpoint's metadata.
type Meta struct {
	Encoder   EncoderInfo
	Dataset   DatasetInfo
	RunConfig string     // the run's configuration as YAML ("" if unknown)
	Threshold *Threshold // nil: not calibrated
}

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
	th, err := ParseThreshold(m[KeyThreshold])
	if err != nil {
		return out, fmt.Errorf("%s: %w", path, err)
	}
	out.Threshold = th
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
	if m.Threshold != nil {
		out[KeyThreshold] = m.Threshold.JSON()
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
