// Package peak measures the machine's fp32 multiply-add throughput. Every
// "% of peak" figure mambaad reports divides by this number, so it is
// measured on the running machine with the same instruction set the kernels
// use (isa.Best) rather than taken from a data sheet.
//
// Files follow the layout of every kernel package: loop_amd64.s is the
// hand-written FMA loop of each vector level and loop_asm_amd64.go its Go
// declarations; dispatch_amd64.go and dispatch_other.go (non-amd64 or -tags
// purego) choose the loop for each isa.Level; loop_generic.go is the
// plain-Go loop; peak.go runs the loops on the worker pool.
package peak
