//go:build !purego

package selscan

// The backward kernels of bwd_amd64.s (hand-written): recompute, reverse,
// weight gradient and the cross-lane reduction.

//go:noescape
func rec16AVX512(n int, a, pre, h, dAP, accC *float32, es int)

//go:noescape
func rev16AVX512(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, dAP, accB *float32, es int, dh, accA, accD, accBias *float32)

//go:noescape
func wgrad16AVX512(n int, idx *int32, rec *float32, rs int, r int, pre, dtwr, accDt *float32, as int, accW *float32)

//go:noescape
func reduce16AVX512(n, r int, acc *float32, as int, idx *int32, dst *float32, rs int)

//go:noescape
func rec8AVX2(n int, a, pre, pre0, h, dAP, accC *float32, es int)

//go:noescape
func rev8AVX2(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, pre0, dAP, accB *float32, es int, dh, accA, accD, accBias *float32)

//go:noescape
func wgrad8AVX2(n int, idx *int32, rec *float32, rs int, r int, pre, dtwr, accDt *float32, as int, accW *float32)

//go:noescape
func reduce8AVX2(n, r int, acc *float32, as int, idx *int32, dst *float32, rs int)
