package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Detection holds threshold-free binary detection metrics, exactly as
// scikit-learn 1.2.1 computes them (roc_auc_score, average_precision_score,
// and the best F1 on precision_recall_curve).
type Detection struct {
	AUROC, AP, F1Max float64
}

// Scores computes Detection from scores and labels (true = anomalous), for
// callers that have image scores directly. AUROC is NaN unless both labels
// occur (sklearn raises); AP and F1Max are NaN without positives. Scores
// must be finite.
func Scores(scores []float64, labels []bool) (Detection, error) {
	if len(scores) != len(labels) {
		return Detection{}, fmt.Errorf("metrics: %d scores but %d labels", len(scores), len(labels))
	}
	if len(scores) == 0 {
		return Detection{}, fmt.Errorf("metrics: no scores")
	}
	type sample struct {
		s   float64
		pos bool
	}
	xs := make([]sample, len(scores))
	var npos int64
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return Detection{}, fmt.Errorf("metrics: score %d is %v", i, s)
		}
		xs[i] = sample{s, labels[i]}
		if labels[i] {
			npos++
		}
	}
	slices.SortFunc(xs, func(a, b sample) int { return cmp.Compare(b.s, a.s) })
	r := newRates(npos, int64(len(xs))-npos)
	for i := 0; i < len(xs); {
		var p, n int64
		for j := i; j < len(xs) && xs[j].s == xs[i].s; j++ {
			if xs[j].pos {
				p++
			} else {
				n++
			}
		}
		r.step(p, n)
		i += int(p + n)
	}
	return Detection{AUROC: r.auroc(), AP: r.avgPrecision(), F1Max: r.f1Max()}, nil
}
