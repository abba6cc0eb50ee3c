package gemm

import "math"

// SgemmBF16Ref is the specification of the bf16 products: op(A) and op(B)
// rounded to bfloat16 with ToBF16, every product and sum then in float64.
// It also returns, per element of C, the sum of the products' magnitudes,
// the scale of the float32 accumulation error the kernels may add.
func SgemmBF16Ref(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, scale []float64) {
	want, scale = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				x := float64(FromBF16(ToBF16(at(a, lda, transA, i, p))))
				y := float64(FromBF16(ToBF16(at(b, ldb, transB, p, j))))
				s += x * y
				abs += math.Abs(x * y)
			}
			w := float64(alpha) * s
			if beta != 0 {
				w += float64(beta) * float64(c[i*ldc+j])
			}
			want[i*n+j], scale[i*n+j] = w, math.Abs(float64(alpha))*abs+math.Abs(float64(beta)*float64(c[i*ldc+j]))
		}
	}
	return want, scale
}
