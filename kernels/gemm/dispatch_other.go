//go:build !amd64 || purego

package gemm

import "github.com/mambaad/mambaad/kernels/isa"

// kernelsFor returns the kernels for level l; without assembly every level
// is the generic one.
func kernelsFor(l isa.Level) *levelKernels { return &genericKernels }

// packTFast reports that there is no fast path for packPanelT.
func packTFast(*levelKernels, []float32, []float32, []int, int, int, int) bool { return false }

// bf16KernelsFor returns the plain-Go twin of the bf16 kernels.
func bf16KernelsFor(l isa.Level) *levelKernels { return &genericBF16Kernels }

func cvtPairsFor(isa.Level) func(dst, src []float32) { return cvtPairsGo }

func cvtInterleaveFor(isa.Level) func(dst, a, b []float32) { return cvtInterleaveGo }
