package report

import (
	"errors"
	"fmt"
	"math"
)

// CurveBuilder collects, one test image at a time, what the image and
// pixel curves of a class need: the image scores and labels (a few bytes
// per image) and a PixelHist (fixed size). The PRO curve comes from
// metrics.Class.ProCurve instead, see PROCurve.
type CurveBuilder struct {
	class  string
	scores []float64
	labels []bool
	hist   *PixelHist
}

// NewCurveBuilder returns an empty builder for the named class.
func NewCurveBuilder(class string) *CurveBuilder {
	return &CurveBuilder{class: class, hist: NewPixelHist(0)}
}

// Add records one image: its score (the max of the map, as metrics uses,
// or the override given to metrics), its anomaly map and its mask (nil for
// a normal image). The image counts as anomalous when its mask has a
// nonzero pixel, the rule of package metrics. On error nothing is recorded.
func (b *CurveBuilder) Add(score float64, amap []float32, mask []uint8) error {
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return fmt.Errorf("report: class %s: image score %v, want a finite number", b.class, score)
	}
	if err := b.hist.Add(amap, mask); err != nil {
		return fmt.Errorf("report: class %s, image %d: %w", b.class, len(b.scores), err)
	}
	b.scores = append(b.scores, score)
	b.labels = append(b.labels, hasDefect(mask))
	return nil
}

// Curves returns the class's image ROC and pixel ROC and PR curves
// (thinned for drawing). A curve that is undefined for the class, because
// it lacks anomalous or normal samples, is left empty; any other problem is
// an error.
func (b *CurveBuilder) Curves() (Curves, error) {
	c := Curves{Class: b.class}
	if len(b.scores) == 0 {
		return c, fmt.Errorf("report: class %s: no images", b.class)
	}
	var err error
	if c.ImageROC, err = undefinedOK(ROCPoints(b.scores, b.labels)); err != nil {
		return c, err
	}
	cnt := b.hist.counts()
	c.PixelThresholds = len(cnt.thr)
	if c.PixelROC, err = undefinedOK(cnt.roc()); err != nil {
		return c, err
	}
	if c.PixelPR, err = undefinedOK(cnt.pr()); err != nil {
		return c, err
	}
	c.PixelROC = Simplify(c.PixelROC, 1e-3)
	c.PixelPR = Simplify(c.PixelPR, 1e-3)
	return c, nil
}

// undefinedOK turns "this class has no positives/negatives" into an empty
// curve: that is a property of the data, reported as NaN in the table.
func undefinedOK(c Curve, err error) (Curve, error) {
	if errors.Is(err, ErrNoPositives) || errors.Is(err, ErrNoNegatives) {
		return Curve{}, nil
	}
	return c, err
}
