// Package selscan is the fused core of MambaAD's SS2D mixer: everything
// between the x-projection GEMM and the output LayerNorm. For batch item b,
// direction k, channel d and step j = 0..L−1 of direction k, which visits
// pixel p = Idx[k][j]:
//
//	raw_j  = Σ_r DtW[k,d,r]·XDbl[b,p,k,r] + DtBias[k,d]
//	δ_j    = softplus(raw_j)                     (torch: raw when raw > 20)
//	u_j    = X[b,p,d]
//	h_j,n  = exp(δ_j·A[k,d,n])·h_{j−1},n + δ_j·XDbl[b,p,k,R+n]·u_j     (h_{−1} = 0)
//	y_j    = Σ_n XDbl[b,p,k,R+N+n]·h_j,n + Dskip[k,d]·u_j
//	Y[b,p,d] = Σ_k y_j(k)                        (the K directions summed)
//
// Everything is token-major (pixel, channel), the layout of the GEMMs
// around it, so SS2D needs no per-direction copies of its input, no Δ
// tensor, no B and C copies and no gather, scatter or transpose passes: the
// direction permutations are followed through Idx inside the kernel.
//
// The fast paths vectorise over 16 channels (one zmm register, two ymm):
// a forward work item owns (b, a group of 16 channels), keeps the N
// states of its 16 channels in registers and walks all K directions
// itself, so it is the only writer of its slice of Y and never needs a
// horizontal sum. B_n and C_n are scalars per step, broadcast to all
// lanes. Time goes in chunks of 64 steps: a prep pass gathers what each
// step needs from the scattered pixels (u, dy, B, C) and computes δ with
// a vector softplus, into one L1-resident record per step, while the data
// of the next chunk is prefetched; the state kernel then streams through
// the records. The decays exp(δA) use a table-based vector 2^x (see
// expf.go), which is most of the work.
//
// Backward needs h_{j−1} at every step. Storing it would cost L·N floats
// per channel and direction, so Forward saves h only at chunk boundaries
// (see Saved) and Backward recomputes one chunk at a time, walking chunks
// from last to first. A backward work item owns (b, a set of directions)
// and runs every channel group through each chunk, so the sums over
// channels that dXDbl needs are kept as 16-lane partial vectors across the
// groups and reduced across lanes once per chunk; only dX is shared
// between the direction sets of a batch item (see targetItems).
//
// Results are deterministic: the work decomposition and every summation
// order depend on the sizes only, not on the number of workers.
//
// ForwardRef and BackwardRef (ref_test.go) are plain float32 loops over
// the formulas, kept as the readable specification; the tests check every
// level of the fast path against a float64 version of them.
//
// Files follow the layout of every kernel package, one topic per pass:
// prep_amd64.s, fwd_amd64.s and bwd_amd64.s are the hand-written AVX-512
// and AVX2 kernels (with transpose_amd64.s, consts_amd64.s and the macros
// of vec_amd64.h), each declared in its <topic>_asm_amd64.go;
// dispatch_amd64.go and dispatch_other.go (non-amd64 or -tags purego)
// choose the kernels for each isa.Level; prep_generic.go, fwd_generic.go
// and bwd_generic.go are the plain-Go kernels; forward.go and backward.go
// the drivers; ref_test.go the references; bench_test.go the benchmarks.
// There is no generator: this assembly is written by hand.
package selscan
