package legacy

import "fmt"

// Dims are the sizes of one scan call. Channels are grouped in K directions
// of D channels; B and C are shared by the D channels of a direction.
type Dims struct{ Batch, K, D, L, N int }

// Inputs are the scan operands in the caller's layouts. The fast exp
// assumes δ·A ≤ 88 (true for A ≤ 0); larger products overflow h anyway.
type Inputs struct {
	U, Delta  []float32 // (Batch, K, D, L): the sequence and the raw Δ before softplus
	A         []float32 // (K·D, N): A = −exp(A_log) ≤ 0, negated by the caller (see below)
	B, C      []float32 // (Batch, K, N, L)
	Dskip     []float32 // (K·D)
	DeltaBias []float32 // (K·D): added to Δ before softplus
}

// Grads receives the gradients. U, Delta, B and C are overwritten; A,
// Dskip and DeltaBias are accumulated (+=) so that callers can sum them
// over micro-batches.
type Grads struct {
	U, Delta, B, C      []float32
	A, Dskip, DeltaBias []float32
}

// Updates is the number of state updates one call performs, the unit of the
// throughput figures.
func (d Dims) Updates() int64 {
	return int64(d.Batch) * int64(d.K) * int64(d.D) * int64(d.L) * int64(d.N)
}

func (d Dims) rows() int   { return d.Batch * d.K * d.D }
func (d Dims) seqLen() int { return d.rows() * d.L }
func (d Dims) bcLen() int  { return d.Batch * d.K * d.N * d.L }
func (d Dims) chans() int  { return d.K * d.D }
func (d Dims) String() string {
	return fmt.Sprintf("Batch=%d K=%d D=%d L=%d N=%d", d.Batch, d.K, d.D, d.L, d.N)
}

// Validate reports whether the sizes are usable and the inputs have exactly
// the lengths they imply.
func (d Dims) Validate(in Inputs) error {
	if d.Batch < 1 || d.K < 1 || d.D < 1 || d.L < 1 || d.N < 1 {
		return fmt.Errorf("selscan: all sizes must be ≥ 1, got %v", d)
	}
	return checkLens("input", []named{
		{"U", in.U, d.seqLen()}, {"Delta", in.Delta, d.seqLen()},
		{"A", in.A, d.chans() * d.N}, {"B", in.B, d.bcLen()}, {"C", in.C, d.bcLen()},
		{"Dskip", in.Dskip, d.chans()}, {"DeltaBias", in.DeltaBias, d.chans()},
	})
}

func (d Dims) validateGrads(g Grads) error {
	return checkLens("gradient", []named{
		{"U", g.U, d.seqLen()}, {"Delta", g.Delta, d.seqLen()},
		{"A", g.A, d.chans() * d.N}, {"B", g.B, d.bcLen()}, {"C", g.C, d.bcLen()},
		{"Dskip", g.Dskip, d.chans()}, {"DeltaBias", g.DeltaBias, d.chans()},
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

// mustForward panics (a programming error in a hot path) unless the
// arguments of a forward call are consistent.
func mustForward(d Dims, in Inputs, y []float32) {
	mustSeq(d, in, "y", y)
}

func mustSeq(d Dims, in Inputs, name string, y []float32) {
	if err := d.Validate(in); err != nil {
		panic(err)
	}
	if len(y) != d.seqLen() {
		panic(fmt.Sprintf("selscan: %s has length %d, want %d (%v)", name, len(y), d.seqLen(), d))
	}
}

func mustBackward(d Dims, in Inputs, dy []float32, g Grads) {
	mustSeq(d, in, "dy", dy)
	if err := d.validateGrads(g); err != nil {
		panic(err)
	}
}
