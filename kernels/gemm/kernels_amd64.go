//go:build !purego

package gemm

//go:generate go run gen_kernels.go

// asmKernel is the signature of every generated micro-kernel
// (kernels_amd64.s): c[mr×nr] = alpha·a·b + beta·c over k steps of a packed
// A panel and B rows at b[rows[p]:]; beta == ±0 leaves c unread. The AVX-512
// kernels load and store only the columns whose bit is set in mask; the
// AVX2 ones ignore it.
type asmKernel func(k int, a, b *float32, rows *int, c *float32, ldc int, alpha, beta float32, mask uint32)

// checkTile panics when a kernel call would run outside a, c or the row
// table: a is a full mr×k panel, c holds an mrr×nrr corner. The B rows the
// table names are the driver's responsibility (checked where the table is
// made); the assembly does no bounds checks.
func checkTile(k, mr, mrr, nrr int, a, b []float32, rows []int, c []float32, ldc int) {
	if k < 1 || len(a) < mr*k || len(b) == 0 || len(rows) < k || ldc < nrr || len(c) < (mrr-1)*ldc+nrr {
		panic("gemm: micro-kernel called with short panels, row table or tile")
	}
}

func kern14x32(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32) {
	checkTile(k, 14, 14, 32, a, b, rows, c, ldc)
	kernels512m14n2(k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, 0xffffffff)
}

// edge512 computes a partial tile in place: the kernel with just enough
// rows and vectors, and masked stores for the last columns.
func edge512(mrr, nrr, k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32, _ []float32) {
	checkTile(k, 14, mrr, nrr, a, b, rows, c, ldc)
	nv := (nrr + 15) / 16
	kernels512[nv-1][mrr-1](k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, uint32(uint64(1)<<nrr-1))
}

func kern6x16(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32) {
	checkTile(k, 6, 6, 16, a, b, rows, c, ldc)
	kernels256m6n2(k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, 0)
}

// edge256 computes a partial tile with the kernel of just enough rows and
// vectors; without masks, a column count that is not a whole number of
// vectors goes through the scratch tile, and B must be packed because
// whole vectors are read.
func edge256(mrr, nrr, k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32, tile []float32) {
	nv := (nrr + 7) / 8
	checkTile(k, 6, mrr, 8*nv, a, b, rows, tile, 16)
	kern := kernels256[nv-1][mrr-1]
	if nrr == 8*nv {
		checkTile(k, 6, mrr, nrr, a, b, rows, c, ldc)
		kern(k, &a[0], &b[0], &rows[0], &c[0], ldc, alpha, beta, 0)
		return
	}
	kern(k, &a[0], &b[0], &rows[0], &tile[0], 16, alpha, 0, 0)
	addTile(c, ldc, tile, 16, mrr, nrr, beta)
}
