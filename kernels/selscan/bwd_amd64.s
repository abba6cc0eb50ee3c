//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// RSTATE is one state of a recompute step: dA = 2^((δ·log2 e)·A_n) and
// P = dA·h_{j−1} go to dAP (offsets o, o2), h = P + (δu)·B_n, and
// accC_n += g·h (offset ac).
#define RSTATE(a, b, o, o2, ac, h) \
	VMULPS a(BX), Z17, Z25; \
	EXP2512(Z25, Z26, Z28, Z27); \
	VMOVUPS Z27, o(R14); \
	VMULPS Z27, h, h; \
	VMOVUPS h, o2(R14); \
	VFMADD231PS.BCST b(R12), Z18, h; \
	VMOVUPS ac(R11), Z22; \
	VFMADD231PS h, Z16, Z22; \
	VMOVUPS Z22, ac(R11)

// func rec16AVX512(n int, a, pre, h, dAP, accC *float32, es int)
// Recomputes a chunk's states from h = h_{−1}, storing per step and state
// exp(δA) and exp(δA)·h_{j−1} for the reverse pass (2048 bytes per step),
// and adds g·h_j into the C part of the lane partials (accC, es bytes per
// step). h is left at the last state.
TEXT ·rec16AVX512(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE rdone
	MOVQ a+8(FP), BX
	MOVQ pre+16(FP), R12
	MOVQ h+24(FP), AX
	MOVQ dAP+32(FP), R14
	MOVQ accC+40(FP), R11
	MOVQ es+48(FP), DI
	LOADEXP512
	LOADH

rloop:
	VMOVUPS 256(R12), Z16
	VMOVUPS 448(R12), Z17
	VMOVUPS 64(R12), Z18
	RSTATE(0, 320, 0, 64, 0, Z0)
	RSTATE(64, 324, 128, 192, 64, Z1)
	RSTATE(128, 328, 256, 320, 128, Z2)
	RSTATE(192, 332, 384, 448, 192, Z3)
	RSTATE(256, 336, 512, 576, 256, Z4)
	RSTATE(320, 340, 640, 704, 320, Z5)
	RSTATE(384, 344, 768, 832, 384, Z6)
	RSTATE(448, 348, 896, 960, 448, Z7)
	RSTATE(512, 352, 1024, 1088, 512, Z8)
	RSTATE(576, 356, 1152, 1216, 576, Z9)
	RSTATE(640, 360, 1280, 1344, 640, Z10)
	RSTATE(704, 364, 1408, 1472, 704, Z11)
	RSTATE(768, 368, 1536, 1600, 768, Z12)
	RSTATE(832, 372, 1664, 1728, 832, Z13)
	RSTATE(896, 376, 1792, 1856, 896, Z14)
	RSTATE(960, 380, 1920, 1984, 960, Z15)
	ADDQ $512, R12
	ADDQ $2048, R14
	ADDQ DI, R11
	DECQ CX
	JNZ rloop
	STOREH

rdone:
	VZEROUPPER
	RET

// VSTATE is one state of a reverse step (dh_n in h, carried in as
// exp(δ_{j+1}A)·dh_{j+1}): dh = C_n·g + carry, accB_n += dh·δu (offset ab),
// s1 += dh·B_n, q = dh·P, s2 += q·A_n, accA_n += q·δ (offset a, as A),
// carry = dh·dA.
#define VSTATE(a, b, c, o, o2, ab, h) \
	VFMADD231PS.BCST c(R12), Z16, h; \
	VMOVUPS ab(R14), Z22; \
	VFMADD231PS h, Z18, Z22; \
	VMOVUPS Z22, ab(R14); \
	VFMADD231PS.BCST b(R12), h, Z19; \
	VMULPS o2(R13), h, Z21; \
	VFMADD231PS a(BX), Z21, Z20; \
	VMOVUPS a(DI), Z23; \
	VFMADD231PS Z21, Z17, Z23; \
	VMOVUPS Z23, a(DI); \
	VMULPS o(R13), h, h

// func rev16AVX512(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, dAP, accB *float32, es int, dh, accA, accD, accBias *float32)
// The reverse pass of a chunk, steps n−1 … 0. Per step, with s1 = Σ dh·B
// and s2 = Σ dh·exp(δA)·h_{j−1}·A: out[p] = δ·s1 + Dskip·g (stored or
// added), ∂/∂raw = (s2 + u·s1)·σ replaces σ in pre, accD += g·u and
// accBias += ∂/∂raw.
TEXT ·rev16AVX512(SB), NOSPLIT, $0-120
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE vdone
	MOVQ idx+8(FP), SI
	MOVQ out+16(FP), DX
	MOVQ ts+24(FP), R10
	SHLQ $2, R10
	MOVBLZX add+32(FP), R8
	MOVQ a+40(FP), BX
	MOVQ dskip+48(FP), AX
	VMOVUPS (AX), Z26
	MOVQ pre+56(FP), R12
	MOVQ dAP+64(FP), R13
	MOVQ accB+72(FP), R14
	MOVQ es+80(FP), R9
	MOVQ accA+96(FP), DI
	MOVQ accD+104(FP), AX
	VMOVUPS (AX), Z24
	MOVQ accBias+112(FP), AX
	VMOVUPS (AX), Z25

	// Point at the last step.
	MOVQ CX, AX
	DECQ AX
	LEAQ (SI)(AX*4), SI
	MOVQ AX, R11
	SHLQ $9, R11
	ADDQ R11, R12
	MOVQ AX, R11
	SHLQ $11, R11
	ADDQ R11, R13
	MOVQ R9, R11
	IMULQ AX, R11
	ADDQ R11, R14
	MOVQ dh+88(FP), AX
	LOADH

vloop:
	VMOVUPS 256(R12), Z16
	VMOVUPS (R12), Z17
	VMOVUPS 64(R12), Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VSTATE(0, 320, 384, 0, 64, 0, Z0)
	VSTATE(64, 324, 388, 128, 192, 64, Z1)
	VSTATE(128, 328, 392, 256, 320, 128, Z2)
	VSTATE(192, 332, 396, 384, 448, 192, Z3)
	VSTATE(256, 336, 400, 512, 576, 256, Z4)
	VSTATE(320, 340, 404, 640, 704, 320, Z5)
	VSTATE(384, 344, 408, 768, 832, 384, Z6)
	VSTATE(448, 348, 412, 896, 960, 448, Z7)
	VSTATE(512, 352, 416, 1024, 1088, 512, Z8)
	VSTATE(576, 356, 420, 1152, 1216, 576, Z9)
	VSTATE(640, 360, 424, 1280, 1344, 640, Z10)
	VSTATE(704, 364, 428, 1408, 1472, 704, Z11)
	VSTATE(768, 368, 432, 1536, 1600, 768, Z12)
	VSTATE(832, 372, 436, 1664, 1728, 832, Z13)
	VSTATE(896, 376, 440, 1792, 1856, 896, Z14)
	VSTATE(960, 380, 444, 1920, 1984, 960, Z15)
	VMOVUPS 128(R12), Z27
	VMULPS Z19, Z17, Z28
	VFMADD231PS Z26, Z16, Z28
	MOVLQSX (SI), R11
	IMULQ R10, R11
	ADDQ DX, R11
	TESTQ R8, R8
	JZ vstore
	VADDPS (R11), Z28, Z28

vstore:
	VMOVUPS Z28, (R11)
	VFMADD231PS Z27, Z19, Z20
	VMULPS 192(R12), Z20, Z20
	VMOVUPS Z20, 192(R12)
	VFMADD231PS Z27, Z16, Z24
	VADDPS Z20, Z25, Z25
	SUBQ $4, SI
	SUBQ $512, R12
	SUBQ $2048, R13
	SUBQ R9, R14
	DECQ CX
	JNZ vloop

	MOVQ dh+88(FP), AX
	STOREH
	MOVQ accD+104(FP), AX
	VMOVUPS Z24, (AX)
	MOVQ accBias+112(FP), AX
	VMOVUPS Z25, (AX)

vdone:
	VZEROUPPER
	RET

// func wgrad16AVX512(n int, idx *int32, rec *float32, rs int, r int, pre, dtwr, accDt *float32, as int, accW *float32)
// First, per step, the dt_low part of the lane partials (accDt, as bytes
// per step) gets DtWᵀ·∂raw: each of the 16 channel rows of dtwr (R floats,
// read a whole vector at a time: lanes past R collect harmless sums of
// neighbouring rows, never stored) times that channel's ∂raw, broadcast.
// Then accW[r] += ∂raw·dt_low[r], eight r at a time held in registers
// across the chunk's steps.
TEXT ·wgrad16AVX512(SB), NOSPLIT, $0-80
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE wdone
	MOVQ r+32(FP), R10
	MOVQ R10, R9
	SHLQ $2, R9
	MOVQ pre+40(FP), R12
	MOVQ accDt+56(FP), R14
	MOVQ as+64(FP), R11

wstep:
	MOVQ dtwr+48(FP), BX
	MOVQ R14, DI
	MOVQ R10, DX

wvec:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ BX, R8
	XORQ AX, AX

wrow:
	VMOVUPS (R8), Z2
	VFMADD231PS.BCST 192(R12)(AX*4), Z2, Z0
	VMOVUPS (R8)(R9*1), Z3
	VFMADD231PS.BCST 196(R12)(AX*4), Z3, Z1
	LEAQ (R8)(R9*2), R8
	ADDQ $2, AX
	CMPQ AX, $16
	JLT wrow
	VADDPS Z1, Z0, Z0
	VADDPS (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, BX
	ADDQ $64, DI
	SUBQ $16, DX
	JGT wvec
	ADDQ $512, R12
	ADDQ R11, R14
	DECQ CX
	JNZ wstep

	// accW, eight r at a time, then one at a time.
	MOVQ accW+72(FP), DI
	MOVQ rec+16(FP), R8
	MOVQ rs+24(FP), R9
	SHLQ $2, R9
	XORQ BX, BX

wblock:
	MOVQ R10, AX
	SUBQ BX, AX
	CMPQ AX, $8
	JLT wsingle
	VMOVUPS 0(DI), Z8
	VMOVUPS 64(DI), Z9
	VMOVUPS 128(DI), Z10
	VMOVUPS 192(DI), Z11
	VMOVUPS 256(DI), Z12
	VMOVUPS 320(DI), Z13
	VMOVUPS 384(DI), Z14
	VMOVUPS 448(DI), Z15
	MOVQ n+0(FP), CX
	MOVQ idx+8(FP), SI
	MOVQ pre+40(FP), R12

wb8:
	MOVLQSX (SI), R11
	IMULQ R9, R11
	ADDQ R8, R11
	VMOVUPS 192(R12), Z0
	VFMADD231PS.BCST 0(R11)(BX*4), Z0, Z8
	VFMADD231PS.BCST 4(R11)(BX*4), Z0, Z9
	VFMADD231PS.BCST 8(R11)(BX*4), Z0, Z10
	VFMADD231PS.BCST 12(R11)(BX*4), Z0, Z11
	VFMADD231PS.BCST 16(R11)(BX*4), Z0, Z12
	VFMADD231PS.BCST 20(R11)(BX*4), Z0, Z13
	VFMADD231PS.BCST 24(R11)(BX*4), Z0, Z14
	VFMADD231PS.BCST 28(R11)(BX*4), Z0, Z15
	ADDQ $4, SI
	ADDQ $512, R12
	DECQ CX
	JNZ wb8
	VMOVUPS Z8, 0(DI)
	VMOVUPS Z9, 64(DI)
	VMOVUPS Z10, 128(DI)
	VMOVUPS Z11, 192(DI)
	VMOVUPS Z12, 256(DI)
	VMOVUPS Z13, 320(DI)
	VMOVUPS Z14, 384(DI)
	VMOVUPS Z15, 448(DI)
	ADDQ $512, DI
	ADDQ $8, BX
	JMP wblock

wsingle:
	CMPQ BX, R10
	JGE wdone
	VMOVUPS (DI), Z8
	MOVQ n+0(FP), CX
	MOVQ idx+8(FP), SI
	MOVQ pre+40(FP), R12

wb1:
	MOVLQSX (SI), R11
	IMULQ R9, R11
	ADDQ R8, R11
	VMOVUPS 192(R12), Z0
	VFMADD231PS.BCST (R11)(BX*4), Z0, Z8
	ADDQ $4, SI
	ADDQ $512, R12
	DECQ CX
	JNZ wb1
	VMOVUPS Z8, (DI)
	ADDQ $64, DI
	INCQ BX
	JMP wsingle

wdone:
	VZEROUPPER
	RET

// TREE16 leaves in Z16 the 16 lane sums of the vectors whose slots are
// Z0..Z15, slot s holding vector 4·(s mod 4) + s/4 so that sum i lands
// in lane i. Each level adds pairs of vectors after moving matching
// halves, quarters, pairs and single lanes together (3 ops per pair, 45
// in all).
#define PAIR4(imm1, imm2, b, a, d) \
	VSHUFF32X4 imm1, b, a, Z28; \
	VSHUFF32X4 imm2, b, a, Z29; \
	VADDPS Z29, Z28, d

#define PAIRPS(imm1, imm2, b, a, d) \
	VSHUFPS imm1, b, a, Z28; \
	VSHUFPS imm2, b, a, Z29; \
	VADDPS Z29, Z28, d

#define TREE16 \
	PAIR4($0x44, $0xEE, Z1, Z0, Z16); \
	PAIR4($0x44, $0xEE, Z3, Z2, Z17); \
	PAIR4($0x44, $0xEE, Z5, Z4, Z18); \
	PAIR4($0x44, $0xEE, Z7, Z6, Z19); \
	PAIR4($0x44, $0xEE, Z9, Z8, Z20); \
	PAIR4($0x44, $0xEE, Z11, Z10, Z21); \
	PAIR4($0x44, $0xEE, Z13, Z12, Z22); \
	PAIR4($0x44, $0xEE, Z15, Z14, Z23); \
	PAIR4($0x88, $0xDD, Z17, Z16, Z0); \
	PAIR4($0x88, $0xDD, Z19, Z18, Z1); \
	PAIR4($0x88, $0xDD, Z21, Z20, Z2); \
	PAIR4($0x88, $0xDD, Z23, Z22, Z3); \
	PAIRPS($0x44, $0xEE, Z1, Z0, Z16); \
	PAIRPS($0x44, $0xEE, Z3, Z2, Z17); \
	PAIRPS($0x88, $0xDD, Z17, Z16, Z16)

// REDUCE16 reduces the 16 vectors at (R8) (1024 bytes) into Z16.
#define REDUCE16 \
	VMOVUPS 0(R8), Z0; VMOVUPS 256(R8), Z1; VMOVUPS 512(R8), Z2; VMOVUPS 768(R8), Z3; \
	VMOVUPS 64(R8), Z4; VMOVUPS 320(R8), Z5; VMOVUPS 576(R8), Z6; VMOVUPS 832(R8), Z7; \
	VMOVUPS 128(R8), Z8; VMOVUPS 384(R8), Z9; VMOVUPS 640(R8), Z10; VMOVUPS 896(R8), Z11; \
	VMOVUPS 192(R8), Z12; VMOVUPS 448(R8), Z13; VMOVUPS 704(R8), Z14; VMOVUPS 960(R8), Z15; \
	TREE16

// func reduce16AVX512(n, r int, acc *float32, as int, idx *int32, dst *float32, rs int)
// For N = 16: per step (as bytes of acc), the lane partials of B and C are
// reduced and, with dt_low (already summed, r floats), stored as the
// record [dt_low | B | C] at dst[idx[j]·rs]; the last dt_low vector
// stores only its r mod 16 lanes (all 16 if 0).
TEXT ·reduce16AVX512(SB), NOSPLIT, $0-56
	MOVQ r+8(FP), BX
	MOVQ BX, CX
	ANDQ $15, CX
	MOVQ $0xffff, R10
	JZ emask
	MOVQ $1, R10
	SHLQ CX, R10
	DECQ R10

emask:
	KMOVW R10, K1
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE edone
	MOVQ acc+16(FP), R8
	MOVQ idx+32(FP), SI
	MOVQ dst+40(FP), DX
	MOVQ rs+48(FP), R9
	SHLQ $2, R9

eloop:
	MOVLQSX (SI), R11
	IMULQ R9, R11
	ADDQ DX, R11
	MOVQ R8, R12
	REDUCE16
	VMOVUPS Z16, (R11)(BX*4)
	ADDQ $1024, R8
	REDUCE16
	VMOVUPS Z16, 64(R11)(BX*4)
	ADDQ $1024, R8
	MOVQ BX, R10

edt:
	VMOVUPS (R8), Z0
	ADDQ $64, R8
	CMPQ R10, $16
	JLE elast
	VMOVUPS Z0, (R11)
	ADDQ $64, R11
	SUBQ $16, R10
	JMP edt

elast:
	VMOVUPS Z0, K1, (R11)
	MOVQ R12, R8
	ADDQ as+24(FP), R8
	ADDQ $4, SI
	DECQ CX
	JNZ eloop

edone:
	VZEROUPPER
	RET

// AVX2 kernels: the same passes as the AVX-512 ones for one half (8
// lanes) of a 16-channel group; the Go wrappers call them twice with
// every per-lane pointer moved by 8 floats. With only 16 ymm registers
// the states (and dh) live in their (N, 16) arrays in L1 instead of in
// registers.
// RSTATE8 is RSTATE for 8 lanes with h_n in memory (offset o of AX).
#define RSTATE8(a, b, e, e2, ac, o) \
	VMULPS a(BX), Y0, Y3; \
	EXP2AVX2(Y3, Y4, Y5, Y6, Y7, Y8, Y9); \
	VMOVUPS Y9, e(R14); \
	VMOVUPS o(AX), Y11; \
	VMULPS Y9, Y11, Y11; \
	VMOVUPS Y11, e2(R14); \
	VBROADCASTSS b(R13), Y10; \
	VFMADD231PS Y10, Y1, Y11; \
	VMOVUPS Y11, o(AX); \
	VMOVUPS ac(R11), Y12; \
	VFMADD231PS Y11, Y13, Y12; \
	VMOVUPS Y12, ac(R11)

// func rec8AVX2(n int, a, pre, pre0, h, dAP, accC *float32, es int)
// rec16AVX512 for 8 lanes (pre and pre0 as in fwd8AVX2).
TEXT ·rec8AVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE sdone
	MOVQ a+8(FP), BX
	MOVQ pre+16(FP), R12
	MOVQ pre0+24(FP), R13
	MOVQ h+32(FP), AX
	MOVQ dAP+40(FP), R14
	MOVQ accC+48(FP), R11
	MOVQ es+56(FP), DI

sloop:
	VMOVUPS 256(R12), Y13
	VMOVUPS 448(R12), Y0
	VMULPS TAB8(A_SIXTEEN), Y0, Y0
	VMOVUPS 64(R12), Y1
	RSTATE8(0, 320, 0, 64, 0, 0)
	RSTATE8(64, 324, 128, 192, 64, 64)
	RSTATE8(128, 328, 256, 320, 128, 128)
	RSTATE8(192, 332, 384, 448, 192, 192)
	RSTATE8(256, 336, 512, 576, 256, 256)
	RSTATE8(320, 340, 640, 704, 320, 320)
	RSTATE8(384, 344, 768, 832, 384, 384)
	RSTATE8(448, 348, 896, 960, 448, 448)
	RSTATE8(512, 352, 1024, 1088, 512, 512)
	RSTATE8(576, 356, 1152, 1216, 576, 576)
	RSTATE8(640, 360, 1280, 1344, 640, 640)
	RSTATE8(704, 364, 1408, 1472, 704, 704)
	RSTATE8(768, 368, 1536, 1600, 768, 768)
	RSTATE8(832, 372, 1664, 1728, 832, 832)
	RSTATE8(896, 376, 1792, 1856, 896, 896)
	RSTATE8(960, 380, 1920, 1984, 960, 960)
	ADDQ $512, R12
	ADDQ $512, R13
	ADDQ $2048, R14
	ADDQ DI, R11
	DECQ CX
	JNZ sloop

sdone:
	VZEROUPPER
	RET

// VSTATE8 is VSTATE for 8 lanes with dh_n in memory (offset o of AX).
#define VSTATE8(a, b, c, e, e2, ab, o) \
	VMOVUPS o(AX), Y4; \
	VBROADCASTSS c(R9), Y5; \
	VFMADD231PS Y5, Y13, Y4; \
	VMOVUPS ab(R14), Y6; \
	VFMADD231PS Y4, Y15, Y6; \
	VMOVUPS Y6, ab(R14); \
	VBROADCASTSS b(R9), Y5; \
	VFMADD231PS Y5, Y4, Y2; \
	VMULPS e2(R13), Y4, Y7; \
	VFMADD231PS a(BX), Y7, Y3; \
	VMOVUPS a(DI), Y8; \
	VFMADD231PS Y7, Y14, Y8; \
	VMOVUPS Y8, a(DI); \
	VMULPS e(R13), Y4, Y4; \
	VMOVUPS Y4, o(AX)

// func rev8AVX2(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, pre0, dAP, accB *float32, es int, dh, accA, accD, accBias *float32)
// rev16AVX512 for 8 lanes (pre and pre0 as in fwd8AVX2).
TEXT ·rev8AVX2(SB), NOSPLIT, $0-128
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE tdone
	MOVQ idx+8(FP), SI
	MOVQ out+16(FP), DX
	MOVQ ts+24(FP), R10
	SHLQ $2, R10
	MOVBLZX add+32(FP), R8
	MOVQ a+40(FP), BX
	MOVQ dskip+48(FP), AX
	VMOVUPS (AX), Y12
	MOVQ pre+56(FP), R12
	MOVQ pre0+64(FP), R9
	MOVQ dAP+72(FP), R13
	MOVQ accB+80(FP), R14
	MOVQ accA+104(FP), DI
	MOVQ accD+112(FP), AX
	VMOVUPS (AX), Y0
	MOVQ accBias+120(FP), AX
	VMOVUPS (AX), Y1
	MOVQ CX, AX
	DECQ AX
	LEAQ (SI)(AX*4), SI
	MOVQ AX, R11
	SHLQ $9, R11
	ADDQ R11, R12
	ADDQ R11, R9
	MOVQ AX, R11
	SHLQ $11, R11
	ADDQ R11, R13
	MOVQ es+88(FP), R11
	IMULQ AX, R11
	ADDQ R11, R14
	MOVQ dh+96(FP), AX

tloop:
	VMOVUPS 256(R12), Y13
	VMOVUPS (R12), Y14
	VMOVUPS 64(R12), Y15
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VSTATE8(0, 320, 384, 0, 64, 0, 0)
	VSTATE8(64, 324, 388, 128, 192, 64, 64)
	VSTATE8(128, 328, 392, 256, 320, 128, 128)
	VSTATE8(192, 332, 396, 384, 448, 192, 192)
	VSTATE8(256, 336, 400, 512, 576, 256, 256)
	VSTATE8(320, 340, 404, 640, 704, 320, 320)
	VSTATE8(384, 344, 408, 768, 832, 384, 384)
	VSTATE8(448, 348, 412, 896, 960, 448, 448)
	VSTATE8(512, 352, 416, 1024, 1088, 512, 512)
	VSTATE8(576, 356, 420, 1152, 1216, 576, 576)
	VSTATE8(640, 360, 424, 1280, 1344, 640, 640)
	VSTATE8(704, 364, 428, 1408, 1472, 704, 704)
	VSTATE8(768, 368, 432, 1536, 1600, 768, 768)
	VSTATE8(832, 372, 436, 1664, 1728, 832, 832)
	VSTATE8(896, 376, 440, 1792, 1856, 896, 896)
	VSTATE8(960, 380, 444, 1920, 1984, 960, 960)
	VMOVUPS 128(R12), Y9
	VMULPS Y2, Y14, Y10
	VFMADD231PS Y12, Y13, Y10
	MOVLQSX (SI), R11
	IMULQ R10, R11
	ADDQ DX, R11
	TESTQ R8, R8
	JZ tstore
	VADDPS (R11), Y10, Y10

tstore:
	VMOVUPS Y10, (R11)
	VFMADD231PS Y9, Y2, Y3
	VMULPS 192(R12), Y3, Y3
	VMOVUPS Y3, 192(R12)
	VFMADD231PS Y9, Y13, Y0
	VADDPS Y3, Y1, Y1
	SUBQ $4, SI
	SUBQ $512, R12
	SUBQ $512, R9
	SUBQ $2048, R13
	SUBQ es+88(FP), R14
	DECQ CX
	JNZ tloop
	MOVQ accD+112(FP), AX
	VMOVUPS Y0, (AX)
	MOVQ accBias+120(FP), AX
	VMOVUPS Y1, (AX)

tdone:
	VZEROUPPER
	RET

// func wgrad8AVX2(n int, idx *int32, rec *float32, rs int, r int, pre, dtwr, accDt *float32, as int, accW *float32)
// wgrad16AVX512 for 8 lanes: dtwr points at the half's 8 rows, and the
// rows are read 8 floats at a time.
TEXT ·wgrad8AVX2(SB), NOSPLIT, $0-80
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE udone
	MOVQ r+32(FP), R10
	MOVQ R10, R9
	SHLQ $2, R9
	MOVQ pre+40(FP), R12
	MOVQ accDt+56(FP), R14
	MOVQ as+64(FP), R11

ustep:
	MOVQ dtwr+48(FP), BX
	MOVQ R14, DI
	MOVQ R10, DX

uvec:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ BX, R8
	XORQ AX, AX

urow:
	VBROADCASTSS 192(R12)(AX*4), Y2
	VFMADD231PS (R8), Y2, Y0
	VBROADCASTSS 196(R12)(AX*4), Y3
	VFMADD231PS (R8)(R9*1), Y3, Y1
	LEAQ (R8)(R9*2), R8
	ADDQ $2, AX
	CMPQ AX, $8
	JLT urow
	VADDPS Y1, Y0, Y0
	VADDPS (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, BX
	ADDQ $32, DI
	SUBQ $8, DX
	JGT uvec
	ADDQ $512, R12
	ADDQ R11, R14
	DECQ CX
	JNZ ustep

	MOVQ accW+72(FP), DI
	MOVQ rec+16(FP), R8
	MOVQ rs+24(FP), R9
	SHLQ $2, R9
	XORQ BX, BX

ublock:
	MOVQ R10, AX
	SUBQ BX, AX
	CMPQ AX, $8
	JLT usingle
	VMOVUPS 0(DI), Y8
	VMOVUPS 64(DI), Y9
	VMOVUPS 128(DI), Y10
	VMOVUPS 192(DI), Y11
	VMOVUPS 256(DI), Y12
	VMOVUPS 320(DI), Y13
	VMOVUPS 384(DI), Y14
	VMOVUPS 448(DI), Y15
	MOVQ n+0(FP), CX
	MOVQ idx+8(FP), SI
	MOVQ pre+40(FP), R12

ub8:
	MOVLQSX (SI), R11
	IMULQ R9, R11
	ADDQ R8, R11
	VMOVUPS 192(R12), Y0
	VBROADCASTSS 0(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y8
	VBROADCASTSS 4(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y9
	VBROADCASTSS 8(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y10
	VBROADCASTSS 12(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y11
	VBROADCASTSS 16(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y12
	VBROADCASTSS 20(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y13
	VBROADCASTSS 24(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y14
	VBROADCASTSS 28(R11)(BX*4), Y1
	VFMADD231PS Y1, Y0, Y15
	ADDQ $4, SI
	ADDQ $512, R12
	DECQ CX
	JNZ ub8
	VMOVUPS Y8, 0(DI)
	VMOVUPS Y9, 64(DI)
	VMOVUPS Y10, 128(DI)
	VMOVUPS Y11, 192(DI)
	VMOVUPS Y12, 256(DI)
	VMOVUPS Y13, 320(DI)
	VMOVUPS Y14, 384(DI)
	VMOVUPS Y15, 448(DI)
	ADDQ $512, DI
	ADDQ $8, BX
	JMP ublock

usingle:
	CMPQ BX, R10
	JGE udone
	VMOVUPS (DI), Y8
	MOVQ n+0(FP), CX
	MOVQ idx+8(FP), SI
	MOVQ pre+40(FP), R12

ub1:
	MOVLQSX (SI), R11
	IMULQ R9, R11
	ADDQ R8, R11
	VBROADCASTSS (R11)(BX*4), Y1
	VFMADD231PS 192(R12), Y1, Y8
	ADDQ $4, SI
	ADDQ $512, R12
	DECQ CX
	JNZ ub1
	VMOVUPS Y8, (DI)
	ADDQ $64, DI
	INCQ BX
	JMP usingle

udone:
	VZEROUPPER
	RET

// TREE8 leaves in Y8 the sums of the 16 lanes of the 8 vectors at
// (R8) + 64·i: the halves are added, then a transpose-add tree (slot s
// holds vector [0,4,1,5,2,6,3,7][s] so that sum i lands in lane i).
#define TREE8 \
	VMOVUPS 0(R8), Y0; VADDPS 32(R8), Y0, Y0; \
	VMOVUPS 256(R8), Y1; VADDPS 288(R8), Y1, Y1; \
	VMOVUPS 64(R8), Y2; VADDPS 96(R8), Y2, Y2; \
	VMOVUPS 320(R8), Y3; VADDPS 352(R8), Y3, Y3; \
	VMOVUPS 128(R8), Y4; VADDPS 160(R8), Y4, Y4; \
	VMOVUPS 384(R8), Y5; VADDPS 416(R8), Y5, Y5; \
	VMOVUPS 192(R8), Y6; VADDPS 224(R8), Y6, Y6; \
	VMOVUPS 448(R8), Y7; VADDPS 480(R8), Y7, Y7; \
	VPERM2F128 $0x20, Y1, Y0, Y8; VPERM2F128 $0x31, Y1, Y0, Y9; VADDPS Y9, Y8, Y0; \
	VPERM2F128 $0x20, Y3, Y2, Y8; VPERM2F128 $0x31, Y3, Y2, Y9; VADDPS Y9, Y8, Y1; \
	VPERM2F128 $0x20, Y5, Y4, Y8; VPERM2F128 $0x31, Y5, Y4, Y9; VADDPS Y9, Y8, Y2; \
	VPERM2F128 $0x20, Y7, Y6, Y8; VPERM2F128 $0x31, Y7, Y6, Y9; VADDPS Y9, Y8, Y3; \
	VSHUFPS $0x44, Y1, Y0, Y8; VSHUFPS $0xEE, Y1, Y0, Y9; VADDPS Y9, Y8, Y0; \
	VSHUFPS $0x44, Y3, Y2, Y8; VSHUFPS $0xEE, Y3, Y2, Y9; VADDPS Y9, Y8, Y1; \
	VSHUFPS $0x88, Y1, Y0, Y8; VSHUFPS $0xDD, Y1, Y0, Y9; VADDPS Y9, Y8, Y8

// func reduce8AVX2(n, r int, acc *float32, as int, idx *int32, dst *float32, rs int)
// reduce16AVX512 with ymm: per step, B and C reduced 8 vectors at a time,
// then the r floats of dt_low copied, the last part under a VMASKMOVPS
// mask.
TEXT ·reduce8AVX2(SB), NOSPLIT, $0-56
	MOVQ r+8(FP), BX
	MOVQ BX, AX
	ANDQ $7, AX
	JNZ vmask
	MOVQ $8, AX

vmask:
	NEGQ AX
	LEAQ ·maskTab8+32(SB), R10
	VMOVUPS (R10)(AX*4), Y15
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE vdone
	MOVQ acc+16(FP), R12
	MOVQ idx+32(FP), SI
	MOVQ dst+40(FP), DX
	MOVQ rs+48(FP), R9
	SHLQ $2, R9

vloop:
	MOVLQSX (SI), R11
	IMULQ R9, R11
	ADDQ DX, R11
	MOVQ R12, R8
	TREE8
	VMOVUPS Y8, (R11)(BX*4)
	ADDQ $512, R8
	TREE8
	VMOVUPS Y8, 32(R11)(BX*4)
	ADDQ $512, R8
	TREE8
	VMOVUPS Y8, 64(R11)(BX*4)
	ADDQ $512, R8
	TREE8
	VMOVUPS Y8, 96(R11)(BX*4)
	ADDQ $512, R8
	MOVQ BX, R10

vdt:
	VMOVUPS (R8), Y0
	ADDQ $32, R8
	CMPQ R10, $8
	JLE vlast
	VMOVUPS Y0, (R11)
	ADDQ $32, R11
	SUBQ $8, R10
	JMP vdt

vlast:
	VMASKMOVPS Y0, Y15, (R11)
	ADDQ as+24(FP), R12
	ADDQ $4, SI
	DECQ CX
	JNZ vloop

vdone:
	VZEROUPPER
	RET

// maskTab8 is eight −1 then eight 0 (int32): the 8 words at
// maskTab8 + 4·(8 − k) select the first k lanes.
DATA ·maskTab8+0(SB)/8, $-1
DATA ·maskTab8+8(SB)/8, $-1
DATA ·maskTab8+16(SB)/8, $-1
DATA ·maskTab8+24(SB)/8, $-1
DATA ·maskTab8+32(SB)/8, $0
DATA ·maskTab8+40(SB)/8, $0
DATA ·maskTab8+48(SB)/8, $0
DATA ·maskTab8+56(SB)/8, $0
GLOBL ·maskTab8(SB), RODATA|NOPTR, $64
