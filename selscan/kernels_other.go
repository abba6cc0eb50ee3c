//go:build !amd64 || purego

package selscan

import "github.com/mambaad/mambaad/internal/isa"

// archKernels has no fast paths on this build: every level runs plain Go.
func archKernels(isa.Level) *kernels { return nil }
