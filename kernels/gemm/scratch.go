package gemm

import "sync"

// scratch holds one worker's packing buffers; pooled so steady-state calls
// do not allocate.
type scratch struct {
	a, b, tile []float32
}

var scratchPool sync.Pool

func getScratch(na, nb, nt int) *scratch {
	s, _ := scratchPool.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	s.a = grow(s.a, na)
	s.b = grow(s.b, nb)
	s.tile = grow(s.tile, nt)
	return s
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// rowsPool recycles the row tables of strided B read in place.
var rowsPool sync.Pool

func getRows(n int) *[]int {
	p, _ := rowsPool.Get().(*[]int)
	if p == nil {
		p = new([]int)
	}
	if cap(*p) < n {
		*p = make([]int, n)
	}
	*p = (*p)[:n]
	return p
}
