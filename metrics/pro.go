package metrics

import "math"

// proArea integrates the exact PRO curve over FPR in [0, maxFPR] as the
// official MVTec AD evaluation does: one point per distinct score (positive
// when score ≥ t), starting from (0, 0), trapezoids between points, PRO
// interpolated linearly where the curve crosses maxFPR, and the area divided
// by maxFPR.
type proArea struct {
	neg, regions float64
	maxFPR       float64
	f, p         float64 // last point
	area         float64
	done         bool
	curve        []float64 // FPR, PRO pairs when recording, else nil
	record       bool
}

func newProArea(neg int64, regions int, maxFPR float64, record bool) proArea {
	a := proArea{neg: float64(neg), regions: float64(regions), maxFPR: maxFPR, record: record}
	if record {
		a.curve = append(a.curve, 0, 0)
	}
	a.done = neg == 0 || regions == 0
	return a
}

// point adds the curve point reached after a threshold step: fp normal
// pixels and a sum over regions of covered-area fractions of prosum.
func (a *proArea) point(fp int64, prosum float64) {
	f := float64(fp) / a.neg
	p := prosum / a.regions
	if a.record {
		a.curve = append(a.curve, f, p)
	}
	if f <= a.maxFPR {
		a.area += 0.5 * (p + a.p) * (f - a.f)
		a.f, a.p = f, p
		return
	}
	pi := a.p + (p-a.p)*(a.maxFPR-a.f)/(f-a.f)
	a.area += 0.5 * (pi + a.p) * (a.maxFPR - a.f)
	a.done = true
}

// value is the normalised AU-PRO, or NaN when there are no regions or no
// normal pixels.
func (a *proArea) value() float64 {
	if a.neg == 0 || a.regions == 0 {
		return math.NaN()
	}
	return a.area / a.maxFPR
}
