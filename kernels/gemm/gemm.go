package gemm

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/isa"
)

// bestLevel is read once: the level every Sgemm call uses.
var bestLevel = isa.Best()

// Sgemm computes C = alpha·op(A)·op(B) + beta·C, where C is m×n with row
// stride ldc. op(A) is m×k: A is m×k with row stride lda (transA=false) or
// k×m (transA=true). op(B) is k×n: B is k×n with row stride ldb
// (transB=false) or n×k (transB=true). beta == 0 means C is not read, so
// NaN or garbage in C is overwritten. As in BLAS, alpha == 0 or k == 0
// leaves A and B unread. Bad sizes or short slices panic.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	sgemmLevel(bestLevel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// check panics with a clear message when the arguments describe matrices
// that do not fit the slices; these are programming errors in the caller.
func check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat("A", a, ar, ac, lda)
	checkMat("B", b, br, bc, ldb)
	checkMat("C", c, m, n, ldc)
}

func checkMat(name string, s []float32, rows, cols, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: %s has %d columns but leading dimension %d", name, cols, ld))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(s) < need {
		panic(fmt.Sprintf("gemm: %s is %d×%d with ld %d and needs %d elements, has %d", name, rows, cols, ld, need, len(s)))
	}
}
