//go:build !amd64 || purego

package dwconv

import "github.com/mambaad/mambaad/kernels/isa"

func kernelsFor(isa.Level) kernels { return goKernels }

func nhwcKernelsFor(isa.Level) nhwcKernels { return nhwcGo }
