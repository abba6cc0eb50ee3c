//go:build amd64 && !purego

package membank

import "github.com/mambaad/mambaad/kernels/isa"

// belowAVX512 is below's vector body (below_amd64.s): n a multiple of 16.
//
//go:noescape
func belowAVX512(t, sq *float32, n int, thr float32) int

var haveAVX512 = isa.Best() >= isa.AVX512

// below returns the least j with t[j] + sq[j] < thr, or len(t): the scan
// of the search's products for a score that enters the candidates.
func below(t, sq []float32, thr float32) int {
	sq = sq[:len(t)]
	j := 0
	if n := len(t) &^ 15; haveAVX512 && n > 0 {
		if j = belowAVX512(&t[0], &sq[0], n, thr); j < n {
			return j
		}
	}
	return j + belowGo(t[j:], sq[j:], thr)
}
