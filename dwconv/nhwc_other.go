//go:build !amd64 || purego

package dwconv

import "github.com/mambaad/mambaad/internal/isa"

func nhwcKernelsFor(isa.Level) nhwcKernels { return nhwcGo }
