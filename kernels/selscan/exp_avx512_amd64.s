//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// func exp2x16AVX512(n int, src, dst *float32)
// dst = 2^src by EXP2512, 16 at a time (n a multiple of 16): the tests'
// window on the kernels' exp.
TEXT ·exp2x16AVX512(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	LOADEXP512
	SHRQ $4, CX
	JZ xdone

xloop:
	VMOVUPS (SI), Z0
	EXP2512(Z0, Z1, Z2, Z3)
	VMOVUPS Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ xloop

xdone:
	VZEROUPPER
	RET
