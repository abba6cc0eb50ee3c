package tensor

import (
	"math"
	"testing"
)

func TestViewSharesData(t *testing.T) {
	a := New(2, 3)
	v := a.View(3, 2)
	v.Data[5] = 7
	if a.Data[5] != 7 || a.Dim(-1) != 3 || v.Dim(0) != 3 {
		t.Fatalf("view does not share data or dims wrong: %v %v", a, v)
	}
}

func TestFromRejectsWrongSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("From accepted 5 values for shape [2 3]")
		}
	}()
	From(make([]float32, 5), 2, 3)
}

func TestRelErr(t *testing.T) {
	if e := RelErr([]float32{1, 2}, []float32{1, 2}); e != 0 {
		t.Fatalf("identical: %g", e)
	}
	if e := RelErr([]float32{0, 0}, []float32{3, 4}); math.Abs(e-1) > 1e-12 {
		t.Fatalf("zero vs (3,4): %g", e)
	}
	if !math.IsInf(MaxAbsDiff([]float32{float32(math.NaN())}, []float32{0}), 1) {
		t.Fatal("NaN not reported")
	}
}
