//go:build !amd64 || purego

package gemm

import "github.com/mambaad/mambaad/kernels/isa"

// kernelsFor returns the kernels for level l; without assembly every level
// is the generic one.
func kernelsFor(l isa.Level) *levelKernels { return &genericKernels }

// packTFast reports that there is no fast path for packPanelT.
func packTFast(*levelKernels, []float32, []float32, []int, int, int, int) bool { return false }
