package selscan

import "github.com/mambaad/mambaad/kernels/isa"

// chunk is the operands of one kernel call: one group of 16 channels, one
// direction, n consecutive steps. Token-major arrays (x, y, dy, dx) hold
// lane l of pixel p at [p·ts + l]; the x_dbl record of pixel p for this
// direction starts at rec[p·rs]. (n, 16) arrays are per step, (N, 16)
// per state; "16" is always the lane index, fastest.
type chunk struct {
	n, R, N int
	L       int       // every pixel index is < L (Validate checked Idx)
	idx     []int32   // (n): the pixels of the steps
	rec     []float32 // x_dbl of this batch item and direction, record stride rs
	rs, ts  int
	x       []float32 // token-major u
	out     []float32 // token-major: Y (forward) or dX (backward)
	add     bool      // out += rather than out = (directions after the first)

	dtw, a, bias, dskip []float32 // the group's parameters (see params)
	dtwr                []float32 // DtW of the group, (16, R), padded (see params)

	// pre is prep's output, (n, 8, 16): per step the vectors δ, δ·u, u,
	// σ = softplus'(raw) (when sig is set; rev replaces it by ∂/∂raw),
	// dy[p] (when dy is set), when N = 16 B and C, and δ·log2 e, the
	// factor of the decays' exponents 2^(δ·log2 e·A): one 512-byte record
	// per step gathered from the scattered pixels, so that the state
	// kernels read one L1-resident stream.
	pre []float32
	sig bool
	h   []float32 // (N, 16): the state, carried across chunks

	// Backward only.
	dy  []float32 // token-major ∂loss/∂Y
	dAP []float32 // (n, N, 2, 16): exp(δ_j·A) and exp(δ_j·A)·h_{j−1}
	// acc holds per step accLen(R, N) floats of partial dXDbl sums over
	// the groups of an item: N vectors of 16 lane partials for B, N for
	// C, then dt_low itself (R floats, already summed over the lanes by
	// the matrix-vector product in wgrad), padded to a whole vector.
	acc     []float32
	dh      []float32 // (N, 16): exp(δ_{j+1}A)·dh_{j+1}, carried to the earlier chunk
	accA    []float32 // (N, 16): Σ ∂/∂A
	accW    []float32 // (R, 16): Σ ∂/∂DtW
	accD    []float32 // (16): Σ ∂/∂Dskip
	accBias []float32 // (16): Σ ∂/∂DtBias
}

// kernels are one instruction-set level's inner loops over a chunk.
type kernels struct {
	// prefetch asks for the memory that prep of c will read (a hint;
	// nothing for the plain-Go level).
	prefetch func(c *chunk)
	// prep fills pre (its σ vectors only when sig is set).
	prep func(c *chunk)
	// fwd runs the scan from state h (updated) and writes out.
	fwd func(c *chunk)
	// rec recomputes the states from h (updated to the last one), filling
	// dAP and adding dy·h into the C part of acc.
	rec func(c *chunk)
	// rev runs the reverse recurrence from the carried dh (updated),
	// writes out (dX), adds into the B part of acc, accA, accD and
	// accBias, and leaves ∂/∂raw of each step in pre's σ vectors.
	rev func(c *chunk)
	// wgrad adds DtWᵀ·∂raw, from the ∂/∂raw that rev left, into the
	// dt_low part of acc, and ∂raw·dt_lowᵀ into accW.
	wgrad func(c *chunk)
	// reduce sums the 16 lanes of each B and C vector of acc and stores
	// the dXDbl record of step j at dst[idx[j]·rs:].
	reduce func(n, R, N int, acc []float32, idx []int32, dst []float32, rs int)
}

var goKernels = kernels{prefetch: func(*chunk) {}, prep: prepGo, fwd: fwdGo, rec: recGo, rev: revGo, wgrad: wgradGo, reduce: reduceGo}

// accLen is the number of floats of one step in chunk.acc.
func accLen(R, N int) int { return (2*N + (R+lanes-1)/lanes) * lanes }

// Offsets of the vectors of a step in chunk.pre, in units of 16 floats.
const (
	preDelta = iota
	preDU
	preU
	preSig
	preG
	preB
	preC
	preDL2
	preLen = 8 * lanes
)

// kernelsFor returns the kernels of level l, which must be in isa.Available.
func kernelsFor(l isa.Level) *kernels {
	if k := archKernels(l); k != nil {
		return k
	}
	return &goKernels
}
