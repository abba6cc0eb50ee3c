// Package dwconv is the depthwise 2-D convolution of the MambaAD decoder:
// NCHW, groups = C, a k×k kernel with k ∈ {3, 5, 7}, stride 1 and "same"
// zero padding k/2. It runs the SS2D 3×3 conv on D channels and the LSS
// 5×5 and 7×7 branches.
//
// Weights are laid out as PyTorch's (C, 1, k, k). Forward outputs and input
// gradients are overwritten; weight and bias gradients are accumulated (+=).
// The fast paths (AVX2/FMA and AVX-512 assembly, vectorised along W) run in
// parallel over the (n, c) planes, or over channels for the weight
// gradient; plain-Go references are kept for the tests.
//
// ForwardNHWC, BackwardInputNHWC and BackwardWeightNHWC (nhwc.go) are the
// same convolution on channels-last (N,H,W,C) tensors, vectorised along C,
// for the SS2D layer's token-major layout.
//
// Files follow the layout of every kernel package, one topic per layout:
// gen_nchw.go and gen_nhwc.go (//go:build ignore programs, run by the
// go:generate lines below) write the assembly nchw_amd64.s and nhwc_amd64.s
// and their Go declarations and per-level tables nchw_asm_amd64.go and
// nhwc_asm_amd64.go; dispatch_amd64.go and dispatch_other.go (non-amd64 or
// -tags purego) choose the kernels for each isa.Level; nchw_generic.go and
// nhwc_generic.go are the plain-Go versions; nchw.go and nhwc*.go the API
// and drivers; nchw_ref_test.go and nhwc_ref_test.go the references the
// tests compare against; bench_test.go holds the benchmarks.
package dwconv

//go:generate go run gen_nchw.go
//go:generate go run gen_nhwc.go
