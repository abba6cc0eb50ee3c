package report

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Curve is a polyline such as a ROC, PR or PRO curve. Point i is
// (X[i], Y[i]); Thresholds[i], when set, is the score threshold that gives
// it (a sample is positive when its score ≥ the threshold; +Inf for the
// starting point that classifies nothing as positive). Curve implements
// gonum/plot's plotter.XYer, so it can be plotted directly.
type Curve struct {
	X, Y       []float64
	Thresholds []float64
}

// Len is the number of points.
func (c Curve) Len() int { return len(c.X) }

// XY returns point i.
func (c Curve) XY(i int) (x, y float64) { return c.X[i], c.Y[i] }

func (c *Curve) add(x, y, thr float64) {
	c.X = append(c.X, x)
	c.Y = append(c.Y, y)
	c.Thresholds = append(c.Thresholds, thr)
}

// Errors of the curve functions; match them with errors.Is.
var (
	ErrNoPositives = errors.New("no anomalous samples")
	ErrNoNegatives = errors.New("no normal samples")
)

// counts are true and false positives at successive thresholds, from the
// highest down; ROC and PR curves are both functions of them.
type counts struct {
	thr    []float64
	tp, fp []float64 // cumulative, at score ≥ thr[i]
	p, n   float64   // totals
}

// imageCounts groups tied scores: one threshold per distinct score, so a
// tie of a normal and an anomalous image moves the curve diagonally, as
// scikit-learn's roc_curve and precision_recall_curve do.
func imageCounts(scores []float64, labels []bool) (counts, error) {
	var c counts
	if len(scores) != len(labels) {
		return c, fmt.Errorf("report: %d scores but %d labels", len(scores), len(labels))
	}
	if len(scores) == 0 {
		return c, errors.New("report: no scores")
	}
	idx := make([]int, len(scores))
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return c, fmt.Errorf("report: score %d is %v, want a finite number", i, s)
		}
		idx[i] = i
		if labels[i] {
			c.p++
		} else {
			c.n++
		}
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	var tp, fp float64
	for k, i := range idx {
		if labels[i] {
			tp++
		} else {
			fp++
		}
		if k+1 < len(idx) && scores[idx[k+1]] == scores[i] {
			continue // the tie continues: one point for the whole group
		}
		c.thr = append(c.thr, scores[i])
		c.tp = append(c.tp, tp)
		c.fp = append(c.fp, fp)
	}
	return c, nil
}

// roc turns counts into the ROC curve: (0, 0) at threshold +Inf, then
// (FPR, TPR) at every threshold, ending at (1, 1).
func (c counts) roc() (Curve, error) {
	if c.p == 0 {
		return Curve{}, fmt.Errorf("report: ROC curve: %w", ErrNoPositives)
	}
	if c.n == 0 {
		return Curve{}, fmt.Errorf("report: ROC curve: %w", ErrNoNegatives)
	}
	var r Curve
	r.add(0, 0, math.Inf(1))
	for i, t := range c.thr {
		r.add(c.fp[i]/c.n, c.tp[i]/c.p, t)
	}
	return r, nil
}

// pr turns counts into the precision-recall curve, X = recall and
// Y = precision: (0, 1) at threshold +Inf as scikit-learn appends it, then
// every threshold down to the lowest (recall 1, precision = share of
// positives).
func (c counts) pr() (Curve, error) {
	if c.p == 0 {
		return Curve{}, fmt.Errorf("report: PR curve: %w", ErrNoPositives)
	}
	var r Curve
	r.add(0, 1, math.Inf(1))
	for i, t := range c.thr {
		r.add(c.tp[i]/c.p, c.tp[i]/(c.tp[i]+c.fp[i]), t)
	}
	return r, nil
}

// ROCPoints returns the exact ROC curve of image scores (labels: true =
// anomalous), one point per distinct score. It fails when the scores are
// not finite or when one of the two labels is missing (the curve is then
// undefined, as the AUROC in the metrics table is NaN).
func ROCPoints(scores []float64, labels []bool) (Curve, error) {
	c, err := imageCounts(scores, labels)
	if err != nil {
		return Curve{}, err
	}
	return c.roc()
}
