//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// AVX2 kernels: the same passes as the AVX-512 ones for one half (8
// lanes) of a 16-channel group; the Go wrappers call them twice with
// every per-lane pointer moved by 8 floats. With only 16 ymm registers
// the states (and dh) live in their (N, 16) arrays in L1 instead of in
// registers.
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
