// Package conv is mambaad's 2-D convolution (groups = 1, NCHW, PyTorch
// weight layout) with its two backward passes.
//
// Everything is a GEMM from package gemm, one image at a time, images
// spread over the worker pool. A 1×1 stride-1 convolution is a plain
// product. Every other forward is one gemm.SgemmRows whose B rows are
// shifted views of a zero-padded (for stride s: phase-split) copy of the
// image, so the im2col matrix is read in place and never built; see
// shifted.go. The weight gradient uses the same rows transposed. The input
// gradient of a stride-1 convolution is a forward convolution with
// flipped, transposed weights; strided ones use a GEMM and col2im over
// bounded tiles. Workspace (about one padded image plus one output per
// busy worker) comes from a pool.
//
// Files follow the layout of every kernel package, without the assembly
// parts: conv has no kernels of its own and so no generator, *_amd64.s,
// dispatch or *_generic.go files; every level runs package gemm's. conv.go
// holds the Shape checks, forward.go, shifted.go and im2col.go the forward
// path and backward.go the two gradients; ref_test.go is the reference the
// tests compare against (generic, so that it also runs in float64 for the
// finite-difference checks); bench_test.go holds the benchmarks and
// tune_test.go the opt-in tuning measurements.
package conv
