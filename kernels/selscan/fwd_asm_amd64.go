//go:build !purego

package selscan

// The forward state kernels of fwd_amd64.s (hand-written).

//go:noescape
func fwd16AVX512(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, h *float32)

//go:noescape
func fwd8AVX2(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, pre0, h *float32)
