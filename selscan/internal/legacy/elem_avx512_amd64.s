//go:build !purego

#include "textflag.h"
#include "vec_amd64.h"

// AVX-512 element-wise passes: 32 (softplus) or 64 (dsoftplus) elements
// per iteration in interleaved independent vectors, because each element
// is a long dependent chain (exp, then log). n is a multiple of the step;
// the Go wrappers finish the rest with the AVX2 versions.

// LPOLY2 advances the log polynomials r0, r1 by one Horner step.
#define LPOLY2(k, f0, f1, r0, r1) \
	VFMADD213PS.BCST TAB(k), f0, r0; VFMADD213PS.BCST TAB(k), f1, r1

// func softplus16AVX512(n int, x *float32, bias float32, out *float32)
// Registers per vector (a, b): x Z0/Z1, exp argument Z2/Z3, exponent
// Z4/Z5, z = e^x Z6/Z7, w = 1+z Z8/Z9, f Z10/Z11, log Z12/Z13, f² Z14/Z15.
TEXT ·softplus16AVX512(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS bias+16(FP), Z28
	MOVQ out+24(FP), DI
	LOADEXP512
	VBROADCASTSS TAB(K_TWENTY), Z29
	SHRQ $5, CX
	JZ sdone

sloop:
	VADDPS 0(SI), Z28, Z0
	VADDPS 64(SI), Z28, Z1
	VMINPS Z0, Z29, Z2
	VMINPS Z1, Z29, Z3
	EXP512X2(Z2, Z3, Z4, Z5, Z6, Z7)
	VADDPS Z25, Z6, Z8
	VADDPS Z25, Z7, Z9

	// w = 2^e·m with m in [√½, √2): getmant gives [1, 2), halve above √2.
	VGETMANTPS $0, Z8, Z10
	VGETMANTPS $0, Z9, Z11
	VGETEXPPS Z8, Z4
	VGETEXPPS Z9, Z5
	VCMPPS.BCST $0x1E, TAB(K_SQRT2), Z10, K3
	VCMPPS.BCST $0x1E, TAB(K_SQRT2), Z11, K4
	VMULPS.BCST TAB(K_HALF), Z10, K3, Z10
	VMULPS.BCST TAB(K_HALF), Z11, K4, Z11
	VADDPS Z25, Z4, K3, Z4
	VADDPS Z25, Z5, K4, Z5
	VSUBPS Z25, Z10, Z10
	VSUBPS Z25, Z11, Z11
	VMULPS Z10, Z10, Z14
	VMULPS Z11, Z11, Z15

	// Cephes logf: f + f³·P(f) − f²/2 + e·ln2 (ln2 in two parts).
	VBROADCASTSS TAB(K_L0), Z12
	VMOVAPS Z12, Z13
	LPOLY2(K_L1, Z10, Z11, Z12, Z13)
	LPOLY2(K_L2, Z10, Z11, Z12, Z13)
	LPOLY2(K_L3, Z10, Z11, Z12, Z13)
	LPOLY2(K_L4, Z10, Z11, Z12, Z13)
	LPOLY2(K_L5, Z10, Z11, Z12, Z13)
	LPOLY2(K_L6, Z10, Z11, Z12, Z13)
	LPOLY2(K_L7, Z10, Z11, Z12, Z13)
	LPOLY2(K_L8, Z10, Z11, Z12, Z13)
	VMULPS Z10, Z12, Z12
	VMULPS Z11, Z13, Z13
	VMULPS Z14, Z12, Z12
	VMULPS Z15, Z13, Z13
	VFMADD231PS Z18, Z4, Z12
	VFMADD231PS Z18, Z5, Z13
	VFNMADD231PS.BCST TAB(K_HALF), Z14, Z12
	VFNMADD231PS.BCST TAB(K_HALF), Z15, Z13
	VADDPS Z10, Z12, Z12
	VADDPS Z11, Z13, Z13
	VFMADD231PS Z17, Z4, Z12
	VFMADD231PS Z17, Z5, Z13

	// + (z − (w−1))/w, the part of z that 1 + z rounded away. When z is
	// small this is a large part of the result, so 1/w gets a Newton step
	// after VRCP14PS (2^−14 alone costs 6e−6 relative near x = −14).
	VSUBPS Z25, Z8, Z10
	VSUBPS Z25, Z9, Z11
	VSUBPS Z10, Z6, Z10
	VSUBPS Z11, Z7, Z11
	VRCP14PS Z8, Z14
	VRCP14PS Z9, Z15
	VMOVAPS Z25, Z2
	VMOVAPS Z25, Z3
	VFNMADD231PS Z14, Z8, Z2
	VFNMADD231PS Z15, Z9, Z3
	VFMADD231PS Z2, Z14, Z14
	VFMADD231PS Z3, Z15, Z15
	VFMADD231PS Z14, Z10, Z12
	VFMADD231PS Z15, Z11, Z13

	// Above the threshold softplus is x itself.
	VCMPPS $0x1E, Z29, Z0, K5
	VCMPPS $0x1E, Z29, Z1, K6
	VMOVAPS Z0, K5, Z12
	VMOVAPS Z1, K6, Z13
	VMOVUPS Z12, 0(DI)
	VMOVUPS Z13, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ CX
	JNZ sloop

sdone:
	VZEROUPPER
	RET

// func dsoftplus16AVX512(n int, x *float32, bias float32, delta, grad *float32) float32
// softplus'(x) = e^x/(1+e^x) = exp(x − softplus(x)) = exp(x − δ): one exp,
// no division, and exactly 1 above the threshold where δ = x.
TEXT ·dsoftplus16AVX512(SB), NOSPLIT, $0-44
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS bias+16(FP), Z15
	MOVQ delta+24(FP), R8
	MOVQ grad+32(FP), DI
	LOADEXP512
	VXORPS Z14, Z14, Z14
	SHRQ $6, CX
	JZ ddone

dloop:
	VADDPS 0(SI), Z15, Z2
	VADDPS 64(SI), Z15, Z3
	VADDPS 128(SI), Z15, Z4
	VADDPS 192(SI), Z15, Z5
	VSUBPS 0(R8), Z2, Z2
	VSUBPS 64(R8), Z3, Z3
	VSUBPS 128(R8), Z4, Z4
	VSUBPS 192(R8), Z5, Z5
	EXP512X4(Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13)
	VMULPS 0(DI), Z10, Z10
	VMULPS 64(DI), Z11, Z11
	VMULPS 128(DI), Z12, Z12
	VMULPS 192(DI), Z13, Z13
	VMOVUPS Z10, 0(DI)
	VMOVUPS Z11, 64(DI)
	VMOVUPS Z12, 128(DI)
	VMOVUPS Z13, 192(DI)
	VADDPS Z10, Z14, Z14
	VADDPS Z11, Z14, Z14
	VADDPS Z12, Z14, Z14
	VADDPS Z13, Z14, Z14
	ADDQ $256, SI
	ADDQ $256, R8
	ADDQ $256, DI
	DECQ CX
	JNZ dloop

ddone:
	VEXTRACTF64X4 $1, Z14, Y13
	VADDPS Y13, Y14, Y14
	VEXTRACTF128 $1, Y14, X13
	VADDPS X13, X14, X14
	VPERMILPS $0x4E, X14, X13
	VADDPS X13, X14, X14
	VMOVSHDUP X14, X13
	VADDSS X13, X14, X14
	VMOVSS X14, ret+40(FP)
	VZEROUPPER
	RET
