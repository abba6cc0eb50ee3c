package gemm

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/isa"
)

// A row-major B is read in place instead of packed when A has at most
// directBRows rows (each B element is then used only a few times, so
// copying it costs more than it saves) or k is at least directBMinK (the
// kernels stream B rows from cache well enough; measured on Zen 4). With
// a small k and many rows, a compact packed panel wins.
var (
	directBRows = 64
	directBMinK = 48
)

func sgemmLevel(l isa.Level, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmLevelWith(kernelsFor(l), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmLevelWith runs a product with the kernels lv (float32 or bf16).
func sgemmLevelWith(lv *levelKernels, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	pr := problem{lv: lv, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
		beta: beta, c: c, ldc: ldc}
	if transB || !lv.directB || (m > directBRows && k < directBMinK) {
		pr.src, pr.mat = fromMat, matB{data: b, ld: ldb, trans: transB, lv: lv}
		pr.run()
		return
	}
	rows := getRows(k)
	defer rowsPool.Put(rows)
	for p := range *rows {
		(*rows)[p] = p * ldb
	}
	pr.inPlace, pr.direct, pr.rows = true, b, *rows
	pr.run()
}

// SgemmRows computes C = alpha·op(A)·op(B) + beta·C where the rows of B
// sit at arbitrary offsets in b. Without transB, B is k×n and its row p is
// b[rows[p] : rows[p]+n]; with transB, B is n×k, its row j is
// b[rows[j] : rows[j]+k], and op(B) = Bᵀ. Rows may overlap or repeat:
// convolutions pass shifted views of a padded image, which makes B (or
// Bᵀ) the im2col matrix without building it. Offsets outside b panic.
func SgemmRows(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, rows []int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	checkMat("A", a, ar, ac, lda)
	checkMat("C", c, m, n, ldc)
	count, width := k, n
	if transB {
		count, width = n, k
	}
	if len(rows) < count {
		panic(fmt.Sprintf("gemm: SgemmRows has %d row offsets, needs %d", len(rows), count))
	}
	if width > 0 {
		for p, r := range rows[:count] {
			if r < 0 || r+width > len(b) {
				panic(fmt.Sprintf("gemm: SgemmRows row %d at offset %d does not fit %d values in %d", p, r, width, len(b)))
			}
		}
	}
	sgemmRowsLevel(bestLevel, transA, transB, m, n, k, alpha, a, lda, b, rows, beta, c, ldc)
}

func sgemmRowsLevel(l isa.Level, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, rows []int, beta float32, c []float32, ldc int) {
	sgemmRowsLevelWith(kernelsFor(l), transA, transB, m, n, k, alpha, a, lda, b, rows, beta, c, ldc)
}

// sgemmRowsLevelWith runs a rows product with the kernels lv.
func sgemmRowsLevelWith(lv *levelKernels, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, rows []int, beta float32, c []float32, ldc int) {
	pr := problem{lv: lv, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
		beta: beta, c: c, ldc: ldc}
	if lv.directB && !transB {
		pr.inPlace, pr.direct, pr.rows = true, b, rows
	} else {
		pr.src, pr.rowsB = fromRows, rowsPacker{b: b, rows: rows, trans: transB, lv: lv}
	}
	pr.run()
}

// rowsPacker packs the B of SgemmRows: panel rows are copies of B rows, or
// with trans, panels are transposes of B rows.
type rowsPacker struct {
	b     []float32
	rows  []int
	trans bool
	lv    *levelKernels
}

func (r *rowsPacker) PackB(dst []float32, p0, kc, j0, nc, nr int) {
	for q := 0; q*nr < nc; q++ {
		lanes := min(nr, nc-q*nr)
		panel := dst[q*kc*nr : (q+1)*kc*nr]
		if r.trans {
			packPanelT(r.lv, panel, r.b, r.rows[j0+q*nr:j0+q*nr+lanes], p0, kc, nr)
			continue
		}
		for p := 0; p < kc; p++ {
			row := panel[p*nr : (p+1)*nr]
			src := r.rows[p0+p] + j0 + q*nr
			copy(row[:lanes], r.b[src:src+lanes])
			clear(row[lanes:])
		}
	}
}
