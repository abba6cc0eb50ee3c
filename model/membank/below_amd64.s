//go:build amd64 && !purego

#include "textflag.h"

// func belowAVX512(t, sq *float32, n int, thr float32) int
//
// The least j < n with t[j] + sq[j] < thr (an ordered compare: NaN never
// is), or n; n is a multiple of 16.
TEXT ·belowAVX512(SB), NOSPLIT, $0-40
	MOVQ    t+0(FP), SI
	MOVQ    sq+8(FP), DI
	MOVQ    n+16(FP), CX
	MOVSS   thr+24(FP), X2
	VBROADCASTSS X2, Z2
	XORQ    AX, AX
	CMPQ    AX, CX
	JGE     none

loop:
	VMOVUPS (SI)(AX*4), Z0
	VADDPS  (DI)(AX*4), Z0, Z0
	VCMPPS  $0x11, Z2, Z0, K1
	KORTESTW K1, K1
	JNZ     found
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     loop

none:
	MOVQ    CX, ret+32(FP)
	VZEROUPPER
	RET

found:
	KMOVW   K1, DX
	BSFL    DX, DX
	ADDQ    DX, AX
	MOVQ    AX, ret+32(FP)
	VZEROUPPER
	RET
