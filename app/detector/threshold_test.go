package detector

import (
	"math"
	"testing"
)

func TestCalibrateFPR(t *testing.T) {
	normals := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}
	for _, c := range []struct {
		fpr     float64
		flagged int
	}{{0, 0}, {0.1, 1}, {0.25, 2}, {0.5, 5}} {
		th, err := CalibrateFPR(normals, c.fpr)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, s := range normals {
			if s >= th.Value {
				got++
			}
		}
		if got != c.flagged {
			t.Errorf("fpr %v: %d normals flagged at %v, want %d", c.fpr, got, th.Value, c.flagged)
		}
	}
	if _, err := CalibrateFPR(nil, 0.1); err == nil {
		t.Error("no normals accepted")
	}
	if _, err := CalibrateFPR(normals, 1); err == nil {
		t.Error("fpr 1 accepted")
	}
}

func TestCalibrateF1(t *testing.T) {
	scores := []float64{0.9, 0.8, 0.7, 0.7, 0.3, 0.2}
	labels := []int{1, 1, 0, 1, 0, 0}
	th, err := CalibrateF1(scores, labels)
	if err != nil {
		t.Fatal(err)
	}
	// Thresholds: 0.9 → F1 0.5; 0.8 → 0.8; 0.7 (tie admits both) → tp 3 of
	// 4 flagged: 6/7 ≈ 0.857; 0.3 → 0.75; 0.2 → 0.667.
	if th.Value != 0.7 || math.Abs(th.F1-6.0/7) > 1e-12 {
		t.Fatalf("threshold %v with F1 %v, want 0.7 with 6/7", th.Value, th.F1)
	}
	if _, err := CalibrateF1(scores, []int{0, 0, 0, 0, 0, 0}); err == nil {
		t.Error("one-class set accepted")
	}
}

func TestThresholdJSONRoundTrip(t *testing.T) {
	th := Threshold{Value: 0.42, Method: "fpr", FPR: 0.05, Images: 100}
	back, err := ParseThreshold(th.JSON())
	if err != nil || *back != th {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if none, err := ParseThreshold(""); none != nil || err != nil {
		t.Fatal("empty metadata should mean no threshold")
	}
	if _, err := ParseThreshold("{"); err == nil {
		t.Fatal("bad JSON accepted")
	}
}
