//go:build !purego

package peak

// The FMA loops of loop_amd64.s: n iterations of chains independent
// multiply-adds on vectors of 8 (AVX2) or 16 (AVX-512) float32.

//go:noescape
func fmaAVX2(n int)

//go:noescape
func fmaAVX512(n int)
