package legacy

import "fmt"

// chunkLen is the number of time steps between saved states. Backward keeps
// (chunkLen+1)·N states and chunkLen·N decays of one channel in scratch, so
// 64 steps at N = 16 use 8 KB, well inside L1, while the saved checkpoints
// cost N/64 = 1/4 float per step of a channel.
const chunkLen = 64

// Saved is what Forward records for Backward: δ = softplus(Δ + bias) for
// every (b, k, d, t), L floats per channel, and the states h at the end of
// every chunk but the last, N·(⌈L/chunkLen⌉−1) floats per channel. So the
// memory per channel is about L·(1 + N/chunkLen), not L·N. It also keeps
// B and C transposed (2·L·N floats per (b, k)) and Backward's scratch (the
// dB, dC partial sums: 2·L·N floats per work item, about max(Batch·K, 32)
// items), so that a training loop reusing one Saved allocates nothing. For
// the model's shapes (K = 8, D ≥ 128, N = 16) that is at most ~2.5·L
// floats per channel in all, against 16·L for storing every state. A Saved only grows. Backward
// trusts that the inputs have not changed since Forward: it reads B and C
// from the saved transposes and δ from the saved copy.
type Saved struct {
	dims  Dims
	delta []float32 // (Batch, K, D, L)
	ckpt  []float32 // (Batch, K, D, chunks−1, N)
	bct   []float32 // B then C, each (Batch, K, L, N)
	work  []float32 // Backward's scratch
}

func numChunks(l int) int { return (l + chunkLen - 1) / chunkLen }

// prepare sizes s for d, reusing its memory when large enough.
func (s *Saved) prepare(d Dims) {
	s.dims = d
	s.delta = grow(s.delta, d.seqLen())
	s.ckpt = grow(s.ckpt, d.rows()*(numChunks(d.L)-1)*d.N)
	s.bct = grow(s.bct, 2*d.bcLen())
}

// transposed returns the transposed B and C that Forward stored.
func (s *Saved) transposed() (bt, ct []float32) {
	n := s.dims.bcLen()
	return s.bct[:n], s.bct[n : 2*n]
}

func grow(s []float32, n int) []float32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float32, n)
}

// mustMatch panics unless s was filled by a Forward call with sizes d.
func (s *Saved) mustMatch(d Dims) {
	if s.dims != d || len(s.delta) != d.seqLen() {
		panic(fmt.Sprintf("selscan: Saved holds a forward pass with %v, Backward called with %v", s.dims, d))
	}
}

// checkpoint returns the state of row r at the end of chunk j.
func (s *Saved) checkpoint(r, j int) []float32 {
	n, per := s.dims.N, numChunks(s.dims.L)-1
	o := (r*per + j) * n
	return s.ckpt[o : o+n]
}
