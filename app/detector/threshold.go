package detector

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Threshold is the decision rule stored in a checkpoint: an image is
// anomalous when its score is at least Value, and a pixel is marked
// defective when its anomaly-map value is at least Value (the image score is
// the map's maximum, so a flagged image always has a marked pixel).
type Threshold struct {
	Value  float64 `json:"value"`
	Method string  `json:"method"`           // "given", "fpr" or "f1"
	FPR    float64 `json:"fpr,omitempty"`    // target false-positive rate (method fpr)
	Images int     `json:"images,omitempty"` // images it was calibrated on
	F1     float64 `json:"f1,omitempty"`     // F1 reached on the calibration set (method f1)
}

// MetaKey is the checkpoint metadata key holding the JSON threshold.
const MetaKey = "threshold"

// ParseThreshold reads a threshold from checkpoint metadata ("" = none).
func ParseThreshold(js string) (*Threshold, error) {
	if js == "" {
		return nil, nil
	}
	var t Threshold
	if err := json.Unmarshal([]byte(js), &t); err != nil {
		return nil, fmt.Errorf("bad threshold in checkpoint: %w", err)
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("bad threshold in checkpoint: %v", err)
	}
	return &t, nil
}

func (t Threshold) check() error {
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
		return fmt.Errorf("value %v", t.Value)
	}
	return nil
}

// JSON encodes t for checkpoint metadata.
func (t Threshold) JSON() string {
	b, _ := json.Marshal(t)
	return string(b)
}

// CalibrateFPR returns the threshold at which at most a fraction fpr of the
// given normal images would be flagged: the smallest score strictly above
// the ⌈(1−fpr)·n⌉-th smallest normal score.
func CalibrateFPR(normalScores []float64, fpr float64) (Threshold, error) {
	n := len(normalScores)
	if n == 0 {
		return Threshold{}, fmt.Errorf("calibration needs at least one normal image")
	}
	if !(fpr >= 0 && fpr < 1) {
		return Threshold{}, fmt.Errorf("false-positive rate %v must be in [0, 1)", fpr)
	}
	s := slices.Clone(normalScores)
	sort.Float64s(s)
	// Allow at most floor(fpr·n) normals at or above the threshold.
	allowed := int(math.Floor(fpr * float64(n)))
	v := math.Nextafter(s[n-1-allowed], math.Inf(1))
	return Threshold{Value: v, Method: "fpr", FPR: fpr, Images: n}, nil
}

// CalibrateF1 returns the threshold (one of the scores) that maximises the
// image-level F1 on a labelled set (1 = anomalous).
func CalibrateF1(scores []float64, labels []int) (Threshold, error) {
	if len(scores) != len(labels) || len(scores) == 0 {
		return Threshold{}, fmt.Errorf("calibration needs labelled images (%d scores, %d labels)", len(scores), len(labels))
	}
	idx := make([]int, len(scores))
	pos := 0
	for i := range idx {
		idx[i] = i
		if labels[i] != 0 {
			pos++
		}
	}
	if pos == 0 || pos == len(scores) {
		return Threshold{}, fmt.Errorf("F1 calibration needs both normal and anomalous images")
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	best, bestV, tp := -1.0, 0.0, 0
	for k, i := range idx {
		if labels[i] != 0 {
			tp++
		}
		if k+1 < len(idx) && scores[idx[k+1]] == scores[i] {
			continue // a threshold admits all tied scores together
		}
		flagged := k + 1
		f1 := 2 * float64(tp) / float64(flagged+pos)
		if f1 > best {
			best, bestV = f1, scores[i]
		}
	}
	return Threshold{Value: bestV, Method: "f1", Images: len(scores), F1: best}, nil
}
