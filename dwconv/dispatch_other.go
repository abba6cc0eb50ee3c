//go:build !amd64 || purego

package dwconv

import "github.com/mambaad/mambaad/internal/isa"

func kernelsFor(isa.Level) kernels { return goKernels }
