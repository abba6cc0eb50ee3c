//go:build !amd64 || purego

package legacy

import "github.com/mambaad/mambaad/internal/isa"

// archKernels has no fast paths on this build: every level runs plain Go.
func archKernels(isa.Level) *kernels { return nil }

// expArray is the test hook of the vector exp: plain expf here.
func expArray(_ isa.Level, src, dst []float32) {
	for i, v := range src {
		dst[i] = expf(v)
	}
}
