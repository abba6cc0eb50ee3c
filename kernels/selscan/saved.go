package selscan

import "fmt"

// chunkLen is the number of steps between saved states and the unit of
// Backward's recomputation. Backward keeps, per work item, the decays and
// the products exp(δA)·h_{j−1} of one chunk of one group (2·chunkLen·N·16
// floats, 128 KB at N = 16) and the dXDbl lane partials of the chunk
// (chunkLen·E·16 floats), which stay in L2 while every group of the item
// passes through the chunk.
const chunkLen = 64

func numChunks(l int) int { return (l + chunkLen - 1) / chunkLen }

// Saved is what Forward records for Backward: the states h of every
// (b, direction, channel) at the end of every chunk but the last, N floats
// per chunkLen steps. That is N/chunkLen = 1/4 float per step and channel
// at N = 16, instead of the N per step that storing every state would take
// (and less than one Δ per step, which Backward recomputes from XDbl). A
// Saved also keeps Backward's scratch so that a training loop reusing one
// Saved allocates nothing; it only grows. Backward trusts that the inputs
// have not changed since Forward.
type Saved struct {
	dims Dims
	ckpt []float32 // (Batch, G, K, chunks−1, N, 16)
	work []float32 // Backward's partial sums
}

// prepare sizes s for d, reusing its memory when large enough.
func (s *Saved) prepare(d Dims) {
	s.dims = d
	s.ckpt = grow(s.ckpt, d.Batch*numGroups(d)*d.K*(numChunks(d.L)-1)*d.N*lanes)
}

func grow(s []float32, n int) []float32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float32, n)
}

// mustMatch panics unless s was filled by a Forward call with sizes d.
func (s *Saved) mustMatch(d Dims) {
	if s.dims != d {
		panic(fmt.Sprintf("selscan: Saved holds a forward pass with %v, Backward called with %v", s.dims, d))
	}
}

// checkpoint returns the states of batch item b, group g, direction k at
// the end of chunk j (N·16 floats).
func (s *Saved) checkpoint(b, g, k, j int) []float32 {
	d := s.dims
	per, n := numChunks(d.L)-1, d.N*lanes
	o := (((b*numGroups(d)+g)*d.K+k)*per + j) * n
	return s.ckpt[o : o+n]
}
