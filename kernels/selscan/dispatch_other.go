//go:build !amd64 || purego

package selscan

import "github.com/mambaad/mambaad/kernels/isa"

// archKernels has no fast paths on this build: every level runs plain Go.
func archKernels(isa.Level) *kernels { return nil }

// transposeAsm has no vector version on this build: the caller does all
// columns.
func transposeAsm(_, _ []float32, _ int) bool { return false }
