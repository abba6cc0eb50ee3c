package report

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/metrics"
)

// prPoints is the exact precision-recall curve of image scores, one point
// per distinct score plus the (recall 0, precision 1) start.
func prPoints(scores []float64, labels []bool) (Curve, error) {
	c, err := imageCounts(scores, labels)
	if err != nil {
		return Curve{}, err
	}
	return c.pr()
}

// trapezoid is the area under c by the trapezoidal rule: on a ROC curve,
// the AUROC of package metrics (scikit-learn's roc_auc_score).
func trapezoid(c Curve) float64 {
	var s float64
	for i := 1; i < len(c.X); i++ {
		s += (c.X[i] - c.X[i-1]) * (c.Y[i] + c.Y[i-1]) / 2
	}
	return s
}

// stepArea is Σ (x_i − x_{i−1})·y_i: on a PR curve, the average precision
// of package metrics (scikit-learn's average_precision_score).
func stepArea(c Curve) float64 {
	var s float64
	for i := 1; i < len(c.X); i++ {
		s += (c.X[i] - c.X[i-1]) * c.Y[i]
	}
	return s
}

func checkCurve(t *testing.T, what string, got Curve, x, y, thr []float64) {
	t.Helper()
	if got.Len() != len(x) || len(got.Thresholds) != len(thr) {
		t.Fatalf("%s: %d points (%v, %v), want %d", what, got.Len(), got.X, got.Y, len(x))
	}
	for i := range x {
		if math.Abs(got.X[i]-x[i]) > 1e-12 || math.Abs(got.Y[i]-y[i]) > 1e-12 || got.Thresholds[i] != thr[i] {
			t.Fatalf("%s point %d: (%v, %v, thr %v), want (%v, %v, thr %v)", what, i,
				got.X[i], got.Y[i], got.Thresholds[i], x[i], y[i], thr[i])
		}
	}
}

// A hand-computed case with a tie between an anomalous and a normal image
// at 0.8: the tie is one threshold, a diagonal step of the ROC curve.
func TestROCAndPRWithTies(t *testing.T) {
	scores := []float64{0.3, 0.8, 0.9, 0.8, 0.1}
	labels := []bool{false, true, true, false, true}
	inf := math.Inf(1)
	roc, err := ROCPoints(scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	// P = 3, N = 2. ≥0.9: tp1 fp0; ≥0.8: tp2 fp1; ≥0.3: tp2 fp2; ≥0.1: tp3 fp2.
	checkCurve(t, "ROC", roc,
		[]float64{0, 0, 0.5, 1, 1},
		[]float64{0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1},
		[]float64{inf, 0.9, 0.8, 0.3, 0.1})
	// AUC by trapezoids: 0.5·(1/3+2/3)/2 + 0.5·2/3 = 0.25 + 1/3.
	if got, want := trapezoid(roc), 0.25+1.0/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("AUC = %v, want %v", got, want)
	}
	pr, err := prPoints(scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	checkCurve(t, "PR", pr,
		[]float64{0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1},
		[]float64{1, 1, 2.0 / 3, 0.5, 0.6},
		[]float64{inf, 0.9, 0.8, 0.3, 0.1})
	// AP = 1/3·1 + 1/3·2/3 + 0 + 1/3·0.6.
	if got, want := stepArea(pr), (1+2.0/3+0.6)/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("AP = %v, want %v", got, want)
	}
}

func TestAllTied(t *testing.T) {
	roc, err := ROCPoints([]float64{2, 2, 2}, []bool{true, false, true})
	if err != nil {
		t.Fatal(err)
	}
	checkCurve(t, "ROC", roc, []float64{0, 1}, []float64{0, 1}, []float64{math.Inf(1), 2})
	if trapezoid(roc) != 0.5 {
		t.Errorf("AUC of a constant score = %v, want 0.5", trapezoid(roc))
	}
}

func TestCurveErrors(t *testing.T) {
	if _, err := ROCPoints([]float64{1, 2}, []bool{true, true}); !errors.Is(err, ErrNoNegatives) {
		t.Errorf("all anomalous: %v", err)
	}
	if _, err := ROCPoints([]float64{1, 2}, []bool{false, false}); !errors.Is(err, ErrNoPositives) {
		t.Errorf("all normal: %v", err)
	}
	if _, err := prPoints([]float64{1, 2}, []bool{false, false}); !errors.Is(err, ErrNoPositives) {
		t.Errorf("PR all normal: %v", err)
	}
	if _, err := prPoints([]float64{1, 2}, []bool{true, true}); err != nil {
		t.Errorf("PR needs no normal sample: %v", err)
	}
	if _, err := ROCPoints([]float64{1}, []bool{true, false}); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := ROCPoints(nil, nil); err == nil {
		t.Error("empty input accepted")
	}
	if _, err := ROCPoints([]float64{math.NaN(), 1}, []bool{true, false}); err == nil {
		t.Error("NaN score accepted")
	}
}

// The areas under our curves must be the exact metrics of package
// metrics (scikit-learn's definitions), on data with many ties.
func TestAreasMatchMetrics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		n := 5 + rng.IntN(200)
		scores := make([]float64, n)
		labels := make([]bool, n)
		for i := range scores {
			labels[i] = rng.IntN(3) == 0
			scores[i] = float64(rng.IntN(12)) // few distinct values: ties
			if labels[i] {
				scores[i] += float64(rng.IntN(5))
			}
		}
		labels[0], labels[1] = true, false
		want, err := metrics.Scores(scores, labels)
		if err != nil {
			t.Fatal(err)
		}
		roc, _ := ROCPoints(scores, labels)
		pr, _ := prPoints(scores, labels)
		if math.Abs(trapezoid(roc)-want.AUROC) > 1e-12 || math.Abs(stepArea(pr)-want.AP) > 1e-12 {
			t.Fatalf("trial %d: AUC %v AP %v; metrics %+v", trial, trapezoid(roc), stepArea(pr), want)
		}
	}
}
