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

// tab8 holds the AVX2 kernels' constants, each a 32-byte vector so that
// it can be a memory operand. Offsets are named in vec_amd64.h.
// 0: 2^(j/16), j = 0..7
DATA ·tab8+0(SB)/4, $0x3f800000
DATA ·tab8+4(SB)/4, $0x3f85aac3
DATA ·tab8+8(SB)/4, $0x3f8b95c2
DATA ·tab8+12(SB)/4, $0x3f91c3d3
DATA ·tab8+16(SB)/4, $0x3f9837f0
DATA ·tab8+20(SB)/4, $0x3f9ef532
DATA ·tab8+24(SB)/4, $0x3fa5fed7
DATA ·tab8+28(SB)/4, $0x3fad583f
// 32: 2^(j/16), j = 8..15
DATA ·tab8+32(SB)/4, $0x3fb504f3
DATA ·tab8+36(SB)/4, $0x3fbd08a4
DATA ·tab8+40(SB)/4, $0x3fc5672a
DATA ·tab8+44(SB)/4, $0x3fce248c
DATA ·tab8+48(SB)/4, $0x3fd744fd
DATA ·tab8+52(SB)/4, $0x3fe0ccdf
DATA ·tab8+56(SB)/4, $0x3feac0c7
DATA ·tab8+60(SB)/4, $0x3ff5257d
// 64: exp2 c1/16 (the cubic in 16f)
DATA ·tab8+64(SB)/4, $0x3d31721f
DATA ·tab8+68(SB)/4, $0x3d31721f
DATA ·tab8+72(SB)/4, $0x3d31721f
DATA ·tab8+76(SB)/4, $0x3d31721f
DATA ·tab8+80(SB)/4, $0x3d31721f
DATA ·tab8+84(SB)/4, $0x3d31721f
DATA ·tab8+88(SB)/4, $0x3d31721f
DATA ·tab8+92(SB)/4, $0x3d31721f
// 96: c2/16²
DATA ·tab8+96(SB)/4, $0x3a75f2dc
DATA ·tab8+100(SB)/4, $0x3a75f2dc
DATA ·tab8+104(SB)/4, $0x3a75f2dc
DATA ·tab8+108(SB)/4, $0x3a75f2dc
DATA ·tab8+112(SB)/4, $0x3a75f2dc
DATA ·tab8+116(SB)/4, $0x3a75f2dc
DATA ·tab8+120(SB)/4, $0x3a75f2dc
DATA ·tab8+124(SB)/4, $0x3a75f2dc
// 128: c3/16³
DATA ·tab8+128(SB)/4, $0x37681eb3
DATA ·tab8+132(SB)/4, $0x37681eb3
DATA ·tab8+136(SB)/4, $0x37681eb3
DATA ·tab8+140(SB)/4, $0x37681eb3
DATA ·tab8+144(SB)/4, $0x37681eb3
DATA ·tab8+148(SB)/4, $0x37681eb3
DATA ·tab8+152(SB)/4, $0x37681eb3
DATA ·tab8+156(SB)/4, $0x37681eb3
// 160: −2032 = 16·(−127): clamp of 16t, 2^t is 0 below
DATA ·tab8+160(SB)/4, $0xc4fe0000
DATA ·tab8+164(SB)/4, $0xc4fe0000
DATA ·tab8+168(SB)/4, $0xc4fe0000
DATA ·tab8+172(SB)/4, $0xc4fe0000
DATA ·tab8+176(SB)/4, $0xc4fe0000
DATA ·tab8+180(SB)/4, $0xc4fe0000
DATA ·tab8+184(SB)/4, $0xc4fe0000
DATA ·tab8+188(SB)/4, $0xc4fe0000
// 192: int32 127, the exponent bias
DATA ·tab8+192(SB)/4, $0x0000007f
DATA ·tab8+196(SB)/4, $0x0000007f
DATA ·tab8+200(SB)/4, $0x0000007f
DATA ·tab8+204(SB)/4, $0x0000007f
DATA ·tab8+208(SB)/4, $0x0000007f
DATA ·tab8+212(SB)/4, $0x0000007f
DATA ·tab8+216(SB)/4, $0x0000007f
DATA ·tab8+220(SB)/4, $0x0000007f
// 224: 1
DATA ·tab8+224(SB)/4, $0x3f800000
DATA ·tab8+228(SB)/4, $0x3f800000
DATA ·tab8+232(SB)/4, $0x3f800000
DATA ·tab8+236(SB)/4, $0x3f800000
DATA ·tab8+240(SB)/4, $0x3f800000
DATA ·tab8+244(SB)/4, $0x3f800000
DATA ·tab8+248(SB)/4, $0x3f800000
DATA ·tab8+252(SB)/4, $0x3f800000
// 256: 2
DATA ·tab8+256(SB)/4, $0x40000000
DATA ·tab8+260(SB)/4, $0x40000000
DATA ·tab8+264(SB)/4, $0x40000000
DATA ·tab8+268(SB)/4, $0x40000000
DATA ·tab8+272(SB)/4, $0x40000000
DATA ·tab8+276(SB)/4, $0x40000000
DATA ·tab8+280(SB)/4, $0x40000000
DATA ·tab8+284(SB)/4, $0x40000000
// 288: |x| mask
DATA ·tab8+288(SB)/4, $0x7fffffff
DATA ·tab8+292(SB)/4, $0x7fffffff
DATA ·tab8+296(SB)/4, $0x7fffffff
DATA ·tab8+300(SB)/4, $0x7fffffff
DATA ·tab8+304(SB)/4, $0x7fffffff
DATA ·tab8+308(SB)/4, $0x7fffffff
DATA ·tab8+312(SB)/4, $0x7fffffff
DATA ·tab8+316(SB)/4, $0x7fffffff
// 320: −16·log2 e
DATA ·tab8+320(SB)/4, $0xc1b8aa3b
DATA ·tab8+324(SB)/4, $0xc1b8aa3b
DATA ·tab8+328(SB)/4, $0xc1b8aa3b
DATA ·tab8+332(SB)/4, $0xc1b8aa3b
DATA ·tab8+336(SB)/4, $0xc1b8aa3b
DATA ·tab8+340(SB)/4, $0xc1b8aa3b
DATA ·tab8+344(SB)/4, $0xc1b8aa3b
DATA ·tab8+348(SB)/4, $0xc1b8aa3b
// 352: log2 e
DATA ·tab8+352(SB)/4, $0x3fb8aa3b
DATA ·tab8+356(SB)/4, $0x3fb8aa3b
DATA ·tab8+360(SB)/4, $0x3fb8aa3b
DATA ·tab8+364(SB)/4, $0x3fb8aa3b
DATA ·tab8+368(SB)/4, $0x3fb8aa3b
DATA ·tab8+372(SB)/4, $0x3fb8aa3b
DATA ·tab8+376(SB)/4, $0x3fb8aa3b
DATA ·tab8+380(SB)/4, $0x3fb8aa3b
// 384: log1p q0
DATA ·tab8+384(SB)/4, $0x3eaaaa81
DATA ·tab8+388(SB)/4, $0x3eaaaa81
DATA ·tab8+392(SB)/4, $0x3eaaaa81
DATA ·tab8+396(SB)/4, $0x3eaaaa81
DATA ·tab8+400(SB)/4, $0x3eaaaa81
DATA ·tab8+404(SB)/4, $0x3eaaaa81
DATA ·tab8+408(SB)/4, $0x3eaaaa81
DATA ·tab8+412(SB)/4, $0x3eaaaa81
// 416: q1
DATA ·tab8+416(SB)/4, $0x3e4ce904
DATA ·tab8+420(SB)/4, $0x3e4ce904
DATA ·tab8+424(SB)/4, $0x3e4ce904
DATA ·tab8+428(SB)/4, $0x3e4ce904
DATA ·tab8+432(SB)/4, $0x3e4ce904
DATA ·tab8+436(SB)/4, $0x3e4ce904
DATA ·tab8+440(SB)/4, $0x3e4ce904
DATA ·tab8+444(SB)/4, $0x3e4ce904
// 448: q2
DATA ·tab8+448(SB)/4, $0x3e0f5e86
DATA ·tab8+452(SB)/4, $0x3e0f5e86
DATA ·tab8+456(SB)/4, $0x3e0f5e86
DATA ·tab8+460(SB)/4, $0x3e0f5e86
DATA ·tab8+464(SB)/4, $0x3e0f5e86
DATA ·tab8+468(SB)/4, $0x3e0f5e86
DATA ·tab8+472(SB)/4, $0x3e0f5e86
DATA ·tab8+476(SB)/4, $0x3e0f5e86
// 480: q3
DATA ·tab8+480(SB)/4, $0x3e0f6be0
DATA ·tab8+484(SB)/4, $0x3e0f6be0
DATA ·tab8+488(SB)/4, $0x3e0f6be0
DATA ·tab8+492(SB)/4, $0x3e0f6be0
DATA ·tab8+496(SB)/4, $0x3e0f6be0
DATA ·tab8+500(SB)/4, $0x3e0f6be0
DATA ·tab8+504(SB)/4, $0x3e0f6be0
DATA ·tab8+508(SB)/4, $0x3e0f6be0
// 512: 16
DATA ·tab8+512(SB)/4, $0x41800000
DATA ·tab8+516(SB)/4, $0x41800000
DATA ·tab8+520(SB)/4, $0x41800000
DATA ·tab8+524(SB)/4, $0x41800000
DATA ·tab8+528(SB)/4, $0x41800000
DATA ·tab8+532(SB)/4, $0x41800000
DATA ·tab8+536(SB)/4, $0x41800000
DATA ·tab8+540(SB)/4, $0x41800000
// 544: ln 2 / 16
DATA ·tab8+544(SB)/4, $0x3d317218
DATA ·tab8+548(SB)/4, $0x3d317218
DATA ·tab8+552(SB)/4, $0x3d317218
DATA ·tab8+556(SB)/4, $0x3d317218
DATA ·tab8+560(SB)/4, $0x3d317218
DATA ·tab8+564(SB)/4, $0x3d317218
DATA ·tab8+568(SB)/4, $0x3d317218
DATA ·tab8+572(SB)/4, $0x3d317218
// 576: −16·(log2 e − float32(log2 e))
DATA ·tab8+576(SB)/4, $0xb4a57060
DATA ·tab8+580(SB)/4, $0xb4a57060
DATA ·tab8+584(SB)/4, $0xb4a57060
DATA ·tab8+588(SB)/4, $0xb4a57060
DATA ·tab8+592(SB)/4, $0xb4a57060
DATA ·tab8+596(SB)/4, $0xb4a57060
DATA ·tab8+600(SB)/4, $0xb4a57060
DATA ·tab8+604(SB)/4, $0xb4a57060
GLOBL ·tab8(SB), RODATA|NOPTR, $608
