package gemm

import (
	"fmt"
	"sync"

	"github.com/mambaad/mambaad/internal/isa"
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
	lv := kernelsFor(l)
	pr := problem{lv: lv, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
		beta: beta, c: c, ldc: ldc}
	if transB || !lv.directB || (m > directBRows && k < directBMinK) {
		pr.b = matB{data: b, ld: ldb, trans: transB, lv: lv}
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

var rowsPool sync.Pool

func getRows(n int) *[]int {
	p, _ := rowsPool.Get().(*[]int)
	if p == nil {
		p = new([]int)
	}
	if cap(*p) < n {
		*p = make([]int, n)
	}
	*p = (*p)[:n]
	return p
}

// SgemmRows computes C = alpha·op(A)·B + beta·C for a k×n matrix B whose
// row p is b[rows[p] : rows[p]+n]. Rows may sit anywhere in b, overlap or
// repeat: convolutions pass shifted views of a padded image, which makes B
// the im2col matrix without building it. Offsets outside b panic.
func SgemmRows(transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, rows []int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	checkMat("A", a, ar, ac, lda)
	checkMat("C", c, m, n, ldc)
	if len(rows) < k {
		panic(fmt.Sprintf("gemm: SgemmRows has %d row offsets for k=%d", len(rows), k))
	}
	if n > 0 {
		for p, r := range rows[:k] {
			if r < 0 || r+n > len(b) {
				panic(fmt.Sprintf("gemm: SgemmRows row %d at offset %d does not fit %d columns in %d values", p, r, n, len(b)))
			}
		}
	}
	sgemmRowsLevel(bestLevel, transA, m, n, k, alpha, a, lda, b, rows, beta, c, ldc)
}

func sgemmRowsLevel(l isa.Level, transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, rows []int, beta float32, c []float32, ldc int) {
	lv := kernelsFor(l)
	pr := problem{lv: lv, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA,
		beta: beta, c: c, ldc: ldc}
	if lv.directB {
		pr.inPlace, pr.direct, pr.rows = true, b, rows
	} else {
		pr.b = rowsPacker{b: b, rows: rows}
	}
	pr.run()
}

// rowsPacker packs the B of SgemmRows for kernels that cannot read it in
// place: every panel row is a copy.
type rowsPacker struct {
	b    []float32
	rows []int
}

func (r rowsPacker) PackB(dst []float32, p0, kc, j0, nc, nr int) {
	for q := 0; q*nr < nc; q++ {
		lanes := min(nr, nc-q*nr)
		for p := 0; p < kc; p++ {
			row := dst[(q*kc+p)*nr : (q*kc+p+1)*nr]
			src := r.rows[p0+p] + j0 + q*nr
			copy(row[:lanes], r.b[src:src+lanes])
			clear(row[lanes:])
		}
	}
}
