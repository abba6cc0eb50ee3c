// Offsets into ·tab (consts_amd64.s).
#define K_TAB 0
#define K_MAGIC 128
#define K_D1 132
#define K_D2 136
#define K_ONE 140
#define K_TWO 144
#define K_ABS 148
#define K_NLOG2E 152
#define K_LOG2E 156
#define K_Q0 160
#define K_Q1 164
#define K_Q2 168
#define K_Q3 172
#define K_LN2 176
#define K_NLOG2ELO 180

#define TAB(k) ·tab+k(SB)

// LOADEXP512 loads what EXP2512 needs: the coefficients d1, d2 into Z19
// and Z20, the table 2^(j/32) into Z21 (j < 16) and Z30 (j ≥ 16), and
// the rounding constant into Z31.
#define LOADEXP512 \
	VBROADCASTSS TAB(K_D1), Z19; \
	VBROADCASTSS TAB(K_D2), Z20; \
	VMOVUPS TAB(K_TAB), Z21; \
	VMOVUPS TAB(K_TAB+64), Z30; \
	VBROADCASTSS TAB(K_MAGIC), Z31

// EXP2512 sets p = 2^t for 16 lanes, with f and q as temporaries: f =
// t − floor32(t) ∈ [0, 1/32) by VREDUCEPS (imm 0x59: keep 5 fraction
// bits, round down, no precision exception); the low 5 bits of t +
// 1.5·2^18 rounded down are j = floor(32t) mod 32, which VPERMI2PS turns
// into T = 2^(j/32); then T·(1 + f·(d1 + f·d2)) and VSCALEFPS multiplies
// by 2^floor(t), which is exactly 0 far below the float32 range. Three of
// its eight ops use the FMA pipes. This is a shorter polynomial than the
// cubic of expf.go (see there for the accuracy it costs).
#define EXP2512(t, f, q, p) \
	VREDUCEPS $0x59, t, f; \
	VADDPS.RD_SAE Z31, t, p; \
	VPERMI2PS Z30, Z21, p; \
	VMOVAPS Z20, q; \
	VFMADD213PS Z19, f, q; \
	VMULPS f, q, q; \
	VFMADD213PS p, p, q; \
	VSCALEFPS t, q, p

// LOADH and STOREH move the 16 states between Z0..Z15 and (AX).
#define LOADH \
	VMOVUPS 0(AX), Z0; VMOVUPS 64(AX), Z1; VMOVUPS 128(AX), Z2; VMOVUPS 192(AX), Z3; \
	VMOVUPS 256(AX), Z4; VMOVUPS 320(AX), Z5; VMOVUPS 384(AX), Z6; VMOVUPS 448(AX), Z7; \
	VMOVUPS 512(AX), Z8; VMOVUPS 576(AX), Z9; VMOVUPS 640(AX), Z10; VMOVUPS 704(AX), Z11; \
	VMOVUPS 768(AX), Z12; VMOVUPS 832(AX), Z13; VMOVUPS 896(AX), Z14; VMOVUPS 960(AX), Z15

#define STOREH \
	VMOVUPS Z0, 0(AX); VMOVUPS Z1, 64(AX); VMOVUPS Z2, 128(AX); VMOVUPS Z3, 192(AX); \
	VMOVUPS Z4, 256(AX); VMOVUPS Z5, 320(AX); VMOVUPS Z6, 384(AX); VMOVUPS Z7, 448(AX); \
	VMOVUPS Z8, 512(AX); VMOVUPS Z9, 576(AX); VMOVUPS Z10, 640(AX); VMOVUPS Z11, 704(AX); \
	VMOVUPS Z12, 768(AX); VMOVUPS Z13, 832(AX); VMOVUPS Z14, 896(AX); VMOVUPS Z15, 960(AX)

// Offsets into ·tab8 (consts_amd64.s).
#define A_TABLO 0
#define A_TABHI 32
#define A_C1 64
#define A_C2 96
#define A_C3 128
#define A_LO 160
#define A_BIAS 192
#define A_ONE 224
#define A_TWO 256
#define A_ABS 288
#define A_NL2E16 320
#define A_L2E 352
#define A_Q0 384
#define A_Q1 416
#define A_Q2 448
#define A_Q3 480
#define A_SIXTEEN 512
#define A_LN2D16 544
#define A_NL2E16LO 576

#define TAB8(k) ·tab8+k(SB)

// EXP2AVX2 sets p = 2^(t16/16) for 8 lanes given t16 = 16t (clobbered),
// the AVX2 form of EXP2512 (same table and cubic, see expf.go): clamp
// t16 ≥ −2032 so that the exponent stays in range (2^t below 2^−127 is
// 0), i = floor(t16), f = t16 − i ∈ [0, 1), T = 2^((i mod 16)/16) from two
// 8-entry VPERMPS tables selected by bit 3 of i, the cubic in f with
// coefficients scaled by 16^−k, and 2^(i >> 4) built in the exponent
// field. f, q, T, i and x are temporaries.
#define EXP2AVX2(t16, f, q, T, i, x, p) \
	VMAXPS TAB8(A_LO), t16, t16; \
	VROUNDPS $9, t16, f; \
	VCVTTPS2DQ f, i; \
	VSUBPS f, t16, f; \
	VPERMPS TAB8(A_TABLO), i, T; \
	VPERMPS TAB8(A_TABHI), i, x; \
	VPSLLD $28, i, q; \
	VBLENDVPS q, x, T, T; \
	VMOVUPS TAB8(A_C3), q; \
	VFMADD213PS TAB8(A_C2), f, q; \
	VFMADD213PS TAB8(A_C1), f, q; \
	VMULPS f, q, q; \
	VFMADD213PS T, T, q; \
	VPSRAD $4, i, i; \
	VPADDD TAB8(A_BIAS), i, i; \
	VPSLLD $23, i, i; \
	VMULPS i, q, p
