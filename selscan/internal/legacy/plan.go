package legacy

import "github.com/mambaad/mambaad/parallel"

// targetItems is how many work items a call is cut into: enough to keep
// 16+ workers busy even when Batch·K is 8, few enough that the per-item dB
// and dC partial sums (L·N floats each) stay small. It depends on the sizes
// only, never on the worker count, so results are bit-identical on any
// machine.
const targetItems = 32

// plan cuts the channels of every (b, k) into groups; one work item is one
// group, walked chunk by chunk.
type plan struct {
	d      Dims
	groups int // channel groups per (b, k)
	chunks int // time chunks of chunkLen steps
}

func newPlan(d Dims) plan {
	bk := d.Batch * d.K
	g := min(max((targetItems+bk-1)/bk, 1), d.D)
	return plan{d: d, groups: g, chunks: numChunks(d.L)}
}

func (p plan) items() int { return p.d.Batch * p.d.K * p.groups }

// item returns the (b, k) pair index and the channel range [d0, d1) of
// work item i.
func (p plan) item(i int) (bk, d0, d1 int) {
	bk, s := i/p.groups, i%p.groups
	return bk, s * p.d.D / p.groups, (s + 1) * p.d.D / p.groups
}

// span returns the first step and the length of chunk j.
func (p plan) span(j int) (t0, n int) {
	t0 = j * chunkLen
	return t0, min(chunkLen, p.d.L-t0)
}

// transposeBC copies src (Batch·K, N, L) to dst (Batch·K, L, N) so that the
// N values of one step are contiguous for the vector kernels.
func transposeBC(d Dims, src, dst []float32) {
	parallel.For(d.Batch*d.K, 1, func(lo, hi int) {
		for bk := lo; bk < hi; bk++ {
			s, t := src[bk*d.N*d.L:(bk+1)*d.N*d.L], dst[bk*d.N*d.L:(bk+1)*d.N*d.L]
			for n := 0; n < d.N; n++ {
				row := s[n*d.L : (n+1)*d.L]
				for l, v := range row {
					t[l*d.N+n] = v
				}
			}
		}
	})
}
