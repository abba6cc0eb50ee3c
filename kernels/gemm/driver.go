package gemm

import (
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/parallel"
)

// levelKernels is one instruction-set level's micro-kernel, its tile size
// and the cache blocking tuned for it.
type levelKernels struct {
	level      isa.Level
	mr, nr     int // micro-tile: mr rows of op(A) × nr columns of op(B)
	kc, mc, nc int // cache blocks: mc×kc A block in L2, kc×nc B block in L3
	// kern computes the full mr×nr tile at c (row stride ldc) as
	// alpha·a·b + beta·c from a packed A panel and k rows of B, row p
	// starting at b[rows[p]]; beta == 0 means c is not read. The caller
	// guarantees every B row it names lies inside b.
	kern func(k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32)
	// edge, when set, computes a partial mrr×nrr tile in place (tile is
	// mr×nr scratch it may use); otherwise the full kernel writes tile and
	// the corner is copied out.
	edge func(mrr, nrr, k int, a, b []float32, rows []int, c []float32, ldc int, alpha, beta float32, tile []float32)
	// directB says B rows may be read in place (see problem.inPlace);
	// maskedB says the kernels mask their B loads, so partial panels can
	// be read in place too. Without it, a partial panel is copied first so
	// that no kernel reads past column n.
	directB, maskedB bool
	// panelRows[p] = p*nr: the row table of a packed B panel.
	panelRows []int
}

// withPanelRows fills in the packed-panel row table.
func (lv levelKernels) withPanelRows() levelKernels {
	lv.panelRows = make([]int, lv.kc)
	for p := range lv.panelRows {
		lv.panelRows[p] = p * lv.nr
	}
	return lv
}

// parallelMin is the work (m·n·k multiply-adds) below which a product runs
// on the calling goroutine: a hand-off to another worker costs a few
// microseconds, as much as about a million multiply-adds.
const parallelMin = 1 << 20

// problem is one product after argument checking. B is read in place when
// inPlace is set (row p of B is direct[rows[p]:], for a strided matrix or
// for SgemmRows); otherwise it is packed from the source src names: mat
// or rowsB. Concrete fields instead of an interface keep the calls free
// of allocations.
type problem struct {
	lv      *levelKernels
	m, n, k int
	alpha   float32
	a       []float32
	lda     int
	transA  bool
	src     bSource
	mat     matB
	rowsB   rowsPacker
	inPlace bool
	direct  []float32
	rows    []int
	beta    float32
	c       []float32
	ldc     int
}

// run handles the degenerate cases and splits the rest over workers.
func (pr *problem) run() {
	m, n := pr.m, pr.n
	if m == 0 || n == 0 {
		return
	}
	if pr.k == 0 || pr.alpha == 0 {
		scaleC(pr.c, pr.ldc, m, n, pr.beta)
		return
	}
	w := parallel.Workers()
	if w == 1 || m*n*pr.k < parallelMin {
		pr.block(0, m, 0, n)
		return
	}
	// Split the larger dimension into pieces that workers claim one at a
	// time, so a worker slowed by other load hands its share to the
	// others. Pieces stay large enough that repacking the other operand
	// per piece (B for row pieces, when B is packed at all; A for column
	// pieces) is cheap next to the piece's flops.
	p := *pr // only this copy escapes into the closures
	if m >= n {
		split(m, p.lv.mc, p.lv.mr, w, func(lo, hi int) { p.block(lo, hi, 0, n) })
		return
	}
	split(n, minColPiece, p.lv.nr, w, func(lo, hi int) { p.block(0, m, lo, hi) })
}

// packB packs B rows p0..p0+kc-1, columns j0..j0+nc-1 (see matB).
func (pr *problem) packB(dst []float32, p0, kc, j0, nc int) {
	if pr.src == fromRows {
		pr.rowsB.PackB(dst, p0, kc, j0, nc, pr.lv.nr)
		return
	}
	pr.mat.PackB(dst, p0, kc, j0, nc, pr.lv.nr)
}

// bSource says which field of problem supplies packed B.
type bSource int

const (
	fromMat bSource = iota
	fromRows
)

// minColPiece is the narrowest column piece a worker takes: each piece
// packs all of A again, which costs about what 1/64 of the piece's flops
// cost at this width (packing moves ~10 floats/ns, the kernels do ~115
// GFLOP/s per core).
const minColPiece = 256

// split runs fn over pieces of [0, size) on the pool: at most 4 per worker,
// each at least minPiece long, a multiple of w pieces when there are more
// than w (so workers finish together), sizes within one tile of each
// other, boundaries on tile multiples.
func split(size, minPiece, tile, w int, fn func(lo, hi int)) {
	pieces := min(4*w, max(1, size/minPiece))
	if pieces > w {
		pieces -= pieces % w
	}
	tiles := (size + tile - 1) / tile
	pieces = min(pieces, tiles)
	parallel.Run(pieces, func(i int) {
		fn(i*tiles/pieces*tile, min(size, (i+1)*tiles/pieces*tile))
	})
}

// scaleC sets C = beta·C; beta == 0 writes zeros without reading C.
func scaleC(c []float32, ldc, m, n int, beta float32) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// block computes rows i0..i1-1 and columns j0..j1-1 of C on the calling
// goroutine with the GotoBLAS loop nest: nc columns of B at a time, kc
// steps at a time, mc rows of A at a time.
func (pr *problem) block(i0, i1, j0, j1 int) {
	lv := pr.lv
	kcMax := min(lv.kc, pr.k)
	ncMax := min(roundUp(lv.nc, lv.nr), roundUp(j1-j0, lv.nr))
	mcMax := min(roundUp(lv.mc, lv.mr), roundUp(i1-i0, lv.mr))
	nb := ncMax * kcMax
	if pr.inPlace {
		nb = kcMax * lv.nr // room to copy a partial panel
	}
	s := getScratch(mcMax*kcMax, nb, lv.mr*lv.nr)
	defer scratchPool.Put(s)
	for jc := j0; jc < j1; jc += ncMax {
		nc := min(ncMax, j1-jc)
		for pc := 0; pc < pr.k; pc += kcMax {
			kc := min(kcMax, pr.k-pc)
			beta := pr.beta
			if pc > 0 {
				beta = 1
			}
			var bp []float32
			var rows []int
			if pr.inPlace {
				bp, rows = pr.direct[jc:], pr.rows[pc:pc+kc]
			} else {
				bp, rows = s.b[:roundUp(nc, lv.nr)*kc], lv.panelRows[:kc]
				pr.packB(bp, pc, kc, jc, nc)
			}
			for ic := i0; ic < i1; ic += mcMax {
				mc := min(mcMax, i1-ic)
				ap := s.a[:roundUp(mc, lv.mr)*kc]
				packA(lv, ap, pr.a, pr.lda, pr.transA, ic, mc, pc, kc, lv.mr)
				pr.macro(s, ap, bp, rows, ic, mc, jc, nc, kc, beta)
			}
		}
	}
}

// macro multiplies a packed mc×kc block of A by a kc×nc block of B into
// C[ic:ic+mc, jc:jc+nc], one micro-tile at a time. B is packed panels or
// read in place (pr.inPlace); rows is the B row table for this block.
// Partial edge tiles use the level's edge kernels or a scratch tile.
func (pr *problem) macro(s *scratch, ap, bp []float32, rows []int, ic, mc, jc, nc, kc int, beta float32) {
	lv := pr.lv
	mr, nr := lv.mr, lv.nr
	tile := s.tile
	for jr := 0; jr < nc; jr += nr {
		nrr := min(nr, nc-jr)
		bpan, brows := bp[min(jr*kc, len(bp)):], rows
		switch {
		case pr.inPlace && (nrr == nr || lv.maskedB):
			bpan = bp[jr:]
		case pr.inPlace:
			bpan, brows = s.b[:kc*nr], lv.panelRows[:kc]
			for p, r := range rows {
				copy(bpan[p*nr:p*nr+nrr], bp[r+jr:r+jr+nrr])
				clear(bpan[p*nr+nrr : (p+1)*nr])
			}
		}
		for ir := 0; ir < mc; ir += mr {
			mrr := min(mr, mc-ir)
			apan := ap[ir*kc : (ir+mr)*kc]
			off := (ic+ir)*pr.ldc + jc + jr
			if mrr == mr && nrr == nr {
				lv.kern(kc, apan, bpan, brows, pr.c[off:], pr.ldc, pr.alpha, beta)
				continue
			}
			if lv.edge != nil {
				lv.edge(mrr, nrr, kc, apan, bpan, brows, pr.c[off:], pr.ldc, pr.alpha, beta, tile)
				continue
			}
			lv.kern(kc, apan, bpan, brows, tile, nr, pr.alpha, 0)
			addTile(pr.c[off:], pr.ldc, tile, nr, mrr, nrr, beta)
		}
	}
}

// addTile stores the top-left mrr×nrr corner of tile into c as
// tile + beta·c, not reading c when beta == 0.
func addTile(c []float32, ldc int, tile []float32, nr, mrr, nrr int, beta float32) {
	for i := 0; i < mrr; i++ {
		dst := c[i*ldc : i*ldc+nrr]
		src := tile[i*nr : i*nr+nrr]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }
