//go:build !purego

package selscan

// The prep kernels of prep_amd64.s (hand-written) and the prefetch of the
// next chunk.

//go:noescape
func prep16AVX512(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)

//go:noescape
func prep8AVX2(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)

//go:noescape
func prefetch16(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int)
