//go:build !amd64 || purego

package ops

import "github.com/mambaad/mambaad/kernels/isa"

func lnKernelsFor(isa.Level) lnKernels                                           { return lnGo }
func actKernelsFor(isa.Level) actKernels                                         { return actGo }
func blurTapFor(isa.Level) func(out, base []float64, offs []int, half []float64) { return blurTapGo }
func permKernelsFor(isa.Level) permKernels                                       { return permGo }
func ewKernelsFor(isa.Level) ewKernels                                           { return ewGo }
