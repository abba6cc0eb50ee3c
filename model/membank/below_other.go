//go:build !amd64 || purego

package membank

// below returns the least j with t[j] + sq[j] < thr, or len(t): the scan
// of the search's products for a score that enters the candidates.
func below(t, sq []float32, thr float32) int { return belowGo(t, sq[:len(t)], thr) }
