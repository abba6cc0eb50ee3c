package selscan

import (
	"math/bits"
	"sync"
)

// The scan needs per-call scratch of very different sizes (a few KB per
// work item, megabytes for transposed B and C when Forward has no Saved).
// Pools per power-of-two size class keep repeated calls free of large
// allocations without making callers own a workspace.
var pools [64]sync.Pool

// getScratch returns a slice of length n with unspecified contents.
func getScratch(n int) *[]float32 {
	c := bits.Len(uint(max(n, 1) - 1))
	if p, ok := pools[c].Get().(*[]float32); ok {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n, 1<<c)
	return &s
}

// putScratch returns a slice obtained from getScratch.
func putScratch(p *[]float32) {
	pools[bits.Len(uint(cap(*p)-1))].Put(p)
}
