// Package gemm is mambaad's single-precision matrix multiply (SGEMM).
//
// Every dense layer, convolution and scan projection in the model reduces to
// a GEMM, so this is the one place that must run near the CPU's peak. The
// design follows GotoBLAS/BLIS: op(A) is packed into MR-row panels, B into
// NR-column panels, and a register-blocked micro-kernel (generated Go
// assembly: 14×32 for AVX-512, 6×16 for AVX2+FMA, 4×4 in plain Go)
// multiplies one tile at a time. Where it pays, B is not packed at all:
// the kernels read its rows in place through a table of row offsets, which
// also lets SgemmRows multiply by a matrix whose rows lie anywhere in
// memory (convolutions use it to read im2col rows straight from a padded
// image). Large products are split over the shared parallel pool; small
// ones run on the calling goroutine, so GEMMs issued from inside a parallel
// loop stay cheap. Packing buffers come from a pool.
//
// Arrays are row-major as in cblas with CblasRowMajor.
//
// Files follow the layout of every kernel package: gen_kernels.go (a
// //go:build ignore program, run by the go:generate line below) writes the
// assembly kernels_amd64.s and kernels_asm_amd64.go, its Go declarations
// and the per-level tables of the micro-kernels; dispatch_amd64.go and
// dispatch_other.go (non-amd64 or -tags purego) choose the kernels for each
// isa.Level; kernels_generic.go is the plain-Go micro-kernel; driver.go,
// pack.go and rows.go are the blocked loop nest shared by all levels;
// ref_test.go is the reference the tests compare against; bench_test.go and
// bench_amd64_test.go hold the benchmarks.
//
// The bfloat16 products of the bf16 inference precision (SgemmPrec,
// SgemmPairs, SgemmRowsPairs; bf16.go explains the pair layout) are the
// topic bf16: gen_bf16.go writes bf16_amd64.s (VDPBF16PS micro-kernels and
// VCVTNE2PS2BF16 conversions, encoded as BYTE directives because Go's
// assembler lacks them) and bf16_asm_amd64.go; bf16_generic.go is their
// plain-Go twin and bf16_ref_test.go the float64 specification. They run
// at isa.AVX512BF16 only; below it, BF16 falls back to float32.
package gemm

//go:generate go run gen_kernels.go
//go:generate go run gen_bf16.go
