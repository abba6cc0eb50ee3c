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

// AVX2 kernels: the same passes as the AVX-512 ones for one half (8
// lanes) of a 16-channel group; the Go wrappers call them twice with
// every per-lane pointer moved by 8 floats. With only 16 ymm registers
// the states (and dh) live in their (N, 16) arrays in L1 instead of in
// registers.

// FSTATE8 is FSTATE for 8 lanes with h_n in memory (offset o of DI).
#define FSTATE8(a, b, c, o) \
	VMULPS a(BX), Y0, Y3; \
	EXP2AVX2(Y3, Y4, Y5, Y6, Y7, Y8, Y9); \
	VBROADCASTSS b(R13), Y10; \
	VMULPS Y1, Y10, Y10; \
	VMOVUPS o(DI), Y11; \
	VFMADD213PS Y10, Y9, Y11; \
	VMOVUPS Y11, o(DI); \
	VBROADCASTSS c(R13), Y12; \
	VFMADD231PS Y12, Y11, Y2

// func fwd8AVX2(n int, idx *int32, out *float32, ts int, add bool, a, dskip, pre, pre0, h *float32)
// fwd16AVX512 for 8 lanes (EXP2AVX2 takes 16·δ·log2 e·A).
// pre points at the half's lanes, pre0 at the records themselves (for B
// and C, which are per step).
TEXT ·fwd8AVX2(SB), NOSPLIT, $0-80
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE gdone
	MOVQ idx+8(FP), SI
	MOVQ out+16(FP), DX
	MOVQ ts+24(FP), R10
	SHLQ $2, R10
	MOVBLZX add+32(FP), R11
	MOVQ a+40(FP), BX
	MOVQ dskip+48(FP), AX
	MOVQ pre+56(FP), R12
	MOVQ pre0+64(FP), R13
	MOVQ h+72(FP), DI

gloop:
	VMOVUPS 448(R12), Y0
	VMULPS TAB8(A_SIXTEEN), Y0, Y0
	VMOVUPS 64(R12), Y1
	VMOVUPS 128(R12), Y2
	VMULPS (AX), Y2, Y2
	FSTATE8(0, 320, 384, 0)
	FSTATE8(64, 324, 388, 64)
	FSTATE8(128, 328, 392, 128)
	FSTATE8(192, 332, 396, 192)
	FSTATE8(256, 336, 400, 256)
	FSTATE8(320, 340, 404, 320)
	FSTATE8(384, 344, 408, 384)
	FSTATE8(448, 348, 412, 448)
	FSTATE8(512, 352, 416, 512)
	FSTATE8(576, 356, 420, 576)
	FSTATE8(640, 360, 424, 640)
	FSTATE8(704, 364, 428, 704)
	FSTATE8(768, 368, 432, 768)
	FSTATE8(832, 372, 436, 832)
	FSTATE8(896, 376, 440, 896)
	FSTATE8(960, 380, 444, 960)
	MOVLQSX (SI), R14
	IMULQ R10, R14
	ADDQ DX, R14
	TESTQ R11, R11
	JZ gstore
	VADDPS (R14), Y2, Y2

gstore:
	VMOVUPS Y2, (R14)
	ADDQ $4, SI
	ADDQ $512, R12
	ADDQ $512, R13
	DECQ CX
	JNZ gloop

gdone:
	VZEROUPPER
	RET
