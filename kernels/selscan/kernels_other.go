//go:build !amd64 || purego

package selscan

import "github.com/mambaad/mambaad/kernels/isa"

// archKernels has no fast paths on this build: every level runs plain Go.
func archKernels(isa.Level) *kernels { return nil }

// exp2Array is the test hook of the vector 2^x: plain exp2f here.
func exp2Array(_ isa.Level, src, dst []float32) {
	for i, v := range src {
		dst[i] = exp2f(v)
	}
}

// transposeAsm has no vector version on this build: the caller does all
// columns.
func transposeAsm(_, _ []float32, _ int) bool { return false }
