//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// GATHER loads u = x[p] into u, prefetches out[p] and gathers dy[p]
// (flag 2) and the record's B and C (flag 4) into the step record at
// off(R12); p is in DI, the record pointer is left in rp (ts and rs are
// in floats).
#define GATHER(u, rp, off, skipg, skipbc) \
	MOVQ DI, rp; \
	IMULQ ts+56(FP), DI; \
	VMOVUPS (DX)(DI*4), u; \
	MOVQ out+48(FP), AX; \
	PREFETCHT0 (AX)(DI*4); \
	TESTQ $2, flags+96(FP); \
	JZ skipg; \
	MOVQ dy+40(FP), AX; \
	VMOVUPS (AX)(DI*4), Z12; \
	VMOVUPS Z12, off+256(R12); \
skipg: \
	IMULQ rs+24(FP), rp; \
	LEAQ (R8)(rp*4), rp; \
	TESTQ $4, flags+96(FP); \
	JZ skipbc; \
	VMOVUPS (rp)(R11*4), Z12; \
	VMOVUPS 64(rp)(R11*4), Z14; \
	VMOVUPS Z12, off+320(R12); \
	VMOVUPS Z14, off+384(R12); \
skipbc:

// SPLUS finishes a step from raw: δ = softplus(raw), δ·u, u, δ·log2 e
// and, with flag 1, σ, stored at off(R12). Temporaries Z2..Z11, Z13.
#define SPLUS(raw, u, off, skips) \
	VANDPS.BCST TAB(K_ABS), raw, Z12; \
	VMULPS.BCST TAB(K_NLOG2E), Z12, Z2; \
	VMOVAPS Z2, Z10; \
	VFMSUB231PS.BCST TAB(K_NLOG2E), Z12, Z10; \
	VFMADD231PS.BCST TAB(K_NLOG2ELO), Z12, Z10; \
	EXP2512(Z2, Z3, Z13, Z4); \
	VMULPS.BCST TAB(K_LN2), Z10, Z10; \
	VFMADD231PS Z10, Z4, Z4; \
	VADDPS.BCST TAB(K_TWO), Z4, Z5; \
	VDIVPS Z5, Z4, Z5; \
	VMULPS Z5, Z5, Z6; \
	VBROADCASTSS TAB(K_Q3), Z7; \
	VFMADD213PS.BCST TAB(K_Q2), Z6, Z7; \
	VFMADD213PS.BCST TAB(K_Q1), Z6, Z7; \
	VFMADD213PS.BCST TAB(K_Q0), Z6, Z7; \
	VMULPS Z6, Z7, Z7; \
	VADDPS Z5, Z5, Z5; \
	VFMADD213PS Z5, Z5, Z7; \
	VMAXPS Z26, raw, Z8; \
	VADDPS Z7, Z8, Z8; \
	VMOVUPS Z8, off(R12); \
	VMULPS u, Z8, Z9; \
	VMOVUPS Z9, off+64(R12); \
	VMOVUPS u, off+128(R12); \
	VMULPS.BCST TAB(K_LOG2E), Z8, Z9; \
	VMOVUPS Z9, off+448(R12); \
	TESTQ $1, flags+96(FP); \
	JZ skips; \
	VADDPS Z27, Z4, Z10; \
	VDIVPS Z10, Z27, Z10; \
	VMULPS Z10, Z4, Z11; \
	VCMPPS $13, Z26, raw, K1; \
	VMOVAPS Z10, K1, Z11; \
	VMOVUPS Z11, off+192(R12); \
skips:

// func prep16AVX512(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)
// Per step (record of 512 bytes in pre, see chunk.pre): raw = bias +
// Σ_r dtw[r]·dt_low[r], δ = softplus(raw), δ·u, u; with flag 1
// σ = softplus'(raw), with flag 2 dy[p], with flag 4 (N = 16) the
// record's B and C, and δ·log2 e. Steps go in pairs that share the loads of dtw, with
// two accumulators each so that the sums are not long FMA chains. The
// steps are independent, so the out-of-order core overlaps their long
// chains and keeps many of the scattered pixels' cache misses in flight;
// the state kernels then read pre sequentially. out[p] is prefetched for
// them.
//
// softplus(raw) = max(raw, 0) + log1p(z) with z = e^−|raw| ∈ (0, 1], and
// log1p(z) = 2·atanh(s) = 2s·(1 + w·Q(w)), s = z/(2+z) ≤ 1/3, w = s².
// z = 2^t with t = −|raw|·log2 e, times 1 + ε·ln 2 for the error ε of t
// (the rounding of the product, exact by FMA, and log2 e's own rounding,
// from its low part), so that z is as accurate as exp itself for large
// |raw|; then
// Q a cubic (minimax, relative error 4.5e−9): no cancellation for small
// z, and for raw > 20 the result rounds to raw exactly, torch's
// threshold. σ = 1/(1+z) for raw ≥ 0 and z/(1+z) below.
TEXT ·prep16AVX512(SB), NOSPLIT, $0-104
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE pdone
	MOVQ idx+8(FP), SI
	MOVQ rec+16(FP), R8
	MOVQ x+32(FP), DX
	MOVQ r+64(FP), R11
	MOVQ dtw+72(FP), BX
	MOVQ bias+80(FP), R14
	VMOVUPS (R14), Z25
	MOVQ pre+88(FP), R12
	LOADEXP512
	VPXORD Z26, Z26, Z26
	VBROADCASTSS TAB(K_ONE), Z27
	CMPQ CX, $2
	JLT psingle

ppair:
	MOVLQSX (SI), DI
	GATHER(Z22, R13, 0, pg0, pbc0)
	MOVLQSX 4(SI), DI
	GATHER(Z23, R9, 512, pg1, pbc1)
	VMOVAPS Z25, Z0
	VPXORD Z1, Z1, Z1
	VMOVAPS Z25, Z14
	VPXORD Z15, Z15, Z15
	MOVQ BX, DI
	MOVQ R11, R14
	CMPQ R14, $2
	JLT pp1

pp2:
	VMOVUPS (DI), Z2
	VFMADD231PS.BCST (R13), Z2, Z0
	VFMADD231PS.BCST (R9), Z2, Z14
	VMOVUPS 64(DI), Z3
	VFMADD231PS.BCST 4(R13), Z3, Z1
	VFMADD231PS.BCST 4(R9), Z3, Z15
	ADDQ $128, DI
	ADDQ $8, R13
	ADDQ $8, R9
	SUBQ $2, R14
	CMPQ R14, $2
	JGE pp2

pp1:
	TESTQ R14, R14
	JZ ppsum
	VMOVUPS (DI), Z2
	VFMADD231PS.BCST (R13), Z2, Z0
	VFMADD231PS.BCST (R9), Z2, Z14

ppsum:
	VADDPS Z1, Z0, Z0
	VADDPS Z15, Z14, Z14
	SPLUS(Z0, Z22, 0, ps0)
	SPLUS(Z14, Z23, 512, ps1)
	ADDQ $8, SI
	ADDQ $1024, R12
	SUBQ $2, CX
	CMPQ CX, $2
	JGE ppair

psingle:
	TESTQ CX, CX
	JZ pdone
	MOVLQSX (SI), DI
	GATHER(Z22, R13, 0, pg2, pbc2)
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
	SPLUS(Z0, Z22, 0, ps2)

pdone:
	VZEROUPPER
	RET

// The AVX2 prep (see the notes on the AVX2 kernels in fwd_amd64.s).

// func prep8AVX2(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int, r int, dtw, bias, pre *float32, flags int)
// prep16AVX512 for 8 lanes (same flags and step records; flag 4, the B
// and C gather, is passed for one half only).
TEXT ·prep8AVX2(SB), NOSPLIT, $0-104
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE qdone
	MOVQ idx+8(FP), SI
	MOVQ rec+16(FP), R8
	MOVQ rs+24(FP), R9
	SHLQ $2, R9
	MOVQ x+32(FP), DX
	MOVQ ts+56(FP), R10
	SHLQ $2, R10
	MOVQ r+64(FP), R11
	MOVQ dtw+72(FP), BX
	MOVQ pre+88(FP), R12

qloop:
	MOVLQSX (SI), DI
	MOVQ DI, R13
	IMULQ R10, DI
	VMOVUPS (DX)(DI*1), Y12
	MOVQ out+48(FP), AX
	PREFETCHT0 (AX)(DI*1)
	TESTQ $2, flags+96(FP)
	JZ qnog
	MOVQ dy+40(FP), AX
	VMOVUPS (AX)(DI*1), Y2
	VMOVUPS Y2, 256(R12)

qnog:
	IMULQ R9, R13
	ADDQ R8, R13
	TESTQ $4, flags+96(FP)
	JZ qnobc
	VMOVUPS (R13)(R11*4), Y2
	VMOVUPS 32(R13)(R11*4), Y3
	VMOVUPS 64(R13)(R11*4), Y4
	VMOVUPS 96(R13)(R11*4), Y5
	VMOVUPS Y2, 320(R12)
	VMOVUPS Y3, 352(R12)
	VMOVUPS Y4, 384(R12)
	VMOVUPS Y5, 416(R12)

qnobc:
	MOVQ bias+80(FP), AX
	VMOVUPS (AX), Y0
	VXORPS Y1, Y1, Y1
	MOVQ BX, DI
	MOVQ R11, R14
	CMPQ R14, $2
	JLT qr1

qr2:
	VBROADCASTSS (R13), Y2
	VFMADD231PS (DI), Y2, Y0
	VBROADCASTSS 4(R13), Y3
	VFMADD231PS 64(DI), Y3, Y1
	ADDQ $128, DI
	ADDQ $8, R13
	SUBQ $2, R14
	CMPQ R14, $2
	JGE qr2

qr1:
	TESTQ R14, R14
	JZ qsum
	VBROADCASTSS (R13), Y2
	VFMADD231PS (DI), Y2, Y0

qsum:
	VADDPS Y1, Y0, Y0
	VANDPS TAB8(A_ABS), Y0, Y9
	VMULPS TAB8(A_NL2E16), Y9, Y2
	VMOVAPS Y2, Y10
	VFMSUB231PS TAB8(A_NL2E16), Y9, Y10
	VFMADD231PS TAB8(A_NL2E16LO), Y9, Y10
	EXP2AVX2(Y2, Y3, Y4, Y5, Y6, Y7, Y8)
	VMULPS TAB8(A_LN2D16), Y10, Y10
	VFMADD231PS Y10, Y8, Y8
	VADDPS TAB8(A_TWO), Y8, Y3
	VDIVPS Y3, Y8, Y3
	VMULPS Y3, Y3, Y4
	VMOVUPS TAB8(A_Q3), Y5
	VFMADD213PS TAB8(A_Q2), Y4, Y5
	VFMADD213PS TAB8(A_Q1), Y4, Y5
	VFMADD213PS TAB8(A_Q0), Y4, Y5
	VMULPS Y4, Y5, Y5
	VADDPS Y3, Y3, Y3
	VFMADD213PS Y3, Y3, Y5
	VXORPS Y6, Y6, Y6
	VMAXPS Y6, Y0, Y7
	VADDPS Y5, Y7, Y7
	VMOVUPS Y7, (R12)
	VMULPS Y12, Y7, Y9
	VMOVUPS Y9, 64(R12)
	VMOVUPS Y12, 128(R12)
	VMULPS TAB8(A_L2E), Y7, Y9
	VMOVUPS Y9, 448(R12)
	TESTQ $1, flags+96(FP)
	JZ qnext
	VMOVUPS TAB8(A_ONE), Y4
	VADDPS Y4, Y8, Y3
	VDIVPS Y3, Y4, Y4
	VMULPS Y4, Y8, Y5
	VCMPPS $13, Y6, Y0, Y3
	VBLENDVPS Y3, Y4, Y5, Y5
	VMOVUPS Y5, 192(R12)

qnext:
	ADDQ $4, SI
	ADDQ $512, R12
	DECQ CX
	JNZ qloop

qdone:
	VZEROUPPER
	RET

// func prefetch16(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int)
// Asks for the data of a chunk that is about to be prepped into L2: each
// step's x_dbl record (up to 256 bytes) and its 64-byte token vectors in
// x, dy and out (ts and rs in floats). Issued one chunk ahead, while the
// state kernel of the current chunk runs, so that prep rarely waits for
// memory on the scattered pixels of a direction.
TEXT ·prefetch16(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE fdone
	MOVQ idx+8(FP), SI
	MOVQ rec+16(FP), R8
	MOVQ rs+24(FP), R9
	SHLQ $2, R9
	MOVQ x+32(FP), R10
	MOVQ dy+40(FP), R11
	MOVQ out+48(FP), R12
	MOVQ ts+56(FP), R13
	SHLQ $2, R13

floop:
	MOVLQSX (SI), AX
	MOVQ AX, BX
	IMULQ R9, AX
	PREFETCHT1 (R8)(AX*1)
	PREFETCHT1 64(R8)(AX*1)
	PREFETCHT1 128(R8)(AX*1)
	PREFETCHT1 192(R8)(AX*1)
	IMULQ R13, BX
	PREFETCHT1 (R10)(BX*1)
	PREFETCHT1 (R11)(BX*1)
	PREFETCHT1 (R12)(BX*1)
	ADDQ $4, SI
	DECQ CX
	JNZ floop

fdone:
	RET
