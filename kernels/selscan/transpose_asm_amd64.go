//go:build !purego

package selscan

// The 16-row block transpose of transpose_amd64.s (hand-written).

//go:noescape
func transpose16AVX512(dst, src *float32, m int)
