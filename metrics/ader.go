package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// ADer's approximations (util/metric.py, commit 902937a), reproduced with
// numpy's arithmetic so that the numbers match to rounding:
//
//   - cal_pro_score: thresholds np.arange(min, max, (max−min)/steps), binary
//     map "score > th", FPR and mean per-region overlap per threshold, points
//     with FPR < 0.3 kept, FPR min-max rescaled to [0, 1], sklearn.auc.
//   - mF1_max_px and friends: maps min-max normalised over the class,
//     thresholds "norm > s" for s in np.arange(0, 1+1e-3, 0.05) (or
//     np.arange(0.2, 0.8+1e-3, 0.1) for the *_0.2_0.8_0.1 means), counts
//     pooled over all images, eps = 1e-8.

const aderEps = 1e-8

// arange returns np.arange(start, stop, step) for float64 arguments: the
// length is ceil((stop−start)/step), element 1 is start+step, and later
// elements are start + i·(element1 − start), as numpy's DOUBLE_fill does.
func arange(start, stop, step float64) ([]float64, error) {
	l := math.Ceil((stop - start) / step)
	if math.IsNaN(l) || math.IsInf(l, 0) || l > 1e7 {
		return nil, fmt.Errorf("metrics: arange(%v, %v, %v) has no finite length", start, stop, step)
	}
	n := max(int(l), 0)
	out := make([]float64, n)
	if n == 0 {
		return out, nil
	}
	out[0] = start
	if n == 1 {
		return out, nil
	}
	out[1] = start + step
	delta := out[1] - start
	for i := 2; i < n; i++ {
		out[i] = start + float64(i)*delta
	}
	return out, nil
}

// state is what the sweep has accumulated above a threshold.
type state struct {
	tp, fp int64
	prosum float64 // Σ over regions of the covered fraction
}

// marks holds the sweep state at thresholds given in ascending order, in
// ADer's "x > th" sense: the state for th is the one reached once every
// pixel with x > th has been admitted. With norm set, x is the min-max
// normalised score (v − lo)/scale computed as numpy does.
type marks struct {
	th        []float64
	at        []state
	norm      bool
	lo, scale float64
}

func newMarks(th []float64) *marks {
	return &marks{th: th, at: make([]state, len(th))}
}

func (m *marks) passes(v float64, t int) bool {
	if m.norm {
		v = (v - m.lo) / m.scale
	}
	return v > m.th[t]
}

// stops turns every threshold into a key boundary for the sweep: the
// smallest key in [lo, hi+1] whose score passes (both tests are monotone in
// the score, so a binary search over the keys finds it).
func stopsFor[K key](ms []*marks, lo, hi K) []stop[K] {
	var out []stop[K]
	for _, m := range ms {
		for t := range m.th {
			a, b := uint64(lo), uint64(hi)+1
			for a < b {
				mid := a + (b-a)/2
				if m.passes(value(K(mid)), t) {
					b = mid
				} else {
					a = mid + 1
				}
			}
			out = append(out, stop[K]{at: K(a), record: func(s state) { m.at[t] = s }})
		}
	}
	slices.SortStableFunc(out, func(x, y stop[K]) int { return cmp.Compare(y.at, x.at) })
	return out
}

// aderPRO finishes cal_pro_score from the states at its thresholds.
func aderPRO(m *marks, neg int64, regions int, maxFPR float64) (float64, string) {
	var fprs, pros []float64
	for _, s := range m.at {
		f := float64(s.fp) / float64(neg)
		if f < maxFPR {
			fprs = append(fprs, f)
			pros = append(pros, s.prosum/float64(regions))
		}
	}
	if len(fprs) < 2 {
		return math.NaN(), fmt.Sprintf("reference AU-PRO undefined: %d of %d thresholds have FPR < %g (ADer/sklearn.auc needs 2)", len(fprs), len(m.at), maxFPR)
	}
	lo, hi := fprs[0], fprs[0]
	for _, f := range fprs {
		lo, hi = math.Min(lo, f), math.Max(hi, f)
	}
	if hi == lo {
		return math.NaN(), "reference AU-PRO undefined: all kept FPR values are equal, so ADer's min-max rescaling divides by zero"
	}
	for i := range fprs {
		fprs[i] = (fprs[i] - lo) / (hi - lo)
	}
	// sklearn.auc: np.trapz, negated for a decreasing x (FPR falls as the
	// threshold rises).
	var area float64
	for i := 1; i < len(fprs); i++ {
		area += (fprs[i] - fprs[i-1]) * (pros[i] + pros[i-1]) / 2
	}
	return -area, ""
}

// aderPixel holds ADer's fixed-threshold pixel metrics.
type aderPixel struct {
	f1Max, iouMax float64 // mF1_max_px, mIoU_max_px
	f1, acc, iou  float64 // mF1/mAcc/mIoU_px_0.2_0.8_0.1
}

// aderCounts evaluates ADer's pooled-count formulas at one state.
func aderCounts(s state, pos int64) (f1, acc, iou float64) {
	inter := float64(s.tp)
	pred := float64(s.tp + s.fp)
	gt := float64(pos)
	union := float64(pos + s.fp)
	p := inter / (pred + aderEps)
	r := inter / (gt + aderEps)
	f1 = 2 * p * r / (p + r + aderEps)
	return f1, r, inter / (union + aderEps)
}

func aderPixelMetrics(all, mid *marks, pos int64) aderPixel {
	var a aderPixel
	a.f1Max, a.iouMax = math.Inf(-1), math.Inf(-1)
	for _, s := range all.at {
		f1, _, iou := aderCounts(s, pos)
		a.f1Max = math.Max(a.f1Max, f1)
		a.iouMax = math.Max(a.iouMax, iou)
	}
	for _, s := range mid.at {
		f1, acc, iou := aderCounts(s, pos)
		a.f1 += f1
		a.acc += acc
		a.iou += iou
	}
	n := float64(len(mid.at))
	a.f1, a.acc, a.iou = a.f1/n, a.acc/n, a.iou/n
	return a
}

// ADerExtras are ADer's other fixed-threshold pixel metrics, reported in
// Reference mode (its mF1_max_px and mAUPRO_px are P-F1max and AU-PRO).
type ADerExtras struct {
	IoUMaxPx float64 // mIoU_max_px
	F1Px     float64 // mF1_px_0.2_0.8_0.1
	AccPx    float64 // mAcc_px_0.2_0.8_0.1
	IoUPx    float64 // mIoU_px_0.2_0.8_0.1
}

// reference holds the checkpoints of a Reference-mode sweep.
type reference struct {
	pro, all, mid *marks
	constant      bool // every pixel of the class has the same score
}

func newReference[K key](px *pixels[K], opt Options) (*reference, []stop[K]) {
	ref := &reference{}
	klo, khi := px.lo, px.hi
	lo, hi := value(klo), value(khi)
	ref.constant = lo == hi
	ms := []*marks{}
	if ths, err := arange(lo, hi, (hi-lo)/float64(opt.ProSteps)); err == nil {
		ref.pro = newMarks(ths)
		ms = append(ms, ref.pro)
	}
	all, _ := arange(0, 1+1e-3, 0.05)
	mid, _ := arange(0.2, 0.8+1e-3, 0.1)
	ref.all, ref.mid = newMarks(all), newMarks(mid)
	for _, m := range []*marks{ref.all, ref.mid} {
		m.norm, m.lo, m.scale = true, lo, hi-lo
		ms = append(ms, m)
	}
	return ref, stopsFor(ms, klo, khi)
}

// finish sets P-F1max, AU-PRO and the extras of a Reference-mode result.
func (ref *reference) finish(neg, pos int64, regions int, maxFPR float64, r *Result) {
	r.PF1Max, r.AUPRO = math.NaN(), math.NaN()
	r.ADer = &ADerExtras{IoUMaxPx: math.NaN(), F1Px: math.NaN(), AccPx: math.NaN(), IoUPx: math.NaN()}
	if ref.constant {
		r.Notes = append(r.Notes, "every pixel score is equal: ADer's np.arange thresholds do not exist (AU-PRO undefined) and its min-max normalisation gives NaN, so its F1/IoU are 0")
	}
	if pos > 0 {
		a := aderPixelMetrics(ref.all, ref.mid, pos)
		r.PF1Max = a.f1Max
		*r.ADer = ADerExtras{IoUMaxPx: a.iouMax, F1Px: a.f1, AccPx: a.acc, IoUPx: a.iou}
	}
	if ref.pro != nil && neg > 0 && regions > 0 {
		var note string
		r.AUPRO, note = aderPRO(ref.pro, neg, regions, maxFPR)
		if note != "" {
			r.Notes = append(r.Notes, note)
		}
	}
}
