package nn_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/nn"
)

// recorder is a TB that keeps the reported errors.
type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func mustPanic(t *testing.T, what, want string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("%s: no panic", what)
		}
		if msg := ((r).(error)).Error(); !strings.Contains(msg, want) {
			t.Fatalf("%s: panic %q, want it to mention %q", what, msg, want)
		}
	}()
	fn()
}

func TestScratchCounts(t *testing.T) {
	mark := nn.ScratchOutstanding()
	a, b := nn.GetScratch(10), nn.GetScratch(0)
	if d := nn.ScratchOutstanding() - mark; d != 2 {
		t.Fatalf("after two gets: %+d outstanding", d)
	}
	var r recorder
	nn.CheckScratchBalance(&r, mark, "in the test")
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "+2 buffer(s) outstanding") || !strings.Contains(r.errs[0], "TestScratchCounts") {
		t.Fatalf("balance report %q: want +2 outstanding, obtained in TestScratchCounts", r.errs)
	}
	nn.PutScratch(a, nil, b)
	nn.CheckScratchBalance(t, mark, "after the puts")
}

func TestScratchChecksCatchMisuse(t *testing.T) {
	mark := nn.ScratchOutstanding()
	a := nn.GetScratch(16)
	for _, v := range a {
		if !math.IsNaN(float64(v)) {
			t.Fatal("checking mode hands out a buffer not filled with NaN")
		}
	}
	a[0] = 1
	nn.PutScratch(a)
	if !math.IsNaN(float64(a[0])) {
		t.Fatal("checking mode does not poison a returned buffer")
	}
	mustPanic(t, "double return", "returned twice", func() { nn.PutScratch(a) })
	mustPanic(t, "foreign buffer", "not obtained from GetScratch", func() { nn.PutScratch(make([]float32, 16)) })
	b := nn.GetScratch(16)
	mustPanic(t, "subslice", "not obtained from GetScratch", func() { nn.PutScratch(b[1:]) })
	mustPanic(t, "shortened buffer", "returned with length 8", func() { nn.PutScratch(b[:8]) })
	nn.PutScratch(b)
	nn.CheckScratchBalance(t, mark, "after the misuse checks")
}

// TestScratchChecksToggle: buffers handed out before checking is turned on
// may still be returned; those handed out while it is on are tracked.
func TestScratchChecksToggle(t *testing.T) {
	was := nn.SetScratchChecks(false)
	defer nn.SetScratchChecks(was)
	mark := nn.ScratchOutstanding()
	old := nn.GetScratch(5)
	nn.SetScratchChecks(true)
	fresh := nn.GetScratch(5)
	nn.PutScratch(old, fresh)
	mustPanic(t, "double return after toggling", "returned twice", func() { nn.PutScratch(fresh) })
	nn.CheckScratchBalance(t, mark, "after toggling")
}

// TestReleaseScratchKeepsOutstanding: buffers handed out before
// ReleaseScratch may still be returned, once.
func TestReleaseScratchKeepsOutstanding(t *testing.T) {
	mark := nn.ScratchOutstanding()
	a := nn.GetScratch(7)
	nn.ReleaseScratch()
	nn.PutScratch(a)
	nn.CheckScratchBalance(t, mark, "after release")
	mustPanic(t, "double return after release", "returned twice", func() { nn.PutScratch(a) })
}
