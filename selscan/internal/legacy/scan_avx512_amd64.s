//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// The N = 16 states of one channel live in one zmm register. Registers:
// Z16..Z27 exp constants, Z1 = A row, Z0 = h (forward) or dh (backward).

// HSUM16 leaves the sum of the 16 lanes of z in the low lane of x
// (y, x and t are the ymm/xmm views of z and of a temporary).
#define HSUM16(z, y, x, ty, tx) \
	VEXTRACTF64X4 $1, z, ty; \
	VADDPS ty, y, y; \
	VEXTRACTF128 $1, y, tx; \
	VADDPS tx, x, x; \
	VPERMILPS $0x4E, x, tx; \
	VADDPS tx, x, x; \
	VMOVSHDUP x, tx; \
	VADDSS tx, x, x

// func fwd16AVX512(n int, delta, u, bt, ct, a *float32, dskip float32, h, y *float32)
// Four steps per iteration: their exps are independent and interleaved,
// then the four h updates run in order and the four outputs are reduced
// together. A one-step loop finishes the last n mod 4 steps.
TEXT ·fwd16AVX512(SB), NOSPLIT, $0-72
	MOVQ n+0(FP), CX
	MOVQ delta+8(FP), SI
	MOVQ u+16(FP), DX
	MOVQ bt+24(FP), R8
	MOVQ ct+32(FP), R9
	MOVQ a+40(FP), AX
	VBROADCASTSS dskip+48(FP), X14
	MOVQ h+56(FP), BX
	MOVQ y+64(FP), DI
	PREFETCH4(SI, 256)
	PREFETCH4(DX, 256)
	PREFETCH4(DI, 256)
	LOADEXP512
	VMOVUPS (AX), Z1
	VMOVUPS (BX), Z0
	CMPQ CX, $4
	JLT ftail

floop4:
	VMULPS.BCST 0(SI), Z1, Z2
	VMULPS.BCST 4(SI), Z1, Z3
	VMULPS.BCST 8(SI), Z1, Z4
	VMULPS.BCST 12(SI), Z1, Z5
	EXP512X4(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13)

	// δ·u of the four steps goes to y[t..t+3] (overwritten below) so that
	// the multiplies can broadcast it from memory.
	VMOVUPS (SI), X15
	VMULPS (DX), X15, X15
	VMOVUPS X15, (DI)
	VMOVUPS 0(R8), Z2
	VMOVUPS 64(R8), Z3
	VMOVUPS 128(R8), Z4
	VMOVUPS 192(R8), Z5
	VMULPS.BCST 0(DI), Z2, Z2
	VMULPS.BCST 4(DI), Z3, Z3
	VMULPS.BCST 8(DI), Z4, Z4
	VMULPS.BCST 12(DI), Z5, Z5
	VFMADD213PS Z2, Z10, Z0
	VMULPS 0(R9), Z0, Z2
	VFMADD213PS Z3, Z11, Z0
	VMULPS 64(R9), Z0, Z3
	VFMADD213PS Z4, Z12, Z0
	VMULPS 128(R9), Z0, Z4
	VFMADD213PS Z5, Z13, Z0
	VMULPS 192(R9), Z0, Z5
	HSUM4X16(Z2, Z3, Z4, Z5, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, X6, X8)
	VFMADD231PS (DX), X14, X6
	VMOVUPS X6, (DI)
	ADDQ $16, SI
	ADDQ $16, DX
	ADDQ $256, R8
	ADDQ $256, R9
	ADDQ $16, DI
	SUBQ $4, CX
	CMPQ CX, $4
	JGE floop4

ftail:
	TESTQ CX, CX
	JLE fdone

floop:
	VBROADCASTSS (SI), Z2
	VMULSS (DX), X2, X3
	VBROADCASTSS X3, Z3
	VMULPS Z1, Z2, Z4
	EXP512(Z4, Z5, Z6)
	VMULPS (R8), Z3, Z7
	VFMADD213PS Z7, Z6, Z0
	VMULPS (R9), Z0, Z8
	HSUM16(Z8, Y8, X8, Y9, X9)
	VFMADD231SS (DX), X14, X8
	VMOVSS X8, (DI)
	ADDQ $4, SI
	ADDQ $4, DX
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $4, DI
	DECQ CX
	JNZ floop

fdone:
	VMOVUPS Z0, (BX)
	VZEROUPPER
	RET

// BSTEP is the per-step work of step t−3+i in brev4 once its dh is known:
// o4/o64 are the step's byte offsets in the 4- and 64-byte strided arrays
// (relative to t), a its decay; it updates dC, dB and Σ ∂/∂A (Z11) and
// leaves dh·B in s1 and q·A in q, q = dh·a·h_{t−1}.
#define BSTEP(o4, o64, dh, a, s1, q) \
	VMOVUPS 64+o64(R10)(BX*1), Z6; \
	VMOVUPS o64(R14)(BX*1), Z7; \
	VFMADD231PS.BCST o4(R12)(CX*4), Z6, Z7; \
	VMOVUPS Z7, o64(R14)(BX*1); \
	VMOVUPS o64(R13)(BX*1), Z8; \
	VFMADD231PS.BCST o4(DX)(CX*4), dh, Z8; \
	VMOVUPS Z8, o64(R13)(BX*1); \
	VMULPS o64(R8)(BX*1), dh, s1; \
	VMULPS a, dh, q; \
	VMULPS o64(R10)(BX*1), q, q; \
	VFMADD231PS.BCST o4(SI)(CX*4), q, Z11; \
	VMULPS Z1, q, q

// func bwd16AVX512(n int, delta, u, dy, bt, ct, a *float32, h0, dhNext, aNext, accA, dB, dC, s1, s2, hbuf, abuf, dubuf *float32)
// Both passes take four steps per iteration (see fwd16AVX512); one-step
// loops handle the n mod 4 steps at the end of the chunk in time. Scalars
// that the dy, δ and δ·u of a step multiply are broadcast from memory.
TEXT ·bwd16AVX512(SB), NOSPLIT, $0-144
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE bdone
	MOVQ delta+8(FP), SI
	MOVQ u+16(FP), DX
	MOVQ dy+24(FP), R12
	MOVQ s1+104(FP), DI
	MOVQ s2+112(FP), AX
	PREFETCH4(SI, -256)
	PREFETCH4(DX, -256)
	PREFETCH4(R12, -256)
	PREFETCH4(DI, -256)
	PREFETCH4(AX, -256)
	MOVQ bt+32(FP), R8
	MOVQ a+48(FP), AX
	MOVQ h0+56(FP), BX
	MOVQ hbuf+120(FP), R10
	MOVQ abuf+128(FP), R11
	MOVQ dubuf+136(FP), R12
	LOADEXP512
	VMOVUPS (AX), Z1
	VMOVUPS (BX), Z0
	VMOVUPS Z0, (R10)
	CMPQ CX, $4
	JLT brectail

	// Recompute the chunk: abuf[t] = exp(δ_t·A), hbuf[t+1] = h_t,
	// dubuf[t] = δ_t·u_t.
brec4:
	VMULPS.BCST 0(SI), Z1, Z2
	VMULPS.BCST 4(SI), Z1, Z3
	VMULPS.BCST 8(SI), Z1, Z4
	VMULPS.BCST 12(SI), Z1, Z5
	EXP512X4(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13)
	VMOVUPS Z10, 0(R11)
	VMOVUPS Z11, 64(R11)
	VMOVUPS Z12, 128(R11)
	VMOVUPS Z13, 192(R11)
	VMOVUPS (SI), X14
	VMULPS (DX), X14, X14
	VMOVUPS X14, (R12)
	VMOVUPS 0(R8), Z2
	VMOVUPS 64(R8), Z3
	VMOVUPS 128(R8), Z4
	VMOVUPS 192(R8), Z5
	VMULPS.BCST 0(R12), Z2, Z2
	VMULPS.BCST 4(R12), Z3, Z3
	VMULPS.BCST 8(R12), Z4, Z4
	VMULPS.BCST 12(R12), Z5, Z5
	VFMADD213PS Z2, Z10, Z0
	VMOVUPS Z0, 64(R10)
	VFMADD213PS Z3, Z11, Z0
	VMOVUPS Z0, 128(R10)
	VFMADD213PS Z4, Z12, Z0
	VMOVUPS Z0, 192(R10)
	VFMADD213PS Z5, Z13, Z0
	VMOVUPS Z0, 256(R10)
	ADDQ $16, SI
	ADDQ $16, DX
	ADDQ $16, R12
	ADDQ $256, R8
	ADDQ $256, R10
	ADDQ $256, R11
	SUBQ $4, CX
	CMPQ CX, $4
	JGE brec4

brectail:
	TESTQ CX, CX
	JLE brevstart

brec:
	VMULPS.BCST (SI), Z1, Z4
	VMOVSS (SI), X3
	VMULSS (DX), X3, X3
	VMOVSS X3, (R12)
	EXP512(Z4, Z5, Z6)
	VMOVUPS Z6, (R11)
	VMOVUPS (R8), Z7
	VMULPS.BCST (R12), Z7, Z7
	VFMADD213PS Z7, Z6, Z0
	VMOVUPS Z0, 64(R10)
	ADDQ $4, SI
	ADDQ $4, DX
	ADDQ $4, R12
	ADDQ $64, R8
	ADDQ $64, R10
	ADDQ $64, R11
	DECQ CX
	JNZ brec

	// Reverse pass, t = n−1 … 0 with CX = t, BX = 64·t. Carried: Z0 = dh,
	// Z10 = decay of step t+1, Z11 = Σ ∂/∂A; Z1 = A.
brevstart:
	MOVQ dhNext+64(FP), BX
	VMOVUPS (BX), Z0
	MOVQ aNext+72(FP), BX
	VMOVUPS (BX), Z10
	MOVQ accA+80(FP), BX
	VMOVUPS (BX), Z11
	MOVQ n+0(FP), CX
	DECQ CX
	MOVQ CX, BX
	SHLQ $6, BX
	MOVQ delta+8(FP), SI
	MOVQ dubuf+136(FP), DX
	MOVQ dy+24(FP), R12
	MOVQ bt+32(FP), R8
	MOVQ ct+40(FP), R9
	MOVQ dB+88(FP), R13
	MOVQ dC+96(FP), R14
	MOVQ s1+104(FP), DI
	MOVQ s2+112(FP), AX
	MOVQ hbuf+120(FP), R10
	MOVQ abuf+128(FP), R11

	// The last n mod 4 steps one at a time, until t ≡ 3 (mod 4).
brevcheck:
	BTQ $0, CX
	JCC brev
	BTQ $1, CX
	JCS brev4check

brev:
	VMOVUPS (R9)(BX*1), Z2
	VMULPS Z10, Z0, Z0
	VFMADD231PS.BCST (R12)(CX*4), Z2, Z0
	VMOVUPS 64(R10)(BX*1), Z3
	VMOVUPS (R14)(BX*1), Z4
	VFMADD231PS.BCST (R12)(CX*4), Z3, Z4
	VMOVUPS Z4, (R14)(BX*1)
	VMOVUPS (R13)(BX*1), Z5
	VFMADD231PS.BCST (DX)(CX*4), Z0, Z5
	VMOVUPS Z5, (R13)(BX*1)
	VMULPS (R8)(BX*1), Z0, Z7
	VMOVUPS (R11)(BX*1), Z10
	VMULPS Z10, Z0, Z8
	VMULPS (R10)(BX*1), Z8, Z8
	VFMADD231PS.BCST (SI)(CX*4), Z8, Z11
	VMULPS Z1, Z8, Z9

	// Sum the lanes of Z7 (→ s1 in X12) and Z9 (→ s2 in X13) together.
	VEXTRACTF64X4 $1, Z7, Y12
	VADDPS Y12, Y7, Y7
	VEXTRACTF64X4 $1, Z9, Y13
	VADDPS Y13, Y9, Y9
	VPERM2F128 $0x20, Y9, Y7, Y12
	VPERM2F128 $0x31, Y9, Y7, Y13
	VADDPS Y13, Y12, Y12
	VPERMILPS $0x4E, Y12, Y13
	VADDPS Y13, Y12, Y12
	VMOVSHDUP Y12, Y13
	VADDPS Y13, Y12, Y12
	VEXTRACTF128 $1, Y12, X13
	VMOVSS X12, (DI)(CX*4)
	VMOVSS X13, (AX)(CX*4)
	SUBQ $64, BX
	DECQ CX
	JGE brevcheck
	JMP bstore

brev4check:
	CMPQ CX, $3
	JLT bstore

	// Four steps t−3 … t: first the dh chain (C in Z2..Z5, dh in
	// Z12..Z15 and decays in Z16..Z19 for step t−3+i), then the
	// independent per-step terms (s1 in Z20..Z23, q·A in Z24..Z27).
brev4:
	VMOVUPS 0(R11)(BX*1), Z19
	VMOVUPS -64(R11)(BX*1), Z18
	VMOVUPS -128(R11)(BX*1), Z17
	VMOVUPS -192(R11)(BX*1), Z16
	VMOVUPS 0(R9)(BX*1), Z5
	VMOVUPS -64(R9)(BX*1), Z4
	VMOVUPS -128(R9)(BX*1), Z3
	VMOVUPS -192(R9)(BX*1), Z2
	VMULPS Z10, Z0, Z15
	VFMADD231PS.BCST 0(R12)(CX*4), Z5, Z15
	VMULPS Z19, Z15, Z14
	VFMADD231PS.BCST -4(R12)(CX*4), Z4, Z14
	VMULPS Z18, Z14, Z13
	VFMADD231PS.BCST -8(R12)(CX*4), Z3, Z13
	VMULPS Z17, Z13, Z12
	VFMADD231PS.BCST -12(R12)(CX*4), Z2, Z12
	VMOVAPS Z12, Z0
	VMOVAPS Z16, Z10
	BSTEP(-12, -192, Z12, Z16, Z20, Z24)
	BSTEP(-8, -128, Z13, Z17, Z21, Z25)
	BSTEP(-4, -64, Z14, Z18, Z22, Z26)
	BSTEP(0, 0, Z15, Z19, Z23, Z27)
	HSUM4X16(Z20, Z21, Z22, Z23, Y20, Y21, Y22, Y23, Y6, Y7, Y8, Y9, Y2, X6, X8)
	HSUM4X16(Z24, Z25, Z26, Z27, Y24, Y25, Y26, Y27, Y3, Y4, Y5, Y7, Y8, X3, X5)
	VMOVUPS X6, -12(DI)(CX*4)
	VMOVUPS X3, -12(AX)(CX*4)
	SUBQ $256, BX
	SUBQ $4, CX
	CMPQ CX, $3
	JGE brev4

bstore:
	MOVQ dhNext+64(FP), BX
	VMOVUPS Z0, (BX)
	MOVQ aNext+72(FP), BX
	VMOVUPS Z10, (BX)
	MOVQ accA+80(FP), BX
	VMOVUPS Z11, (BX)

bdone:
	VZEROUPPER
	RET
