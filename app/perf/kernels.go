package perf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/mambaad/mambaad/kernels/conv"
	"github.com/mambaad/mambaad/kernels/dwconv"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/selscan"
	"github.com/mambaad/mambaad/scanorder"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

const (
	runs    = 5
	minTime = 300 * time.Millisecond
)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// GemmShapes are the SGEMM sizes reported: a square reference and the
// MambaAD shapes M×K×N (from the issue).
var GemmShapes = [][3]int{{1024, 1024, 1024}, {4096, 64, 256}, {4096, 128, 64}, {1024, 128, 512}, {256, 256, 1024}, {64, 512, 2048}}

// Kernels adds the SGEMM (with gonum's for comparison), conv2d, depthwise
// conv and selective-scan rows.
func (r *Report) Kernels() {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range GemmShapes {
		m, k, n := s[0], s[1], s[2]
		a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
		flops := 2 * float64(m) * float64(n) * float64(k)
		name := fmt.Sprintf("sgemm %dx%dx%d", m, k, n)
		t := r.median(name, runs, minTime, func() { gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) })
		r.AddFLOPs(name, flops, t)
		ga := blas32.General{Rows: m, Cols: k, Stride: k, Data: a}
		gb := blas32.General{Rows: k, Cols: n, Stride: n, Data: b}
		gc := blas32.General{Rows: m, Cols: n, Stride: n, Data: c}
		t = Median(3, minTime/3, func() { blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, ga, gb, 0, gc) })
		r.AddFLOPs(fmt.Sprintf("sgemm_gonum %dx%dx%d", m, k, n), flops, t)
	}
	for _, s := range [][2]int{{64, 64}, {128, 32}, {256, 16}} {
		sh := conv.Shape{N: 8, C: s[0], H: s[1], W: s[1], K: s[0], KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}
		x, w, y := randSlice(rng, 8*s[0]*s[1]*s[1]), randSlice(rng, s[0]*s[0]*9), make([]float32, 8*s[0]*s[1]*s[1])
		name := fmt.Sprintf("conv2d 3x3 fwd B8 C%d %dx%d", s[0], s[1], s[1])
		t := r.median(name, runs, minTime, func() { conv.Forward(sh, x, w, nil, y) })
		flops := 2 * float64(8*s[0]*s[0]*9*s[1]*s[1])
		r.AddFLOPs(name, flops, t)
	}
	{
		const c, h = 128, 64
		x, w, y := randSlice(rng, c*h*h), randSlice(rng, c*49), make([]float32, c*h*h)
		name := fmt.Sprintf("dwconv 7x7 fwd C%d %dx%d", c, h, h)
		t := r.median(name, runs, minTime, func() { dwconv.Forward(1, c, h, h, 7, x, w, nil, y) })
		r.AddFLOPs(name, 2*float64(c*h*h*49), t)
	}
	for _, d := range []selscan.Dims{{Batch: 1, K: 8, D: 128, L: 4096, N: 16, R: 4}, {Batch: 1, K: 8, D: 1024, L: 64, N: 16, R: 32}} {
		r.scan(rng, d)
	}
}

// scan adds forward and backward rows of the fused SS2D scan core in state
// updates per second, on the model's real inputs: every direction's pixel
// order (Hilbert, K directions) and R = D/32 (dt_rank of a d_model of D/2).
func (r *Report) scan(rng *rand.Rand, d selscan.Dims) {
	side := int(math.Sqrt(float64(d.L)))
	dirs, err := scanorder.NewDirections(scanorder.Hilbert, side, d.K)
	if err != nil {
		panic(err)
	}
	e := d.R + 2*d.N
	in := selscan.Inputs{
		X: randSlice(rng, d.Batch*d.L*d.D), XDbl: randSlice(rng, d.Batch*d.L*d.K*e), Idx: dirs.Idx,
		DtW: randSlice(rng, d.K*d.D*d.R), DtBias: make([]float32, d.K*d.D),
		A: make([]float32, d.K*d.D*d.N), Dskip: randSlice(rng, d.K*d.D),
	}
	for i := range in.A {
		in.A[i] = -float32(1 + i%d.N) // the reference initialisation, A = −(n+1)
	}
	for i := range in.DtBias {
		in.DtBias[i] = -4.6 // softplus⁻¹(0.01): typical initial step sizes
	}
	for i := range in.DtW {
		in.DtW[i] *= 0.1
	}
	y, dy := make([]float32, len(in.X)), randSlice(rng, len(in.X))
	g := selscan.Grads{X: make([]float32, len(in.X)), XDbl: make([]float32, len(in.XDbl)),
		DtW: make([]float32, len(in.DtW)), DtBias: make([]float32, len(in.DtBias)),
		A: make([]float32, len(in.A)), Dskip: make([]float32, len(in.Dskip))}
	var saved selscan.Saved
	shape := fmt.Sprintf("B%d K%d D%d L%d N%d", d.Batch, d.K, d.D, d.L, d.N)
	upd := float64(d.Batch) * float64(d.K) * float64(d.D) * float64(d.L) * float64(d.N)
	t := r.median("scan_fwd "+shape, runs, minTime, func() { selscan.Forward(d, in, y, nil) })
	r.Add("scan_fwd "+shape, upd/t, "updates/s", "fused: Δ projection, softplus, gather, scan, merge")
	selscan.Forward(d, in, y, &saved)
	t = r.median("scan_bwd "+shape, runs, minTime, func() { selscan.Backward(d, in, dy, &saved, g) })
	r.Add("scan_bwd "+shape, upd/t, "updates/s", "")
}
