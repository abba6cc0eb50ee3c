package report

import "math"

// PROCurve prepares metrics.Class.ProCurve output for a chart: the exact
// curve goes one point past maxFPR, so it is cut at maxFPR by linear
// interpolation (the segment AU-PRO integrates), and the possibly
// millions of points are thinned by Simplify.
func PROCurve(fpr, pro []float64, maxFPR float64) Curve {
	n := min(len(fpr), len(pro))
	var c Curve
	for i := 0; i < n; i++ {
		if fpr[i] <= maxFPR {
			c.X = append(c.X, fpr[i])
			c.Y = append(c.Y, pro[i])
			continue
		}
		if i > 0 && fpr[i] > fpr[i-1] {
			t := (maxFPR - fpr[i-1]) / (fpr[i] - fpr[i-1])
			c.X = append(c.X, maxFPR)
			c.Y = append(c.Y, pro[i-1]+t*(pro[i]-pro[i-1]))
		}
		break
	}
	return Simplify(c, 1e-3)
}

// Simplify drops points that are closer than eps, in both coordinates, to
// the last point kept; the first and last points always stay. A chart a
// thousand pixels wide cannot show the difference at eps = 1e-3 of a unit
// axis, and plotting millions of points would take seconds. Thresholds
// follow their points.
func Simplify(c Curve, eps float64) Curve {
	n := c.Len()
	if n <= 2 {
		return c
	}
	hasThr := len(c.Thresholds) == n
	var out Curve
	keep := func(i int) {
		out.X = append(out.X, c.X[i])
		out.Y = append(out.Y, c.Y[i])
		if hasThr {
			out.Thresholds = append(out.Thresholds, c.Thresholds[i])
		}
	}
	keep(0)
	lx, ly := c.X[0], c.Y[0]
	for i := 1; i < n-1; i++ {
		if math.Abs(c.X[i]-lx) >= eps || math.Abs(c.Y[i]-ly) >= eps {
			keep(i)
			lx, ly = c.X[i], c.Y[i]
		}
	}
	keep(n - 1)
	return out
}
