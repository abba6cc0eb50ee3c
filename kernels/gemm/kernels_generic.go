package gemm

// genericKernels is the plain-Go level: a 4×4 register tile (sixteen
// scalar accumulators, which is what the Go compiler keeps in registers)
// inside the same packed, cache-blocked loop nest as the assembly levels.
var genericKernels = levelKernels{
	mr: 4, nr: 4,
	kc: 256, mc: 128, nc: 2048,
	kern: kern4x4,
}.withPanelRows()

// kern4x4 is the generic micro-kernel (see levelKernels.kern).
func kern4x4(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32) {
	a = a[:4*k]
	rows = rows[:k]
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		ap := a[4*p : 4*p+4 : 4*p+4]
		r := rows[p]
		bp := b[r : r+4 : r+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0 := bp[0]
		c00 += a0 * b0
		c10 += a1 * b0
		c20 += a2 * b0
		c30 += a3 * b0
		b1 := bp[1]
		c01 += a0 * b1
		c11 += a1 * b1
		c21 += a2 * b1
		c31 += a3 * b1
		b2 := bp[2]
		c02 += a0 * b2
		c12 += a1 * b2
		c22 += a2 * b2
		c32 += a3 * b2
		b3 := bp[3]
		c03 += a0 * b3
		c13 += a1 * b3
		c23 += a2 * b3
		c33 += a3 * b3
	}
	storeRow4(c[0*ldc:], c00, c01, c02, c03, alpha, beta)
	storeRow4(c[1*ldc:], c10, c11, c12, c13, alpha, beta)
	storeRow4(c[2*ldc:], c20, c21, c22, c23, alpha, beta)
	storeRow4(c[3*ldc:], c30, c31, c32, c33, alpha, beta)
}

func storeRow4(c []float32, v0, v1, v2, v3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	c[0] = alpha*v0 + beta*c[0]
	c[1] = alpha*v1 + beta*c[1]
	c[2] = alpha*v2 + beta*c[2]
	c[3] = alpha*v3 + beta*c[3]
}
