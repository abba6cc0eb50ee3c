//go:build ignore

// gen_kernels writes kernels_amd64.s and kernels_asm_amd64.go: the AVX2
// and AVX-512 versions of the element-wise SiLU family (with a vectorised
// exp), the streaming add and ReLU kernels, the LayerNorm row kernels, the
// float64 blur taps and the 16×16 transposes. The two instruction sets
// share one description here and differ only in register names and widths,
// so generating them keeps them in step.
// Run with: go generate ./kernels/ops (the directive is in doc.go).
//
// Contract shared by the element-wise and row kernels: n is a multiple of
// the vector width (the Go caller finishes the tail with the scalar twin),
// n may be 0, and c points at expTable (constants replicated across a
// vector, one 64-byte slot each).
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"strings"
)

type target struct {
	name  string
	reg   string
	lanes int
}

var targets = []target{{"AVX2", "Y", 8}, {"AVX512", "Z", 16}}

// Slots of expTable (see exp.go), 64 bytes apart.
const (
	cLo = iota
	cHi
	cLog2e
	cC1
	cC2
	cP0
	cP1
	cP2
	cP3
	cP4
	cP5
	cOne
	cBias // int32 127
	cSign // 0x80000000
)

type gen struct {
	s      bytes.Buffer
	decl   bytes.Buffer
	t      target
	n      int
	fnName string // the function being generated
	addr   string // scratch result of rowAt
	u      int    // vectors interleaved by q
	regs   int    // logical registers per interleaved vector
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.s, "\t"+format+"\n", args...) }
func (g *gen) v(i int) string               { return fmt.Sprintf("%s%d", g.t.reg, i) }
func (g *gen) vb() int                      { return 4 * g.t.lanes }
func (g *gen) label(s string) string        { g.n++; return fmt.Sprintf("%s_%d", s, g.n) }
func cst(slot int) string                   { return fmt.Sprintf("%d(R8)", 64*slot) }

// fn starts a function: its Go declaration and its TEXT line (frame is
// the size of the arguments and results).
func (g *gen) fn(name, params, results string, frame int) {
	full := name + g.t.name
	g.fnName = full
	sig := "(" + params + ")"
	if results != "" {
		sig += " (" + results + ")"
	}
	fmt.Fprintf(&g.decl, "\n//go:noescape\nfunc %s%s\n", full, sig)
	fmt.Fprintf(&g.s, "\n// func %s%s\nTEXT ·%s(SB), NOSPLIT, $0-%d\n", full, sig, full, frame)
}

func (g *gen) ret() {
	g.p("VZEROUPPER")
	g.p("RET")
}

// loop runs body once per vector: CX = n/lanes iterations, advancing every
// pointer register in ptrs by one vector.
func (g *gen) loop(nArg string, ptrs []string, body func()) {
	top, done := g.label("loop"), g.label("done")
	g.p("MOVQ %s, CX", nArg)
	g.p("SHRQ $%d, CX", map[int]int{8: 3, 16: 4}[g.t.lanes])
	g.p("JZ %s", done)
	fmt.Fprintf(&g.s, "%s:\n", top)
	body()
	for _, r := range ptrs {
		g.p("ADDQ $%d, %s", g.vb(), r)
	}
	g.p("DECQ CX")
	g.p("JNZ %s", top)
	fmt.Fprintf(&g.s, "%s:\n", done)
}

// The SiLU family interleaves u independent vectors per loop iteration
// (logical register k of vector i is physical register k + i·regs):
// exp is a chain of some twenty dependent operations, and with one vector
// per iteration the out-of-order window held too few chains to keep the
// vector units busy.

// q emits one instruction per interleaved vector. In format, {k} is
// logical register k and {m:R} is the current vector at pointer register R.
func (g *gen) q(format string) {
	for i := 0; i < g.u; i++ {
		line := format
		for k := 9; k >= 0; k-- {
			line = strings.ReplaceAll(line, fmt.Sprintf("{%d}", k), g.v(k+i*g.regs))
		}
		for _, r := range []string{"SI", "DI", "DX", "BX", "R9"} {
			line = strings.ReplaceAll(line, "{m:"+r+"}", fmt.Sprintf("%d(%s)", i*g.vb(), r))
		}
		g.p("%s", line)
	}
}

// loopU runs body over n/lanes vectors, u at a time while possible, then
// one at a time, advancing the pointer registers.
func (g *gen) loopU(nArg string, ptrs []string, regs, u int, body func()) {
	top, rem, done := g.label("loopu"), g.label("rem"), g.label("done")
	g.regs = regs
	g.p("MOVQ %s, CX", nArg)
	g.p("SHRQ $%d, CX", map[int]int{8: 3, 16: 4}[g.t.lanes])
	fmt.Fprintf(&g.s, "%s:\n", top)
	g.p("CMPQ CX, $%d", u)
	g.p("JLT %s", rem)
	g.u = u
	body()
	for _, r := range ptrs {
		g.p("ADDQ $%d, %s", u*g.vb(), r)
	}
	g.p("SUBQ $%d, CX", u)
	g.p("JMP %s", top)
	fmt.Fprintf(&g.s, "%s:\n", rem)
	g.p("TESTQ CX, CX")
	g.p("JZ %s", done)
	g.u = 1
	body()
	for _, r := range ptrs {
		g.p("ADDQ $%d, %s", g.vb(), r)
	}
	g.p("DECQ CX")
	g.p("JMP %s", rem)
	fmt.Fprintf(&g.s, "%s:\n", done)
}

// unroll is how many vectors of regs registers each fit the register file
// (at most 4).
func (g *gen) unroll(regs int) int {
	n := 16
	if g.t.reg == "Z" {
		n = 32
	}
	return min(4, n/regs)
}

// exp replaces logical register a by e^a (clamped to [expLo, expHi]) with
// temporaries t1, t2: the Cephes reduction of exp.go, same operations
// except that the multiply-adds are fused.
func (g *gen) exp(a, t1, t2 int) {
	A, T1, T2 := fmt.Sprintf("{%d}", a), fmt.Sprintf("{%d}", t1), fmt.Sprintf("{%d}", t2)
	g.q(fmt.Sprintf("VMAXPS %s, %s, %s", cst(cLo), A, A))
	g.q(fmt.Sprintf("VMINPS %s, %s, %s", cst(cHi), A, A))
	g.q(fmt.Sprintf("VMULPS %s, %s, %s", cst(cLog2e), A, T1))
	if g.t.reg == "Z" {
		g.q(fmt.Sprintf("VRNDSCALEPS $8, %s, %s", T1, T1))
	} else {
		g.q(fmt.Sprintf("VROUNDPS $8, %s, %s", T1, T1))
	}
	g.q(fmt.Sprintf("VMOVAPS %s, %s", A, T2))
	g.q(fmt.Sprintf("VFNMADD231PS %s, %s, %s", cst(cC1), T1, T2))
	g.q(fmt.Sprintf("VFNMADD231PS %s, %s, %s", cst(cC2), T1, T2))
	g.q(fmt.Sprintf("VMOVUPS %s, %s", cst(cP0), A))
	for _, c := range []int{cP1, cP2, cP3, cP4, cP5, cOne, cOne} {
		g.q(fmt.Sprintf("VFMADD213PS %s, %s, %s", cst(c), T2, A))
	}
	g.q(fmt.Sprintf("VCVTPS2DQ %s, %s", T1, T1))
	g.q(fmt.Sprintf("VPADDD %s, %s, %s", cst(cBias), T1, T1))
	g.q(fmt.Sprintf("VPSLLD $23, %s, %s", T1, T1))
	g.q(fmt.Sprintf("VMULPS %s, %s, %s", T1, A, A))
}

// sigmoid sets logical register s = 1/(1 + e^−x), using temporaries t1,
// t2 (x is preserved).
func (g *gen) sigmoid(x, s, t1, t2 int) {
	X, S, T1 := fmt.Sprintf("{%d}", x), fmt.Sprintf("{%d}", s), fmt.Sprintf("{%d}", t1)
	g.q(fmt.Sprintf("VXORPS %s, %s, %s", cst(cSign), X, S))
	g.exp(s, t1, t2)
	g.q(fmt.Sprintf("VADDPS %s, %s, %s", cst(cOne), S, S))
	g.q(fmt.Sprintf("VMOVUPS %s, %s", cst(cOne), T1))
	g.q(fmt.Sprintf("VDIVPS %s, %s, %s", S, T1, S))
}

// dsilu sets logical register d = s·(1 + x·(1 − s)), the derivative of
// SiLU, from x and s = sigmoid(x).
func (g *gen) dsilu(x, s, d int) {
	X, S, D := fmt.Sprintf("{%d}", x), fmt.Sprintf("{%d}", s), fmt.Sprintf("{%d}", d)
	g.q(fmt.Sprintf("VMOVUPS %s, %s", cst(cOne), D))
	g.q(fmt.Sprintf("VSUBPS %s, %s, %s", S, D, D))
	g.q(fmt.Sprintf("VFMADD213PS %s, %s, %s", cst(cOne), X, D))
	g.q(fmt.Sprintf("VMULPS %s, %s, %s", S, D, D))
}

func (g *gen) silu() {
	g.fn("silu", "x, y *float32, n int, c *float32", "", 32)
	g.p("MOVQ x+0(FP), SI")
	g.p("MOVQ y+8(FP), DI")
	g.p("MOVQ c+24(FP), R8")
	g.loopU("n+16(FP)", []string{"SI", "DI"}, 4, g.unroll(4), func() {
		g.q("VMOVUPS {m:SI}, {0}")
		g.sigmoid(0, 1, 2, 3)
		g.q("VMULPS {1}, {0}, {0}")
		g.q("VMOVUPS {0}, {m:DI}")
	})
	g.ret()
}

func (g *gen) siluBack() {
	g.fn("siluBack", "x, dy, dx *float32, n int, c *float32", "", 40)
	g.p("MOVQ x+0(FP), SI")
	g.p("MOVQ dy+8(FP), DX")
	g.p("MOVQ dx+16(FP), DI")
	g.p("MOVQ c+32(FP), R8")
	g.loopU("n+24(FP)", []string{"SI", "DX", "DI"}, 5, g.unroll(5), func() {
		g.q("VMOVUPS {m:SI}, {0}")
		g.sigmoid(0, 1, 2, 3)
		g.dsilu(0, 1, 4)
		g.q("VMULPS {m:DX}, {4}, {4}")
		g.q("VMOVUPS {4}, {m:DI}")
	})
	g.ret()
}

func (g *gen) siluMul() {
	g.fn("siluMul", "y, z, out *float32, n int, c *float32", "", 40)
	g.p("MOVQ y+0(FP), SI")
	g.p("MOVQ z+8(FP), DX")
	g.p("MOVQ out+16(FP), DI")
	g.p("MOVQ c+32(FP), R8")
	g.loopU("n+24(FP)", []string{"SI", "DX", "DI"}, 4, g.unroll(4), func() {
		g.q("VMOVUPS {m:DX}, {0}")
		g.sigmoid(0, 1, 2, 3)
		g.q("VMULPS {1}, {0}, {0}")
		g.q("VMULPS {m:SI}, {0}, {0}")
		g.q("VMOVUPS {0}, {m:DI}")
	})
	g.ret()
}

// siluMulBack writes both gradients; dout is read before either store, so
// dy or dz may alias it.
func (g *gen) siluMulBack() {
	g.fn("siluMulBack", "y, z, dout, dy, dz *float32, n int, c *float32", "", 56)
	g.p("MOVQ y+0(FP), SI")
	g.p("MOVQ z+8(FP), DX")
	g.p("MOVQ dout+16(FP), BX")
	g.p("MOVQ dy+24(FP), DI")
	g.p("MOVQ dz+32(FP), R9")
	g.p("MOVQ c+48(FP), R8")
	g.loopU("n+40(FP)", []string{"SI", "DX", "BX", "DI", "R9"}, 7, g.unroll(7), func() {
		g.q("VMOVUPS {m:DX}, {0}")
		g.q("VMOVUPS {m:BX}, {5}")
		g.sigmoid(0, 1, 2, 3)
		g.dsilu(0, 1, 4)
		g.q("VMULPS {1}, {0}, {6}")
		g.q("VMULPS {5}, {6}, {6}")
		g.q("VMULPS {m:SI}, {4}, {4}")
		g.q("VMULPS {5}, {4}, {4}")
		g.q("VMOVUPS {6}, {m:DI}")
		g.q("VMOVUPS {4}, {m:R9}")
	})
	g.ret()
}

// elementwise emits a streaming kernel over n floats: args names the
// pointer arguments (loaded into SI, DX, DI in order, each advanced one
// vector per iteration), scalars are broadcast into registers 14 and 15,
// and body computes one vector.
func (g *gen) elementwise(name string, args, scalars []string, body func()) {
	params := strings.Join(args, ", ") + " *float32, n int"
	frame := 8*len(args) + 8
	if len(scalars) > 0 {
		params += ", " + strings.Join(scalars, ", ") + " float32"
		frame += 4 * len(scalars)
	}
	g.fn(name, params, "", frame)
	regs := []string{"SI", "DX", "DI"}
	for i, a := range args {
		g.p("MOVQ %s+%d(FP), %s", a, 8*i, regs[i])
	}
	for i, sc := range scalars {
		g.p("VBROADCASTSS %s+%d(FP), %s", sc, 8*len(args)+8+4*i, g.v(14+i))
	}
	g.p("VXORPS %s, %s, %s", g.v(13), g.v(13), g.v(13)) // zero, for the ReLUs
	g.loop(fmt.Sprintf("n+%d(FP)", 8*len(args)), regs[:len(args)], body)
	g.ret()
}

func (g *gen) elementwiseAll() {
	v := g.v
	g.elementwise("addTo", []string{"x", "acc"}, nil, func() {
		g.p("VMOVUPS (SI), %s", v(0))
		g.p("VADDPS (DX), %s, %s", v(0), v(0))
		g.p("VMOVUPS %s, (DX)", v(0))
	})
	g.elementwise("add", []string{"a", "b", "y"}, nil, func() {
		g.p("VMOVUPS (SI), %s", v(0))
		g.p("VADDPS (DX), %s, %s", v(0), v(0))
		g.p("VMOVUPS %s, (DI)", v(0))
	})
	// max(0, x) with x second, so a NaN input stays NaN as in PyTorch.
	g.elementwise("relu", []string{"x", "y"}, nil, func() {
		g.p("VMAXPS (SI), %s, %s", v(13), v(0))
		g.p("VMOVUPS %s, (DX)", v(0))
	})
	g.elementwise("reluBack", []string{"x", "dy", "dx"}, nil, func() {
		g.p("VMOVUPS (SI), %s", v(1))
		if g.t.reg == "Z" {
			g.p("VCMPPS $0x1E, %s, %s, K1", v(13), v(1))
			g.p("VMOVUPS.Z (DX), K1, %s", v(0))
		} else {
			g.p("VCMPPS $0x1E, %s, %s, %s", v(13), v(1), v(1))
			g.p("VANDPS (DX), %s, %s", v(1), v(0))
		}
		g.p("VMOVUPS %s, (DI)", v(0))
	})
}

// hsum reduces vector register a to its lane sum in X<a> (lane 0),
// clobbering register t.
func (g *gen) hsum(a, t int) {
	X := func(i int) string { return fmt.Sprintf("X%d", i) }
	Y := func(i int) string { return fmt.Sprintf("Y%d", i) }
	if g.t.reg == "Z" {
		g.p("VEXTRACTF64X4 $1, Z%d, %s", a, Y(t))
		g.p("VADDPS %s, %s, %s", Y(t), Y(a), Y(a))
	}
	g.p("VEXTRACTF128 $1, %s, %s", Y(a), X(t))
	g.p("VADDPS %s, %s, %s", X(t), X(a), X(a))
	g.p("VMOVHLPS %s, %s, %s", X(a), X(t), X(t))
	g.p("VADDPS %s, %s, %s", X(t), X(a), X(a))
	g.p("VMOVSHDUP %s, %s", X(a), X(t))
	g.p("VADDSS %s, %s, %s", X(t), X(a), X(a))
}

// lnRows emits the whole LayerNorm forward over rows rows of cols floats
// (cols a multiple of the lanes, rows ≥ 1), one call per parallel chunk so
// that no Go code runs per row:
//
//	func lnRows{Affine}{ISA}(x, y, gamma, beta *float32, rows, cols int, eps, invCols float32, mean, rstd *float32, statStride int)
//
// Per row: the mean (four accumulators), the biased variance of the
// deviations (a second pass, as in lnStatsGo), rstd = 1/√(var+eps) in
// float32, then y = (x − mean)·rstd (·gamma + beta). mean and rstd advance
// by statStride bytes per row; nil pointers discard them.
func (g *gen) lnRows(affine bool) {
	name := "lnRows"
	if affine {
		name += "Affine"
	}
	g.fn(name, "x, y, gamma, beta *float32, rows, cols int, eps, invCols float32, mean, rstd *float32, statStride int", "", 80)
	g.p("MOVQ x+0(FP), SI")
	g.p("MOVQ y+8(FP), DI")
	g.p("MOVQ gamma+16(FP), R12")
	g.p("MOVQ beta+24(FP), R13")
	g.p("MOVQ rows+32(FP), BX")
	g.p("MOVQ cols+40(FP), R8")
	g.p("SHLQ $2, R8")
	g.p("MOVSS eps+48(FP), X10")
	g.p("MOVSS invCols+52(FP), X11")
	g.p("MOVQ mean+56(FP), R9")
	g.p("MOVQ rstd+64(FP), R10")
	g.p("MOVQ statStride+72(FP), R11")
	g.p("MOVQ $0x3f800000, AX")
	g.p("MOVQ AX, X12") // 1.0
	rows := g.label("lnrow")
	fmt.Fprintf(&g.s, "%s:\n", rows)
	// Mean.
	g.rowSum(func(acc int, off string) { g.p("VADDPS %s, %s, %s", off, g.v(acc), g.v(acc)) })
	g.p("VMULSS X11, X0, X0")
	g.storeStat("R9")
	g.p("VBROADCASTSS X0, %s", g.v(8))
	// Variance of the deviations.
	g.rowSum(func(acc int, off string) {
		g.p("VMOVUPS %s, %s", off, g.v(4+acc))
		g.p("VSUBPS %s, %s, %s", g.v(8), g.v(4+acc), g.v(4+acc))
		g.p("VFMADD231PS %s, %s, %s", g.v(4+acc), g.v(4+acc), g.v(acc))
	})
	g.p("VMULSS X11, X0, X0")
	g.p("VADDSS X10, X0, X0")
	g.p("VSQRTSS X0, X0, X0")
	g.p("VDIVSS X0, X12, X0")
	g.storeStat("R10")
	g.p("VBROADCASTSS X0, %s", g.v(9))
	// Normalise.
	g.rowLoop(func() {
		g.p("VMOVUPS (SI)(DX*1), %s", g.v(0))
		g.p("VSUBPS %s, %s, %s", g.v(8), g.v(0), g.v(0))
		g.p("VMULPS %s, %s, %s", g.v(9), g.v(0), g.v(0))
		if affine {
			g.p("VMOVUPS (R12)(DX*1), %s", g.v(1))
			g.p("VFMADD213PS (R13)(DX*1), %s, %s", g.v(1), g.v(0))
		}
		g.p("VMOVUPS %s, (DI)(DX*1)", g.v(0))
	})
	g.p("ADDQ R8, SI")
	g.p("ADDQ R8, DI")
	g.p("ADDQ R11, R9")
	g.p("ADDQ R11, R10")
	g.p("DECQ BX")
	g.p("JNZ %s", rows)
	g.ret()
}

// storeStat stores X0 at the pointer in r unless r is nil.
func (g *gen) storeStat(r string) {
	skip := g.label("nostat")
	g.p("TESTQ %s, %s", r, r)
	g.p("JZ %s", skip)
	g.p("MOVSS X0, (%s)", r)
	fmt.Fprintf(&g.s, "%s:\n", skip)
}

// rowSum adds body(acc, address) over the row at SI (R8 bytes) into four
// accumulators (registers 0..3, zeroed first) and leaves the total in X0,
// clobbering register 4.
func (g *gen) rowSum(body func(acc int, addr string)) {
	for i := 0; i < 4; i++ {
		g.p("VXORPS %s, %s, %s", g.v(i), g.v(i), g.v(i))
	}
	four, one, done := g.label("s4"), g.label("s1"), g.label("sdone")
	g.p("XORQ DX, DX")
	fmt.Fprintf(&g.s, "%s:\n", four)
	g.p("LEAQ %d(DX), AX", 4*g.vb())
	g.p("CMPQ AX, R8")
	g.p("JGT %s", one)
	for i := 0; i < 4; i++ {
		body(i, fmt.Sprintf("%d(SI)(DX*1)", i*g.vb()))
	}
	g.p("MOVQ AX, DX")
	g.p("JMP %s", four)
	fmt.Fprintf(&g.s, "%s:\n", one)
	g.p("CMPQ DX, R8")
	g.p("JGE %s", done)
	body(0, "(SI)(DX*1)")
	g.p("ADDQ $%d, DX", g.vb())
	g.p("JMP %s", one)
	fmt.Fprintf(&g.s, "%s:\n", done)
	g.p("VADDPS %s, %s, %s", g.v(1), g.v(0), g.v(0))
	g.p("VADDPS %s, %s, %s", g.v(3), g.v(2), g.v(2))
	g.p("VADDPS %s, %s, %s", g.v(2), g.v(0), g.v(0))
	g.hsum(0, 4)
}

// rowLoop runs body once per vector of the row, with DX the byte offset
// (0, vb, … < R8).
func (g *gen) rowLoop(body func()) {
	top := g.label("rl")
	g.p("XORQ DX, DX")
	fmt.Fprintf(&g.s, "%s:\n", top)
	body()
	g.p("ADDQ $%d, DX", g.vb())
	g.p("CMPQ DX, R8")
	g.p("JLT %s", top)
}

// lnBackRows emits the LayerNorm backward over whole rows:
//
//	func lnBackRows{Affine}{ISA}(dy, x, gamma, dx, dgamma, dbeta *float32, rows, cols int, invCols float32, mean, rstd *float32)
//
// Per row, with g = dy (·gamma) and x̂ = (x − mean)·rstd: the sums Σg and
// Σg·x̂, then dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) and, when affine,
// dgamma += dy·x̂ and dbeta += dy (accumulated row after row in memory).
func (g *gen) lnBackRows(affine bool) {
	name := "lnBackRows"
	if affine {
		name += "Affine"
	}
	g.fn(name, "dy, x, gamma, dx, dgamma, dbeta *float32, rows, cols int, invCols float32, mean, rstd *float32", "", 88)
	g.p("MOVQ dy+0(FP), AX")
	g.p("MOVQ x+8(FP), SI")
	g.p("MOVQ gamma+16(FP), R12")
	g.p("MOVQ dx+24(FP), DI")
	g.p("MOVQ dgamma+32(FP), R13")
	g.p("MOVQ dbeta+40(FP), R14")
	g.p("MOVQ rows+48(FP), BX")
	g.p("MOVQ cols+56(FP), R8")
	g.p("SHLQ $2, R8")
	g.p("MOVSS invCols+64(FP), X11")
	g.p("MOVQ mean+72(FP), R9")
	g.p("MOVQ rstd+80(FP), R10")
	rows := g.label("lbrow")
	fmt.Fprintf(&g.s, "%s:\n", rows)
	g.p("VBROADCASTSS (R9), %s", g.v(8))
	g.p("VBROADCASTSS (R10), %s", g.v(9))
	g.p("VXORPS %s, %s, %s", g.v(4), g.v(4), g.v(4))
	g.p("VXORPS %s, %s, %s", g.v(5), g.v(5), g.v(5))
	gx := func() { // register 0 = g, register 1 = x̂
		g.p("VMOVUPS (AX)(DX*1), %s", g.v(0))
		if affine {
			g.p("VMULPS (R12)(DX*1), %s, %s", g.v(0), g.v(0))
		}
		g.p("VMOVUPS (SI)(DX*1), %s", g.v(1))
		g.p("VSUBPS %s, %s, %s", g.v(8), g.v(1), g.v(1))
		g.p("VMULPS %s, %s, %s", g.v(9), g.v(1), g.v(1))
	}
	g.rowLoop(func() {
		gx()
		g.p("VADDPS %s, %s, %s", g.v(0), g.v(4), g.v(4))
		g.p("VFMADD231PS %s, %s, %s", g.v(1), g.v(0), g.v(5))
	})
	g.hsum(4, 0)
	g.hsum(5, 0)
	g.p("VMULSS X11, X4, X4")
	g.p("VMULSS X11, X5, X5")
	g.p("VBROADCASTSS X4, %s", g.v(12)) // not 10 or 11: X11 holds 1/cols
	g.p("VBROADCASTSS X5, %s", g.v(13))
	g.rowLoop(func() {
		gx()
		if affine {
			g.p("VMOVUPS (AX)(DX*1), %s", g.v(2))
			g.p("VMOVUPS (R13)(DX*1), %s", g.v(3))
			g.p("VFMADD231PS %s, %s, %s", g.v(1), g.v(2), g.v(3))
			g.p("VMOVUPS %s, (R13)(DX*1)", g.v(3))
			g.p("VADDPS (R14)(DX*1), %s, %s", g.v(2), g.v(3))
			g.p("VMOVUPS %s, (R14)(DX*1)", g.v(3))
		}
		g.p("VSUBPS %s, %s, %s", g.v(12), g.v(0), g.v(0))
		g.p("VFNMADD231PS %s, %s, %s", g.v(13), g.v(1), g.v(0))
		g.p("VMULPS %s, %s, %s", g.v(9), g.v(0), g.v(0))
		g.p("VMOVUPS %s, (DI)(DX*1)", g.v(0))
	})
	g.p("ADDQ R8, AX")
	g.p("ADDQ R8, SI")
	g.p("ADDQ R8, DI")
	g.p("ADDQ $4, R9")
	g.p("ADDQ $4, R10")
	g.p("DECQ BX")
	g.p("JNZ %s", rows)
	g.ret()
}

// blurTap is blurTapGo (blur.go) over n outputs, n a multiple of the
// float64 vector width: 8 vectors per block while they last (amortising
// the per-tap offset loads and broadcast), then one.
// The multiply and add are separate instructions, as in scipy's C and the
// Go loop, so all three agree bit for bit.
func (g *gen) blurTap() {
	g.fn("blurTap", "out, base *float64, offs *int, half *float64, n, r int", "", 48)
	lanes := g.t.lanes / 2
	vb := g.vb()
	g.p("MOVQ out+0(FP), DI")
	g.p("MOVQ base+8(FP), SI")
	g.p("MOVQ offs+16(FP), R8")
	g.p("MOVQ half+24(FP), R9")
	g.p("MOVQ n+32(FP), CX")
	g.p("MOVQ r+40(FP), BX")
	g.p("MOVQ (R8)(BX*8), AX")  // offs[r]
	g.p("LEAQ (SI)(AX*8), R12") // centre row
	g.p("VBROADCASTSD (R9), %s", g.v(15))
	for _, nv := range []int{8, 1} {
		top, next := g.label("blk"), g.label("blkend")
		fmt.Fprintf(&g.s, "%s:\n", top)
		g.p("CMPQ CX, $%d", nv*lanes)
		g.p("JLT %s", next)
		for v := 0; v < nv; v++ {
			g.p("VMULPD %d(R12), %s, %s", v*vb, g.v(15), g.v(v))
		}
		// j from r down to 1: R10 = &offs[r−j], R11 = &offs[r+j], R13 = &half[j].
		g.p("MOVQ BX, DX")
		g.p("MOVQ R8, R10")
		g.p("LEAQ (R8)(BX*8), R11")
		g.p("LEAQ (R11)(BX*8), R11")
		g.p("LEAQ (R9)(BX*8), R13")
		fmt.Fprintf(&g.s, "%s:\n", top+"j")
		g.p("TESTQ DX, DX")
		g.p("JZ %s", top+"s")
		g.p("MOVQ (R10), AX")
		g.p("MOVQ (R11), R14")
		g.p("LEAQ (SI)(AX*8), AX")
		g.p("LEAQ (SI)(R14*8), R14")
		g.p("VBROADCASTSD (R13), %s", g.v(14))
		for v := 0; v < nv; v++ {
			t := g.v(8 + v%2) // renaming makes two temporaries enough
			g.p("VMOVUPD %d(AX), %s", v*vb, t)
			g.p("VADDPD %d(R14), %s, %s", v*vb, t, t)
			g.p("VMULPD %s, %s, %s", g.v(14), t, t)
			g.p("VADDPD %s, %s, %s", t, g.v(v), g.v(v))
		}
		g.p("ADDQ $8, R10")
		g.p("SUBQ $8, R11")
		g.p("SUBQ $8, R13")
		g.p("DECQ DX")
		g.p("JMP %s", top+"j")
		fmt.Fprintf(&g.s, "%s:\n", top+"s")
		for v := 0; v < nv; v++ {
			g.p("VMOVUPD %s, %d(DI)", g.v(v), v*vb)
		}
		g.p("ADDQ $%d, DI", nv*vb)
		g.p("ADDQ $%d, SI", nv*vb)
		g.p("ADDQ $%d, R12", nv*vb)
		g.p("SUBQ $%d, CX", nv*lanes)
		g.p("JMP %s", top)
		fmt.Fprintf(&g.s, "%s:\n", next)
	}
	g.ret()
}

// transpose16 emits the float32 block transpose used by both levels
// (AVX2 shuffles): dst (cols × rows, stride dstStride floats) = srcᵀ for a
// rows × cols region of src (stride srcStride), rows and cols multiples
// of 16. Each 16×16 block is done as four 8×8 shuffles, ordered so that
// every 64-byte line of src and of dst is finished within the block: with
// power-of-two strides, lines left half-done would be evicted (the rows
// share L1 sets) and fetched again.
func (g *gen) transpose16(zmm bool) {
	if zmm {
		g.fn("transpose16Z", "dst *float32, dstStride int, src *float32, srcStride, rows, cols int", "", 48)
	} else {
		g.fn("transpose16", "dst *float32, dstStride int, src *float32, srcStride, rows, cols int", "", 48)
	}
	g.p("MOVQ dst+0(FP), DI")
	g.p("MOVQ dstStride+8(FP), R9")
	g.p("SHLQ $2, R9")
	g.p("MOVQ src+16(FP), SI")
	g.p("MOVQ srcStride+24(FP), R8")
	g.p("SHLQ $2, R8")
	g.p("LEAQ (R8)(R8*2), R12") // 3 rows
	g.p("LEAQ (R9)(R9*2), R13")
	g.p("MOVQ rows+32(FP), BX")
	g.p("SHRQ $4, BX")
	g.p("JZ %s", g.lbl("tr_done"))
	fmt.Fprintf(&g.s, "%s:\n", g.lbl("tr_rows"))
	g.p("MOVQ SI, R10") // src block
	g.p("MOVQ DI, R11") // dst block
	g.p("MOVQ cols+40(FP), CX")
	g.p("SHRQ $4, CX")
	g.p("JZ %s", g.lbl("tr_next"))
	fmt.Fprintf(&g.s, "%s:\n", g.lbl("tr_cols"))
	if zmm {
		g.block16()
	} else {
		for _, sub := range [][2]int{{0, 0}, {8, 0}, {0, 8}, {8, 8}} {
			g.block8(sub[0], sub[1])
		}
	}
	g.p("ADDQ $64, R10")
	g.p("SHLQ $4, R9")
	g.p("ADDQ R9, R11")
	g.p("SHRQ $4, R9")
	g.p("DECQ CX")
	g.p("JNZ %s", g.lbl("tr_cols"))
	fmt.Fprintf(&g.s, "%s:\n", g.lbl("tr_next"))
	g.p("SHLQ $4, R8")
	g.p("ADDQ R8, SI")
	g.p("SHRQ $4, R8")
	g.p("ADDQ $64, DI")
	g.p("DECQ BX")
	g.p("JNZ %s", g.lbl("tr_rows"))
	fmt.Fprintf(&g.s, "%s:\n", g.lbl("tr_done"))
	g.ret()
}

// lbl returns a label unique to the function being generated.
func (g *gen) lbl(s string) string { return fmt.Sprintf("%s_%s", s, g.t.name+g.fnName) }

// block16 transposes the 16×16 block at R10 (src) into R11 (dst) with ZMM
// registers: every row load and every store is one whole 64-byte line.
// Stages: interleave row pairs (32-bit), then pairs of pairs (64-bit),
// then a 4×4 transpose of 128-bit lanes in two VSHUFF32X4 steps.
func (g *gen) block16() {
	z := func(i int) string { return fmt.Sprintf("Z%d", i) }
	g.p("MOVQ R10, AX")
	for i := 0; i < 16; i++ {
		g.rowAt(i, "AX", "R8", "R12", "R14")
		g.p("VMOVUPS %s, %s", g.addr, z(i))
	}
	for i := 0; i < 8; i++ {
		g.p("VUNPCKLPS %s, %s, %s", z(2*i+1), z(2*i), z(16+2*i))
		g.p("VUNPCKHPS %s, %s, %s", z(2*i+1), z(2*i), z(17+2*i))
	}
	for gr := 0; gr < 4; gr++ {
		t := 16 + 4*gr
		g.p("VUNPCKLPD %s, %s, %s", z(t+2), z(t), z(4*gr))
		g.p("VUNPCKHPD %s, %s, %s", z(t+2), z(t), z(4*gr+1))
		g.p("VUNPCKLPD %s, %s, %s", z(t+3), z(t+1), z(4*gr+2))
		g.p("VUNPCKHPD %s, %s, %s", z(t+3), z(t+1), z(4*gr+3))
	}
	for c := 0; c < 4; c++ {
		v0, v1, w0, w1 := z(16+4*c), z(17+4*c), z(18+4*c), z(19+4*c)
		g.p("VSHUFF32X4 $0x88, %s, %s, %s", z(4+c), z(c), v0)
		g.p("VSHUFF32X4 $0xDD, %s, %s, %s", z(4+c), z(c), v1)
		g.p("VSHUFF32X4 $0x88, %s, %s, %s", z(12+c), z(8+c), w0)
		g.p("VSHUFF32X4 $0xDD, %s, %s, %s", z(12+c), z(8+c), w1)
		g.p("VSHUFF32X4 $0x88, %s, %s, %s", w0, v0, z(c))
		g.p("VSHUFF32X4 $0xDD, %s, %s, %s", w0, v0, z(8+c))
		g.p("VSHUFF32X4 $0x88, %s, %s, %s", w1, v1, z(4+c))
		g.p("VSHUFF32X4 $0xDD, %s, %s, %s", w1, v1, z(12+c))
	}
	g.p("MOVQ R11, AX")
	for i := 0; i < 16; i++ {
		g.rowAt(i, "AX", "R9", "R13", "R14")
		g.p("VMOVUPS %s, %s", z(i), g.addr)
	}
}

// rowAt sets g.addr to row i of a block at base with stride s and
// 3·stride s3. Rows must be visited in order 0..15: it emits the LEAs of
// the row-8 base (tmp) and of the row-4 and row-12 bases (DX) on the way.
func (g *gen) rowAt(i int, base, s, s3, tmp string) {
	switch i {
	case 4:
		g.p("LEAQ (%s)(%s*4), DX", base, s)
	case 8:
		g.p("LEAQ (%s)(%s*8), %s", base, s, tmp)
	case 12:
		g.p("LEAQ (%s)(%s*4), DX", tmp, s)
	}
	b := [...]string{base, "DX", tmp, "DX"}[i/4]
	g.addr = [...]string{"(" + b + ")", "(" + b + ")(" + s + "*1)", "(" + b + ")(" + s + "*2)", "(" + b + ")(" + s3 + "*1)"}[i%4]
}

// block8 transposes the 8×8 sub-block at (ro, co) of the 16×16 block whose
// source starts at R10 and destination at R11.
func (g *gen) block8(ro, co int) {
	y := func(i int) string { return fmt.Sprintf("Y%d", i) }
	g.p("MOVQ R10, AX")
	if ro > 0 {
		g.p("LEAQ (AX)(R8*8), AX")
	}
	g.p("LEAQ (AX)(R8*4), R14")
	for i, a := range []string{"(AX)", "(AX)(R8*1)", "(AX)(R8*2)", "(AX)(R12*1)", "(R14)", "(R14)(R8*1)", "(R14)(R8*2)", "(R14)(R12*1)"} {
		g.p("VMOVUPS %d%s, %s", 4*co, a, y(i))
	}
	for i := 0; i < 4; i++ {
		g.p("VUNPCKLPS %s, %s, %s", y(2*i+1), y(2*i), y(8+2*i))
		g.p("VUNPCKHPS %s, %s, %s", y(2*i+1), y(2*i), y(9+2*i))
	}
	for h := 0; h < 2; h++ {
		t := 8 + 4*h
		g.p("VSHUFPS $0x44, %s, %s, %s", y(t+2), y(t), y(4*h))
		g.p("VSHUFPS $0xEE, %s, %s, %s", y(t+2), y(t), y(4*h+1))
		g.p("VSHUFPS $0x44, %s, %s, %s", y(t+3), y(t+1), y(4*h+2))
		g.p("VSHUFPS $0xEE, %s, %s, %s", y(t+3), y(t+1), y(4*h+3))
	}
	for c := 0; c < 4; c++ {
		g.p("VPERM2F128 $0x20, %s, %s, %s", y(4+c), y(c), y(8+c))
		g.p("VPERM2F128 $0x31, %s, %s, %s", y(4+c), y(c), y(12+c))
	}
	g.p("MOVQ R11, AX")
	if co > 0 {
		g.p("LEAQ (AX)(R9*8), AX")
	}
	g.p("LEAQ (AX)(R9*4), R14")
	for i, a := range []string{"(AX)", "(AX)(R9*1)", "(AX)(R9*2)", "(AX)(R13*1)", "(R14)", "(R14)(R9*1)", "(R14)(R9*2)", "(R14)(R13*1)"} {
		g.p("VMOVUPS %s, %d%s", y(8+i), 4*ro, a)
	}
}

func main() {
	var s, d bytes.Buffer
	s.WriteString("// Code generated by gen_kernels.go; DO NOT EDIT.\n\n//go:build !purego\n\n#include \"textflag.h\"\n")
	d.WriteString("// Code generated by gen_kernels.go; DO NOT EDIT.\n\n//go:build !purego\n\npackage ops\n")
	for _, t := range targets {
		g := &gen{t: t}
		g.silu()
		g.siluBack()
		g.siluMul()
		g.siluMulBack()
		g.lnRows(false)
		g.lnRows(true)
		g.lnBackRows(false)
		g.lnBackRows(true)
		g.blurTap()
		g.elementwiseAll()
		s.Write(g.s.Bytes())
		d.Write(g.decl.Bytes())
	}
	// Level-independent kernels (AVX2 shuffles and scalar code), shared by
	// both tables.
	g := &gen{t: target{"", "Y", 8}}
	g.transpose16(false)
	g.transpose16(true)
	s.Write(g.s.Bytes())
	d.Write(g.decl.Bytes())
	src, err := format.Source(d.Bytes())
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile("kernels_amd64.s", s.Bytes(), 0o644); err != nil {
		panic(err)
	}
	if err := os.WriteFile("kernels_asm_amd64.go", src, 0o644); err != nil {
		panic(err)
	}
}
