package metrics

import "math"

// rates accumulates AUROC, AP and F1-max while thresholds are visited in
// descending order, one distinct score at a time, as scikit-learn's
// _binary_clf_curve groups them.
type rates struct {
	pos, neg int64 // totals
	tp, fp   int64 // counts at or above the current threshold
	// auc2 is twice the area under the ROC step curve times pos·neg: the
	// Mann-Whitney count in which a tie between a positive and a negative
	// counts one half. Kept as an integer so AUROC is exact up to one final
	// rounding (pos·neg ≤ 2^62 for any class with < 2^32 pixels).
	auc2  uint64
	ap    float64
	lastR float64 // recall at the previous PR point
	f1    float64
}

func newRates(pos, neg int64) rates {
	return rates{pos: pos, neg: neg}
}

// step admits the samples whose score equals the next lower distinct value.
func (r *rates) step(p, n int64) {
	r.auc2 += uint64(n) * uint64(2*r.tp+p)
	r.tp += p
	r.fp += n
	if p == 0 {
		// Precision fell and recall did not move: no AP term, and this PR
		// point's F1 is below the previous one with the same TP count.
		return
	}
	prec := float64(r.tp) / float64(r.tp+r.fp)
	rec := float64(r.tp) / float64(r.pos)
	r.ap += (rec - r.lastR) * prec
	r.lastR = rec
	if f := 2 * prec * rec / (prec + rec); f > r.f1 {
		r.f1 = f
	}
}

// auroc is roc_auc_score; NaN when one class is missing (sklearn raises).
func (r *rates) auroc() float64 {
	if r.pos == 0 || r.neg == 0 {
		return math.NaN()
	}
	return float64(r.auc2) / (2 * float64(r.pos) * float64(r.neg))
}

// avgPrecision is average_precision_score: Σ (R_n − R_{n−1}) P_n. NaN
// without positives (sklearn 1.2.1 warns and returns 0).
func (r *rates) avgPrecision() float64 {
	if r.pos == 0 {
		return math.NaN()
	}
	return r.ap
}

// f1Max is the largest finite F1 on sklearn 1.2.1's precision_recall_curve,
// whose final point (P=1, R=0) contributes 0. NaN without positives.
func (r *rates) f1Max() float64 {
	if r.pos == 0 {
		return math.NaN()
	}
	return r.f1
}
