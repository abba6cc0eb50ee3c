//go:build !purego

#include "textflag.h"

// expTab holds the float32 constants of the vector kernels, each repeated
// 8 times (32 bytes) so AVX2 code can use them as memory operands and
// AVX-512 code can broadcast them. Offsets are defined in vec_amd64.h.
#define C8(off, v) \
	DATA ·expTab+(off+0)(SB)/4, $v; DATA ·expTab+(off+4)(SB)/4, $v; \
	DATA ·expTab+(off+8)(SB)/4, $v; DATA ·expTab+(off+12)(SB)/4, $v; \
	DATA ·expTab+(off+16)(SB)/4, $v; DATA ·expTab+(off+20)(SB)/4, $v; \
	DATA ·expTab+(off+24)(SB)/4, $v; DATA ·expTab+(off+28)(SB)/4, $v

C8(0, 0x3fb8aa3b)   // log2(e)
C8(32, 0x3f318000)  // ln2 high part 0.693359375
C8(64, 0xb95e8083)  // ln2 low part −2.12194440e−4
C8(96, 0x3ab51202)  // exp polynomial c6
C8(128, 0x3c091d00) // c5
C8(160, 0x3d2aac79) // c4
C8(192, 0x3e2aaa49) // c3
C8(224, 0x3efffffe) // c2
C8(256, 0x00000000) // unused
C8(288, 0x3f800000) // 1
C8(320, 0xc2aeac4f) // expMin −87.33654: below it exp is 0
C8(352, 0x42b20000) // 89: clamp, exp overflows to +Inf above
C8(384, 0x4b400000) // 1.5·2^23, rounds to an integer when added
C8(416, 0x0000007f) // int32 127, the exponent bias
C8(448, 0xc2b00000) // −88: AVX2 clamp, gives n ≥ −127
C8(480, 0x41a00000) // 20: softplus threshold
C8(512, 0x3fb504f3) // sqrt(2)
C8(544, 0x3f000000) // 0.5
C8(576, 0x007fffff) // mantissa mask
C8(608, 0x3d9021bb) // log polynomial l0
C8(640, 0xbdebd1b8) // l1
C8(672, 0x3def251a) // l2
C8(704, 0xbdfe5d4f) // l3
C8(736, 0x3e11e9bf) // l4
C8(768, 0xbe2aae50) // l5
C8(800, 0x3e4cceac) // l6
C8(832, 0xbe7ffffc) // l7
C8(864, 0x3eaaaaaa) // l8

GLOBL ·expTab(SB), RODATA|NOPTR, $896
