package nn

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Scratch hands out temporary float32 buffers that are reused across
// layers and calls. The large per-direction tensors of SS2D (K·D·L floats
// per image) are only needed inside one layer's forward or backward, so
// sharing them keeps the peak memory at one layer's worth instead of one per
// layer. Buffers are not zeroed.
//
// Every buffer from GetScratch must go back exactly once, whole, with
// PutScratch. A buffer returned twice would be handed to two users at once,
// and a buffer used after its return is overwritten by the next user: both
// corrupt results silently. The pool therefore counts buffers out and in
// (ScratchOutstanding, always, at the cost of one integer under the lock it
// already takes) and has a checking mode (SetScratchChecks, or
// MAMBAAD_SCRATCH_CHECK=1 in the environment) that, at the cost of two map
// operations and a stack walk per call, panics on a buffer returned twice,
// returned resliced or never handed out, remembers where each outstanding
// buffer was obtained (ScratchLeaks), and fills buffers with NaN when they
// are handed out and returned, so that reading a buffer before writing it or
// after returning it shows up as NaN results.
var scratch = struct {
	sync.Mutex
	free  map[int][][]float32
	out   int           // buffers handed out and not yet returned
	check *scratchCheck // nil unless checking mode is on
}{free: map[int][][]float32{}}

// scratchCheck is the checking mode's bookkeeping, keyed by a buffer's first
// element (buffers with zero capacity are counted but not identified).
type scratchCheck struct {
	live   map[*float32]liveScratch // handed out, not yet returned
	pooled map[*float32]bool        // in a free list
	// untracked counts buffers handed out before checking was turned on;
	// returning one of them is not an error.
	untracked int
}

type liveScratch struct {
	n    int
	site string
}

func init() {
	if os.Getenv("MAMBAAD_SCRATCH_CHECK") == "1" {
		SetScratchChecks(true)
	}
}

// GetScratch returns a buffer of n elements (contents undefined).
func GetScratch(n int) []float32 {
	scratch.Lock()
	defer scratch.Unlock()
	scratch.out++
	var b []float32
	if l := scratch.free[n]; len(l) > 0 {
		b = l[len(l)-1]
		l[len(l)-1] = nil
		scratch.free[n] = l[:len(l)-1]
	} else {
		b = make([]float32, n)
	}
	if c := scratch.check; c != nil && cap(b) > 0 {
		p := &b[:1][0]
		delete(c.pooled, p)
		c.live[p] = liveScratch{n: n, site: callers(2)}
		poison(b)
	}
	return b
}

// PutScratch returns buffers obtained from GetScratch; nil entries are
// skipped.
func PutScratch(bufs ...[]float32) {
	scratch.Lock()
	defer scratch.Unlock()
	for _, b := range bufs {
		if b == nil {
			continue
		}
		if c := scratch.check; c != nil && cap(b) > 0 {
			if err := c.put(b); err != nil {
				panic(err)
			}
			poison(b)
		}
		scratch.out--
		scratch.free[len(b)] = append(scratch.free[len(b)], b)
	}
}

// put validates the return of b in checking mode.
func (c *scratchCheck) put(b []float32) error {
	p := &b[:1][0]
	l, ok := c.live[p]
	switch {
	case ok && l.n != len(b):
		return fmt.Errorf("nn: PutScratch: buffer of %d elements returned with length %d (obtained at %s)", l.n, len(b), l.site)
	case ok:
		delete(c.live, p)
		c.pooled[p] = true
		return nil
	case c.pooled[p]:
		return fmt.Errorf("nn: PutScratch: buffer of %d elements returned twice", len(b))
	case c.untracked > 0:
		c.untracked-- // obtained before checking was turned on
		c.pooled[p] = true
		return nil
	}
	return fmt.Errorf("nn: PutScratch: buffer of %d elements was not obtained from GetScratch (or is a subslice of one)", len(b))
}

func poison(b []float32) {
	nan := float32(math.NaN())
	for i := range b {
		b[i] = nan
	}
}

// callers describes the call stack above GetScratch: the function that
// asked and the two that called it.
func callers(skip int) string {
	var pcs [3]uintptr
	n := runtime.Callers(skip+1, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	var parts []string
	for {
		f, more := frames.Next()
		fn := f.Function
		if i := strings.LastIndexByte(fn, '/'); i >= 0 {
			fn = fn[i+1:]
		}
		parts = append(parts, fmt.Sprintf("%s (%s:%d)", fn, shortFile(f.File), f.Line))
		if !more {
			break
		}
	}
	return strings.Join(parts, " ← ")
}

func shortFile(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return path
	}
	if j := strings.LastIndexByte(path[:i], '/'); j >= 0 {
		return path[j+1:]
	}
	return path
}

// SetScratchChecks turns the pool's checking mode on or off and returns the
// previous setting. Tests turn it on (a TestMain or ScratchBalanced does);
// production leaves it off unless MAMBAAD_SCRATCH_CHECK=1.
func SetScratchChecks(on bool) (was bool) {
	scratch.Lock()
	defer scratch.Unlock()
	was = scratch.check != nil
	switch {
	case on && !was:
		c := &scratchCheck{live: map[*float32]liveScratch{}, pooled: map[*float32]bool{}, untracked: max(scratch.out, 0)}
		for _, l := range scratch.free {
			for _, b := range l {
				if cap(b) > 0 {
					c.pooled[&b[:1][0]] = true
				}
			}
		}
		scratch.check = c
	case !on:
		scratch.check = nil
	}
	return was
}

// ScratchOutstanding returns the number of buffers handed out by GetScratch
// and not yet returned. Code that balances its scratch buffers leaves it
// unchanged; tests compare it before and after a forward or backward pass.
func ScratchOutstanding() int {
	scratch.Lock()
	defer scratch.Unlock()
	return scratch.out
}

// ScratchLeaks describes, in checking mode, the buffers currently handed out:
// one line per call site with the number of buffers and their sizes. It
// returns nil when checking is off.
func ScratchLeaks() []string {
	scratch.Lock()
	defer scratch.Unlock()
	c := scratch.check
	if c == nil {
		return nil
	}
	type agg struct {
		count int
		sizes []int
	}
	by := map[string]*agg{}
	for _, l := range c.live {
		a := by[l.site]
		if a == nil {
			a = &agg{}
			by[l.site] = a
		}
		a.count++
		a.sizes = append(a.sizes, l.n)
	}
	var out []string
	for site, a := range by {
		sort.Ints(a.sizes)
		out = append(out, fmt.Sprintf("%d buffer(s) of %v from %s", a.count, a.sizes, site))
	}
	sort.Strings(out)
	return out
}

// TB is the part of testing.TB that the balance checks use (nn does not
// import package testing).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// CheckScratchBalance reports through t if the number of outstanding scratch
// buffers differs from mark (an earlier ScratchOutstanding), listing in
// checking mode where the outstanding buffers came from. what names the
// point of the check in the message.
func CheckScratchBalance(t TB, mark int, what string) {
	t.Helper()
	if d := ScratchOutstanding() - mark; d != 0 {
		msg := fmt.Sprintf("scratch pool unbalanced %s: %+d buffer(s) outstanding", what, d)
		if leaks := ScratchLeaks(); len(leaks) > 0 {
			msg += "; outstanding now:\n\t" + strings.Join(leaks, "\n\t")
		}
		t.Errorf("%s", msg)
	}
}

// ReleaseScratch drops all pooled buffers so the garbage collector can
// reclaim them (between training and a large evaluation, for example).
// Buffers currently handed out stay valid and may still be returned.
func ReleaseScratch() {
	scratch.Lock()
	defer scratch.Unlock()
	scratch.free = map[int][][]float32{}
	if c := scratch.check; c != nil {
		c.pooled = map[*float32]bool{}
	}
}
