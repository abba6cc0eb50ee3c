//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// func prep16AVX512(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)
// Per step (record of 512 bytes in pre, see chunk.pre): raw = bias +
// Σ_r dtw[r]·dt_low[r] (two accumulators, so the sum is not one long FMA
// chain), δ = softplus(raw), δ·u, u; with flag 1 σ = softplus'(raw), with
// flag 2 dy[p], with flag 4 (N = 16) the record's B and C. The steps are
// independent, so the out-of-order core overlaps their long chains and
// keeps many of the scattered pixels' cache misses in flight; the state
// kernels then read pre sequentially. out[p] is prefetched for them.
//
// softplus(raw) = max(raw, 0) + log1p(z) with z = e^−|raw| ∈ (0, 1], and
// log1p(z) = 2·atanh(s) = 2s·(1 + w·Q(w)), s = z/(2+z) ≤ 1/3, w = s²,
// Q a cubic (minimax, relative error 4.5e−9): no cancellation for small
// z, and for raw > 20 the result rounds to raw exactly, torch's
// threshold. σ = 1/(1+z) for raw ≥ 0 and z/(1+z) below.
TEXT ·prep16AVX512(SB), NOSPLIT, $0-104
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE pdone
	MOVQ idx+8(FP), SI
	MOVQ rec+16(FP), R8
	MOVQ rs+24(FP), R9
	SHLQ $2, R9
	MOVQ x+32(FP), DX
	MOVQ ts+56(FP), R10
	SHLQ $2, R10
	MOVQ r+64(FP), R11
	MOVQ dtw+72(FP), BX
	MOVQ bias+80(FP), R14
	VMOVUPS (R14), Z25
	MOVQ pre+88(FP), R12
	LOADEXP512
	VPXORD Z26, Z26, Z26
	VBROADCASTSS TAB(K_ONE), Z27

ploop:
	MOVLQSX (SI), DI
	MOVQ DI, R13
	IMULQ R10, DI
	VMOVUPS (DX)(DI*1), Z24
	MOVQ out+48(FP), AX
	PREFETCHT0 (AX)(DI*1)
	TESTQ $2, flags+96(FP)
	JZ pnog
	MOVQ dy+40(FP), AX
	VMOVUPS (AX)(DI*1), Z12
	VMOVUPS Z12, 256(R12)

pnog:
	IMULQ R9, R13
	ADDQ R8, R13
	TESTQ $4, flags+96(FP)
	JZ pnobc
	VMOVUPS (R13)(R11*4), Z12
	VMOVUPS 64(R13)(R11*4), Z14
	VMOVUPS Z12, 320(R12)
	VMOVUPS Z14, 384(R12)

pnobc:
	VMOVAPS Z25, Z0
	VPXORD Z1, Z1, Z1
	MOVQ BX, DI
	MOVQ R11, R14
	CMPQ R14, $2
	JLT pr1

pr2:
	VMOVUPS (DI), Z2
	VFMADD231PS.BCST (R13), Z2, Z0
	VMOVUPS 64(DI), Z3
	VFMADD231PS.BCST 4(R13), Z3, Z1
	ADDQ $128, DI
	ADDQ $8, R13
	SUBQ $2, R14
	CMPQ R14, $2
	JGE pr2

pr1:
	TESTQ R14, R14
	JZ prsum
	VMOVUPS (DI), Z2
	VFMADD231PS.BCST (R13), Z2, Z0

prsum:
	VADDPS Z1, Z0, Z0
	VANDPS.BCST TAB(K_ABS), Z0, Z2
	VMULPS.BCST TAB(K_NLOG2E), Z2, Z2
	EXP2512(Z2, Z3, Z13, Z4)
	VADDPS.BCST TAB(K_TWO), Z4, Z5
	VDIVPS Z5, Z4, Z5
	VMULPS Z5, Z5, Z6
	VBROADCASTSS TAB(K_Q3), Z7
	VFMADD213PS.BCST TAB(K_Q2), Z6, Z7
	VFMADD213PS.BCST TAB(K_Q1), Z6, Z7
	VFMADD213PS.BCST TAB(K_Q0), Z6, Z7
	VMULPS Z6, Z7, Z7
	VADDPS Z5, Z5, Z5
	VFMADD213PS Z5, Z5, Z7
	VMAXPS Z26, Z0, Z8
	VADDPS Z7, Z8, Z8
	VMOVUPS Z8, (R12)
	VMULPS Z24, Z8, Z9
	VMOVUPS Z9, 64(R12)
	VMOVUPS Z24, 128(R12)
	TESTQ $1, flags+96(FP)
	JZ pnext
	VADDPS Z27, Z4, Z10
	VDIVPS Z10, Z27, Z10
	VMULPS Z10, Z4, Z11
	VCMPPS $13, Z26, Z0, K1
	VMOVAPS Z10, K1, Z11
	VMOVUPS Z11, 192(R12)

pnext:
	ADDQ $4, SI
	ADDQ $512, R12
	DECQ CX
	JNZ ploop

pdone:
	VZEROUPPER
	RET
