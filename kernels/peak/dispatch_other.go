//go:build !amd64 || purego

package peak

import "github.com/mambaad/mambaad/kernels/isa"

// loop runs n iterations of the level's FMA loop and returns its flops.
// Without assembly every level is the Go loop.
func loop(_ isa.Level, n int) float64 { return goLoop(n) }
