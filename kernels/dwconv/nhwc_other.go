//go:build !amd64 || purego

package dwconv

import "github.com/mambaad/mambaad/kernels/isa"

func nhwcKernelsFor(isa.Level) nhwcKernels { return nhwcGo }
