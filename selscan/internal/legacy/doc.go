// Package legacy is a frozen copy of the previous selscan kernel (one
// channel at a time in the layout (Batch, K, D, L), states in vector lanes),
// kept only so that selscan's benchmarks can compare the fused SS2D core
// with it side by side. Nothing in the model uses it; delete it once the
// comparison is no longer wanted.
//
// It was MambaAD's fused selective scan (the S6 recurrence of
// the SS2D mixer), forward and backward, for every batch item b, direction
// k, channel d (c = k·D + d) and state n:
//
//	δ_t    = softplus(Δ[b,k,d,t] + bias[c])       (torch: x when x > 20)
//	h_t,n  = exp(δ_t·A[c,n])·h_{t−1},n + δ_t·B[b,k,n,t]·u[b,k,d,t]
//	y_t    = Σ_n C[b,k,n,t]·h_t,n + Dskip[c]·u[b,k,d,t]        (h_{−1} = 0)
//
// It is the hottest kernel of the model, so the scan runs one channel at a
// time with the N states in vector lanes (N = 16 is one zmm or two ymm
// registers) and the shared B_t, C_t transposed to (L, N) once per (b, k).
// Time is cut into chunks of chunkLen steps; every worker walks its channels
// chunk by chunk so one chunk of B, C (and of the dB, dC partial sums) stays
// in L1 while all its channels use it.
//
// Backward needs h_{t−1} at every step. Storing it would cost L·N floats per
// channel, so Forward saves only δ (L per channel) and h at chunk boundaries
// (N per chunkLen steps), and Backward recomputes the states of one chunk at
// a time, walking the chunks from last to first.
//
// ForwardRef and BackwardRef are plain float32 loops over the formulas,
// kept as the readable specification the fast paths are tested against.
package legacy
