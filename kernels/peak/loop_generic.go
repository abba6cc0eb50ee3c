package peak

// sink keeps the Go loop's result alive so the compiler cannot drop it.
var sink float32

// goLoop is the fallback: eight independent multiply-add chains, which the
// Go compiler keeps in registers (as separate multiply and add
// instructions, since Go does not fuse float32 arithmetic on amd64).
func goLoop(n int) float64 {
	x, y := sink*0+0.999, float32(1e-3)
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	for i := 0; i < n; i++ {
		a0 = a0*x + y
		a1 = a1*x + y
		a2 = a2*x + y
		a3 = a3*x + y
		a4 = a4*x + y
		a5 = a5*x + y
		a6 = a6*x + y
		a7 = a7*x + y
	}
	sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
	return 8 * 2 * float64(n)
}
