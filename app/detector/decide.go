package detector

import (
	"fmt"
	"slices"
	"strings"
)

// Decision is the verdict on one image.
type Decision struct {
	// Class is the product class the decision used: the one named by the
	// caller, else the inferred one ("" when neither is known).
	Class string `json:"class,omitempty"`
	// ClassConfidence is set when the class was inferred.
	ClassConfidence *float64 `json:"class_confidence,omitempty"`
	Score           float64  `json:"score"`
	// Threshold is the one that decided (nil: no threshold, no verdict),
	// and ThresholdFrom says which: "class", "global" or "given".
	Threshold     *float64 `json:"threshold,omitempty"`
	ThresholdFrom string   `json:"threshold_from,omitempty"`
	// Normalized is Score / Threshold: 1.0 is the decision boundary on
	// every class, so one number means the same on every line.
	Normalized *float64 `json:"normalized_score,omitempty"`
	Anomalous  *bool    `json:"anomalous,omitempty"`
}

// CheckClass refuses a class name the detector does not know; "" (infer)
// is always fine. Without prototypes any name is accepted (it may still
// have a calibrated threshold).
func (d *Detector) CheckClass(class string) error {
	if class == "" || d.Protos == nil {
		return nil
	}
	if !slices.Contains(d.Protos.Names, class) {
		return fmt.Errorf("class %q is not one %s was trained on (%s)", class, d.Path, strings.Join(d.Protos.Names, ", "))
	}
	return nil
}

// Decide judges an image of the given score. class names its product class
// ("" to use guess, the inferred class, when there is one); override, when
// not nil, replaces the calibrated thresholds.
func (d *Detector) Decide(score float64, class string, guess *ClassGuess, override *float64) Decision {
	dec := Decision{Class: class, Score: score}
	if class == "" && guess != nil {
		c := guess.Confidence
		dec.Class, dec.ClassConfidence = guess.Class, &c
	}
	var th float64
	switch {
	case override != nil:
		th, dec.ThresholdFrom = *override, "given"
	default:
		t, own := d.Meta.Thresholds.For(dec.Class)
		if t == nil {
			return dec
		}
		th, dec.ThresholdFrom = t.Value, "global"
		if own {
			dec.ThresholdFrom = "class"
		}
	}
	a := score >= th
	dec.Threshold, dec.Anomalous = &th, &a
	if th > 0 {
		n := score / th
		dec.Normalized = &n
	}
	return dec
}
