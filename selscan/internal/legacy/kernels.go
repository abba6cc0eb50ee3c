package legacy

import "github.com/mambaad/mambaad/internal/isa"

// kernels are the per-level inner loops the drivers call. Each works on one
// channel (one row of U, Δ, y) and, for the scans, one chunk of time steps.
type kernels struct {
	// fwd scans n steps from state h (updated in place) and writes y[:n].
	// bt, ct are B and C of the steps as (n, N); a is the channel's A row.
	fwd func(n, N int, delta, u, bt, ct, a []float32, dskip float32, h, y []float32)
	// bwd runs one chunk of the backward pass; see bwdChunk.
	bwd func(c *bwdChunk)
	// softplus writes out[i] = softplus(x[i] + bias).
	softplus func(x []float32, bias float32, out []float32)
	// dsoftplus scales g[i] by softplus'(x[i] + bias), given
	// delta[i] = softplus(x[i] + bias), and returns Σ g[i].
	dsoftplus func(x []float32, bias float32, delta, g []float32) float32
	// finish turns the per-step sums s1, s2 that bwd leaves into ∂/∂u (in
	// s1) and ∂/∂δ (in s2), and returns Σ dy·u (∂/∂Dskip); see finishGo.
	finish func(delta, u, dy []float32, dskip float32, s1, s2 []float32) float32
}

// bwdChunk holds the operands of one chunk of one channel's backward
// pass. Per step t it leaves s1_t = Σ_n dh_t,n·B_t,n and s2_t = Σ_n
// dh_t,n·exp(δ_t·A_n)·h_{t−1},n·A_n, from which finish makes ∂/∂u and ∂/∂δ
// once per row: the kernel then needs neither u nor Dskip in its reverse
// loop, which keeps it within the amd64 registers.
type bwdChunk struct {
	n, N                int
	delta, u, dy        []float32 // (n): δ, u and ∂loss/∂y of the steps
	bt, ct              []float32 // (n, N)
	a                   []float32 // (N)
	h0                  []float32 // (N): the state before the first step
	dhNext, aNext, accA []float32 // (N), carried from the later chunk: dh_{t+1}, exp(δ_{t+1}A), Σ ∂/∂A
	dB, dC              []float32 // (n, N): partial sums over channels, accumulated
	s1, s2              []float32 // (n): overwritten
	hbuf, abuf, dubuf   []float32 // scratch: (n+1, N) states, (n, N) decays, (n) δ·u
}

var goKernels = kernels{fwd: fwdGo, bwd: bwdGo, softplus: softplusGo, dsoftplus: dsoftplusGo, finish: finishGo}

// kernelsFor returns the kernels of level l, which must be in isa.Available.
func kernelsFor(l isa.Level) *kernels {
	if k := archKernels(l); k != nil {
		return k
	}
	return &goKernels
}
