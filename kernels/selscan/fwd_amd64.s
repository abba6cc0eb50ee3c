//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// Registers of the state loops: Z0..Z15 hold h_0..h_15 of the 16 lanes
// (forward, recompute) or the carried dh (reverse); Z19..Z21, Z30 and Z31
// the exp2 constants (LOADEXP512). Temporaries are reused by every state:
// register renaming lets the out-of-order core run the 16 independent exp
// chains of a step side by side. R12 walks the step records of pre (512
// bytes: δ, δu, u, σ, g, B, C, δ·log2 e; see chunk.pre), so B_n and C_n are
// broadcast from 320+4n and 384+4n.

// FSTATE is one state of a forward step: t = (δ·log2 e)·A_n, dA = 2^t,
// h = dA·h + (δu)·B_n, y += C_n·h. a is the byte offset of A_n, b and c
// those of B_n and C_n in the step record.
#define FSTATE(a, b, c, h) \
	VMULPS a(BX), Z16, Z25; \
	EXP2512(Z25, Z26, Z28, Z27); \
	VMULPS.BCST b(R12), Z17, Z22; \
	VFMADD213PS Z22, Z27, h; \
	VFMADD231PS.BCST c(R12), h, Z18

// func fwd16AVX512(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, h *float32)
// Per step, y = Dskip·u + Σ_n C_n·h_n is stored to (or, when add is set,
// added to) out[p].
TEXT ·fwd16AVX512(SB), NOSPLIT, $0-72
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE fdone
	MOVQ idx+8(FP), SI
	MOVQ out+16(FP), DX
	MOVQ ts+24(FP), R10
	SHLQ $2, R10
	MOVBLZX add+32(FP), R11
	MOVQ a+40(FP), BX
	MOVQ dskip+48(FP), AX
	VMOVUPS (AX), Z29
	MOVQ pre+56(FP), R12
	MOVQ h+64(FP), AX
	LOADEXP512
	LOADH

floop:
	MOVLQSX (SI), R14
	IMULQ R10, R14
	ADDQ DX, R14
	VMOVUPS 448(R12), Z16
	VMOVUPS 64(R12), Z17
	VMULPS 128(R12), Z29, Z18
	FSTATE(0, 320, 384, Z0)
	FSTATE(64, 324, 388, Z1)
	FSTATE(128, 328, 392, Z2)
	FSTATE(192, 332, 396, Z3)
	FSTATE(256, 336, 400, Z4)
	FSTATE(320, 340, 404, Z5)
	FSTATE(384, 344, 408, Z6)
	FSTATE(448, 348, 412, Z7)
	FSTATE(512, 352, 416, Z8)
	FSTATE(576, 356, 420, Z9)
	FSTATE(640, 360, 424, Z10)
	FSTATE(704, 364, 428, Z11)
	FSTATE(768, 368, 432, Z12)
	FSTATE(832, 372, 436, Z13)
	FSTATE(896, 376, 440, Z14)
	FSTATE(960, 380, 444, Z15)
	TESTQ R11, R11
	JZ fstore
	VADDPS (R14), Z18, Z18

fstore:
	VMOVUPS Z18, (R14)
	ADDQ $4, SI
	ADDQ $512, R12
	DECQ CX
	JNZ floop
	STOREH

fdone:
	VZEROUPPER
	RET
