//go:build !purego

#include "textflag.h"

// tab holds the float32 constants of the AVX-512 kernels: the table
// 2^(j/32), j = 0..31 (two zmm loads), then scalars for VBROADCASTSS or
// embedded {1to16} broadcasts. Offsets are named in vec_amd64.h.
DATA ·tab+0(SB)/4, $0x3f800000 // 2^(0/32)
DATA ·tab+4(SB)/4, $0x3f82cd87 // 2^(1/32)
DATA ·tab+8(SB)/4, $0x3f85aac3 // 2^(2/32)
DATA ·tab+12(SB)/4, $0x3f88980f // 2^(3/32)
DATA ·tab+16(SB)/4, $0x3f8b95c2 // 2^(4/32)
DATA ·tab+20(SB)/4, $0x3f8ea43a // 2^(5/32)
DATA ·tab+24(SB)/4, $0x3f91c3d3 // 2^(6/32)
DATA ·tab+28(SB)/4, $0x3f94f4f0 // 2^(7/32)
DATA ·tab+32(SB)/4, $0x3f9837f0 // 2^(8/32)
DATA ·tab+36(SB)/4, $0x3f9b8d3a // 2^(9/32)
DATA ·tab+40(SB)/4, $0x3f9ef532 // 2^(10/32)
DATA ·tab+44(SB)/4, $0x3fa27043 // 2^(11/32)
DATA ·tab+48(SB)/4, $0x3fa5fed7 // 2^(12/32)
DATA ·tab+52(SB)/4, $0x3fa9a15b // 2^(13/32)
DATA ·tab+56(SB)/4, $0x3fad583f // 2^(14/32)
DATA ·tab+60(SB)/4, $0x3fb123f6 // 2^(15/32)
DATA ·tab+64(SB)/4, $0x3fb504f3 // 2^(16/32)
DATA ·tab+68(SB)/4, $0x3fb8fbaf // 2^(17/32)
DATA ·tab+72(SB)/4, $0x3fbd08a4 // 2^(18/32)
DATA ·tab+76(SB)/4, $0x3fc12c4d // 2^(19/32)
DATA ·tab+80(SB)/4, $0x3fc5672a // 2^(20/32)
DATA ·tab+84(SB)/4, $0x3fc9b9be // 2^(21/32)
DATA ·tab+88(SB)/4, $0x3fce248c // 2^(22/32)
DATA ·tab+92(SB)/4, $0x3fd2a81e // 2^(23/32)
DATA ·tab+96(SB)/4, $0x3fd744fd // 2^(24/32)
DATA ·tab+100(SB)/4, $0x3fdbfbb8 // 2^(25/32)
DATA ·tab+104(SB)/4, $0x3fe0ccdf // 2^(26/32)
DATA ·tab+108(SB)/4, $0x3fe5b907 // 2^(27/32)
DATA ·tab+112(SB)/4, $0x3feac0c7 // 2^(28/32)
DATA ·tab+116(SB)/4, $0x3fefe4ba // 2^(29/32)
DATA ·tab+120(SB)/4, $0x3ff5257d // 2^(30/32)
DATA ·tab+124(SB)/4, $0x3ffa83b3 // 2^(31/32)
DATA ·tab+128(SB)/4, $0x48c00000 // 1.5·2^18: t + it (rounded down) holds floor(32t) in its low bits
DATA ·tab+132(SB)/4, $0x3f31708f // exp2 quadratic d1 (expf.go)
DATA ·tab+136(SB)/4, $0x3e7879f3 // d2
DATA ·tab+140(SB)/4, $0x3f800000 // 1
DATA ·tab+144(SB)/4, $0x40000000 // 2
DATA ·tab+148(SB)/4, $0x7fffffff // |x| mask
DATA ·tab+152(SB)/4, $0xbfb8aa3b // −log2 e
DATA ·tab+156(SB)/4, $0x3fb8aa3b // log2 e
DATA ·tab+160(SB)/4, $0x3eaaaa81 // log1p q0 (prep)
DATA ·tab+164(SB)/4, $0x3e4ce904 // q1
DATA ·tab+168(SB)/4, $0x3e0f5e86 // q2
DATA ·tab+172(SB)/4, $0x3e0f6be0 // q3
DATA ·tab+176(SB)/4, $0x3f317218 // ln 2
DATA ·tab+180(SB)/4, $0xb2a57060 // −(log2 e − float32(log2 e))
GLOBL ·tab(SB), RODATA|NOPTR, $184
