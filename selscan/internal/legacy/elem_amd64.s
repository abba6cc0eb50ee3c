//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// Element-wise passes over one row, 8 lanes at a time (n is a multiple of
// 8; the Go wrappers finish the tail), and the exp test hooks. The AVX-512
// level uses them for the tails of its own softplus/dsoftplus (see
// elem_avx512_amd64.s) and for finish, which is too cheap to matter.

// LOG1P8 sets r = log1p(z) given w = 1 + z (rounded), clobbering e, m, k
// and f: w = 2^e·m with m in [√½, √2), Cephes' logf polynomial in f = m−1,
// plus the correction (z − (w−1))/w for the rounding of 1 + z.
#define LOG1P8(z, w, e, m, k, f, r) \
	VPSRLD $23, w, e; \
	VPSUBD TAB(K_BIAS), e, e; \
	VANDPS TAB(K_MANT), w, m; \
	VORPS TAB(K_ONE), m, m; \
	VCMPPS $0x1E, TAB(K_SQRT2), m, k; \
	VMULPS TAB(K_HALF), m, f; \
	VANDPS k, f, f; \
	VSUBPS f, m, m; \
	VPSUBD k, e, e; \
	VCVTDQ2PS e, e; \
	VSUBPS TAB(K_ONE), m, f; \
	VMULPS f, f, k; \
	VMOVUPS TAB(K_L0), r; \
	VFMADD213PS TAB(K_L1), f, r; \
	VFMADD213PS TAB(K_L2), f, r; \
	VFMADD213PS TAB(K_L3), f, r; \
	VFMADD213PS TAB(K_L4), f, r; \
	VFMADD213PS TAB(K_L5), f, r; \
	VFMADD213PS TAB(K_L6), f, r; \
	VFMADD213PS TAB(K_L7), f, r; \
	VFMADD213PS TAB(K_L8), f, r; \
	VMULPS f, r, r; \
	VMULPS k, r, r; \
	VFMADD231PS TAB(K_LN2LO), e, r; \
	VFNMADD231PS TAB(K_HALF), k, r; \
	VADDPS f, r, r; \
	VFMADD231PS TAB(K_LN2HI), e, r; \
	VSUBPS TAB(K_ONE), w, m; \
	VSUBPS m, z, m; \
	VDIVPS w, m, m; \
	VADDPS m, r, r

// func softplus8AVX2(n int, x *float32, bias float32, out *float32)
TEXT ·softplus8AVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS bias+16(FP), Y13
	MOVQ out+24(FP), DI
	VBROADCASTSS TAB(K_TWENTY), Y11
	VBROADCASTSS TAB(K_MAX), Y12
	VBROADCASTSS TAB(K_LO88), Y14
	SHRQ $3, CX
	JZ sdone

sloop:
	VADDPS (SI), Y13, Y0
	VMINPS Y0, Y11, Y1
	EXP256(Y1, Y2, Y3, Y4, Y14, Y12)
	VADDPS TAB(K_ONE), Y4, Y5
	LOG1P8(Y4, Y5, Y6, Y7, Y8, Y9, Y10)
	VCMPPS $0x1E, Y11, Y0, Y1
	VBLENDVPS Y1, Y0, Y10, Y10
	VMOVUPS Y10, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ sloop

sdone:
	VZEROUPPER
	RET

// func dsoftplus8AVX2(n int, x *float32, bias float32, delta, grad *float32) float32
// grad[i] *= exp(x[i] + bias − delta[i]) (see dsoftplus16AVX512); returns Σ grad.
TEXT ·dsoftplus8AVX2(SB), NOSPLIT, $0-44
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS bias+16(FP), Y13
	MOVQ delta+24(FP), R8
	MOVQ grad+32(FP), DI
	VBROADCASTSS TAB(K_MAX), Y12
	VBROADCASTSS TAB(K_LO88), Y14
	VXORPS Y10, Y10, Y10
	SHRQ $3, CX
	JZ ddone

dloop:
	VADDPS (SI), Y13, Y1
	VSUBPS (R8), Y1, Y1
	EXP256(Y1, Y2, Y3, Y4, Y14, Y12)
	VMULPS (DI), Y4, Y4
	VMOVUPS Y4, (DI)
	VADDPS Y4, Y10, Y10
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, DI
	DECQ CX
	JNZ dloop

ddone:
	VEXTRACTF128 $1, Y10, X11
	VADDPS X11, X10, X10
	VPERMILPS $0x4E, X10, X11
	VADDPS X11, X10, X10
	VMOVSHDUP X10, X11
	VADDSS X11, X10, X10
	VMOVSS X10, ret+40(FP)
	VZEROUPPER
	RET

// func finish8AVX2(n int, delta, u, dy *float32, dskip float32, s1, s2 *float32) float32
// Turns the scan's per-step sums into gradients: s2 ← s2 + u·s1 (∂/∂δ),
// s1 ← δ·s1 + Dskip·dy (∂/∂u); returns Σ dy·u (∂/∂Dskip).
TEXT ·finish8AVX2(SB), NOSPLIT, $0-60
	MOVQ n+0(FP), CX
	MOVQ delta+8(FP), SI
	MOVQ u+16(FP), DX
	MOVQ dy+24(FP), R8
	VBROADCASTSS dskip+32(FP), Y15
	MOVQ s1+40(FP), DI
	MOVQ s2+48(FP), AX
	VXORPS Y14, Y14, Y14
	SHRQ $3, CX
	JZ odone

oloop:
	VMOVUPS (DI), Y0
	VMOVUPS (DX), Y1
	VMOVUPS (R8), Y2
	VMOVUPS (AX), Y3
	VFMADD231PS Y1, Y0, Y3
	VMOVUPS Y3, (AX)
	VMULPS (SI), Y0, Y0
	VFMADD231PS Y2, Y15, Y0
	VMOVUPS Y0, (DI)
	VFMADD231PS Y2, Y1, Y14
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, DI
	ADDQ $32, AX
	DECQ CX
	JNZ oloop

odone:
	VEXTRACTF128 $1, Y14, X1
	VADDPS X1, X14, X0
	VPERMILPS $0x4E, X0, X1
	VADDPS X1, X0, X0
	VMOVSHDUP X0, X1
	VADDSS X1, X0, X0
	VMOVSS X0, ret+56(FP)
	VZEROUPPER
	RET

// func exp8AVX2(n int, src, dst *float32)
TEXT ·exp8AVX2(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	VBROADCASTSS TAB(K_MAX), Y12
	VBROADCASTSS TAB(K_LO88), Y14
	SHRQ $3, CX
	JZ edone

eloop:
	VMOVUPS (SI), Y1
	EXP256(Y1, Y2, Y3, Y4, Y14, Y12)
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ eloop

edone:
	VZEROUPPER
	RET

// func exp16AVX512(n int, src, dst *float32)
// Blocks of 64 go through EXP512X4 and the rest through EXP512, so the test
// covers both forms the scans use.
TEXT ·exp16AVX512(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	LOADEXP512
	SHRQ $4, CX
	CMPQ CX, $4
	JLT xtail

xloop4:
	VMOVUPS 0(SI), Z2
	VMOVUPS 64(SI), Z3
	VMOVUPS 128(SI), Z4
	VMOVUPS 192(SI), Z5
	EXP512X4(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13)
	VMOVUPS Z10, 0(DI)
	VMOVUPS Z11, 64(DI)
	VMOVUPS Z12, 128(DI)
	VMOVUPS Z13, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $4, CX
	CMPQ CX, $4
	JGE xloop4

xtail:
	TESTQ CX, CX
	JZ xdone

xloop:
	VMOVUPS (SI), Z1
	EXP512(Z1, Z2, Z3)
	VMOVUPS Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ xloop

xdone:
	VZEROUPPER
	RET
