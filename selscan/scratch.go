package selscan

import "sync"

// The scan needs sizeable per-call scratch (transposed B and C, dB/dC
// partial sums). Pooling it keeps repeated calls free of large allocations
// without making callers own a workspace.
var pool sync.Pool

// getScratch returns a slice of length n with unspecified contents.
func getScratch(n int) *[]float32 {
	if p, ok := pool.Get().(*[]float32); ok {
		if cap(*p) >= n {
			*p = (*p)[:n]
			return p
		}
		pool.Put(p)
	}
	s := make([]float32, n)
	return &s
}

func putScratch(p *[]float32) { pool.Put(p) }
