package selscan

import "fmt"

// Dims are the sizes of one call: Batch images of L = H·W pixels with D
// channels (d_inner), scanned in K directions; R is dt_rank and N d_state.
type Dims struct{ Batch, L, D, K, R, N int }

// E is the length of one x_dbl record: [dt_low (R) | B (N) | C (N)].
func (d Dims) E() int { return d.R + 2*d.N }

// Updates is the number of state updates one call performs
// (Batch·K·D·L·N), the unit of the throughput figures.
func (d Dims) Updates() int64 {
	return int64(d.Batch) * int64(d.K) * int64(d.D) * int64(d.L) * int64(d.N)
}

func (d Dims) String() string {
	return fmt.Sprintf("Batch=%d L=%d D=%d K=%d R=%d N=%d", d.Batch, d.L, d.D, d.K, d.R, d.N)
}

func (d Dims) tokLen() int { return d.Batch * d.L * d.D }
func (d Dims) dblLen() int { return d.Batch * d.L * d.K * d.E() }

// Inputs are the operands in the model's layouts.
type Inputs struct {
	X      []float32 // (Batch, L, D): the sequence values u, token-major
	XDbl   []float32 // (Batch, L, K, E): per pixel and direction [dt_low | B | C]
	Idx    [][]int32 // K permutations of 0..L−1: step j of direction k visits pixel Idx[k][j]
	DtW    []float32 // (K, D, R): dt_projs_weight as PyTorch stores it
	DtBias []float32 // (K, D)
	A      []float32 // (K, D, N): A = −exp(A_log), already negated by the caller
	Dskip  []float32 // (K, D)
}

// Grads receives the gradients. X and XDbl are overwritten; DtW, DtBias, A
// and Dskip are accumulated (+=) so that callers can sum them over
// micro-batches. A is ∂/∂A; the caller applies the chain rule to A_log.
type Grads struct {
	X, XDbl               []float32 // (Batch, L, D), (Batch, L, K, E)
	DtW, DtBias, A, Dskip []float32 // (K, D, R), (K, D), (K, D, N), (K, D)
}

// Validate reports whether the sizes are usable and the inputs have exactly
// the lengths they imply, and whether every Idx[k] is a permutation (the
// kernels index memory with it).
func (d Dims) Validate(in Inputs) error {
	if d.Batch < 1 || d.L < 1 || d.D < 1 || d.K < 1 || d.R < 1 || d.N < 1 {
		return fmt.Errorf("selscan: all sizes must be ≥ 1, got %v", d)
	}
	if err := checkLens("input", []named{
		{"X", in.X, d.tokLen()}, {"XDbl", in.XDbl, d.dblLen()}, {"DtW", in.DtW, d.K * d.D * d.R},
		{"DtBias", in.DtBias, d.K * d.D}, {"A", in.A, d.K * d.D * d.N}, {"Dskip", in.Dskip, d.K * d.D},
	}); err != nil {
		return err
	}
	if len(in.Idx) != d.K {
		return fmt.Errorf("selscan: Idx has %d directions, want %d", len(in.Idx), d.K)
	}
	seen := make([]uint32, d.L)
	for k, idx := range in.Idx {
		if len(idx) != d.L {
			return fmt.Errorf("selscan: Idx[%d] has length %d, want %d", k, len(idx), d.L)
		}
		for j, p := range idx {
			if p < 0 || int(p) >= d.L || seen[p] == uint32(k+1) {
				return fmt.Errorf("selscan: Idx[%d] is not a permutation of 0..%d (step %d visits %d)", k, d.L-1, j, p)
			}
			seen[p] = uint32(k + 1)
		}
	}
	return nil
}

func (d Dims) validateGrads(g Grads) error {
	return checkLens("gradient", []named{
		{"X", g.X, d.tokLen()}, {"XDbl", g.XDbl, d.dblLen()}, {"DtW", g.DtW, d.K * d.D * d.R},
		{"DtBias", g.DtBias, d.K * d.D}, {"A", g.A, d.K * d.D * d.N}, {"Dskip", g.Dskip, d.K * d.D},
	})
}

type named struct {
	name string
	s    []float32
	want int
}

func checkLens(kind string, fs []named) error {
	for _, f := range fs {
		if len(f.s) != f.want {
			return fmt.Errorf("selscan: %s %s has length %d, want %d", kind, f.name, len(f.s), f.want)
		}
	}
	return nil
}

// mustTok panics (a programming error in a hot path) unless the inputs are
// consistent and the token-major slice named has length Batch·L·D.
func mustTok(d Dims, in Inputs, name string, s []float32) {
	if err := d.Validate(in); err != nil {
		panic(err)
	}
	if len(s) != d.tokLen() {
		panic(fmt.Sprintf("selscan: %s has length %d, want %d (%v)", name, len(s), d.tokLen(), d))
	}
}

func mustBackward(d Dims, in Inputs, dy []float32, g Grads) {
	mustTok(d, in, "dy", dy)
	if err := d.validateGrads(g); err != nil {
		panic(err)
	}
}
