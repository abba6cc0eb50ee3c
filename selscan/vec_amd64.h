// Offsets into ·tab (consts_amd64.s).
#define K_TAB 0
#define K_C1 64
#define K_C2 68
#define K_C3 72
#define K_MAGIC 76
#define K_ONE 80
#define K_TWO 84
#define K_ABS 88
#define K_NLOG2E 92
#define K_Q0 96
#define K_Q1 100
#define K_Q2 104
#define K_Q3 108

#define TAB(k) ·tab+k(SB)

// LOADEXP512 loads what EXP2512 needs: the coefficients c1..c3 into
// Z19..Z21, the table 2^(j/16) into Z30 and the rounding constant into Z31.
#define LOADEXP512 \
	VBROADCASTSS TAB(K_C1), Z19; \
	VBROADCASTSS TAB(K_C2), Z20; \
	VBROADCASTSS TAB(K_C3), Z21; \
	VMOVUPS TAB(K_TAB), Z30; \
	VBROADCASTSS TAB(K_MAGIC), Z31

// EXP2512 sets p = 2^t for 16 lanes (see expf.go), with f and q as
// temporaries: f = t − floor16(t) ∈ [0, 1/16) by VREDUCEPS (imm 0x49:
// keep 4 fraction bits, round down, no precision exception); the low 4
// bits of t + 1.5·2^19 rounded down are j = floor(16t) mod 16, which
// VPERMPS turns into T = 2^(j/16); then T·(1 + f·(c1 + f·(c2 + f·c3)))
// and VSCALEFPS multiplies by 2^floor(t), which is exactly 0 far below the
// float32 range. Four of its nine ops use the FMA pipes.
#define EXP2512(t, f, q, p) \
	VREDUCEPS $0x49, t, f; \
	VADDPS.RD_SAE Z31, t, p; \
	VPERMPS Z30, p, p; \
	VMOVAPS Z21, q; \
	VFMADD213PS Z20, f, q; \
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
