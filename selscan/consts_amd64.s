//go:build !purego

#include "textflag.h"

// tab holds the float32 constants of the vector kernels: the table
// 2^(j/16), j = 0..15 (64 bytes, one zmm load), then scalars for
// VBROADCASTSS or embedded {1to16} broadcasts. Offsets are named in
// vec_amd64.h; the values are those of expf.go.
DATA ·tab+0(SB)/4, $0x3f800000 // 2^(0/16)
DATA ·tab+4(SB)/4, $0x3f85aac3 // 2^(1/16)
DATA ·tab+8(SB)/4, $0x3f8b95c2 // 2^(2/16)
DATA ·tab+12(SB)/4, $0x3f91c3d3 // 2^(3/16)
DATA ·tab+16(SB)/4, $0x3f9837f0 // 2^(4/16)
DATA ·tab+20(SB)/4, $0x3f9ef532 // 2^(5/16)
DATA ·tab+24(SB)/4, $0x3fa5fed7 // 2^(6/16)
DATA ·tab+28(SB)/4, $0x3fad583f // 2^(7/16)
DATA ·tab+32(SB)/4, $0x3fb504f3 // 2^(8/16)
DATA ·tab+36(SB)/4, $0x3fbd08a4 // 2^(9/16)
DATA ·tab+40(SB)/4, $0x3fc5672a // 2^(10/16)
DATA ·tab+44(SB)/4, $0x3fce248c // 2^(11/16)
DATA ·tab+48(SB)/4, $0x3fd744fd // 2^(12/16)
DATA ·tab+52(SB)/4, $0x3fe0ccdf // 2^(13/16)
DATA ·tab+56(SB)/4, $0x3feac0c7 // 2^(14/16)
DATA ·tab+60(SB)/4, $0x3ff5257d // 2^(15/16)
DATA ·tab+64(SB)/4, $0x3f31721f // exp2 c1
DATA ·tab+68(SB)/4, $0x3e75f2dc // c2
DATA ·tab+72(SB)/4, $0x3d681eb3 // c3
DATA ·tab+76(SB)/4, $0x49400000 // 1.5·2^19: t + it (rounded down) holds floor(16t) in its low bits
DATA ·tab+80(SB)/4, $0x3f800000 // 1
DATA ·tab+84(SB)/4, $0x40000000 // 2
DATA ·tab+88(SB)/4, $0x7fffffff // |x| mask
DATA ·tab+92(SB)/4, $0xbfb8aa3b // −log2 e
DATA ·tab+96(SB)/4, $0x3eaaaa81 // log1p q0
DATA ·tab+100(SB)/4, $0x3e4ce904 // q1
DATA ·tab+104(SB)/4, $0x3e0f5e86 // q2
DATA ·tab+108(SB)/4, $0x3e0f6be0 // q3
GLOBL ·tab(SB), RODATA|NOPTR, $112
