// Offsets into expTab (consts_amd64.s); every constant is 32 bytes.
#define K_LOG2E 0
#define K_LN2HI 32
#define K_LN2LO 64
#define K_C6 96
#define K_C5 128
#define K_C4 160
#define K_C3 192
#define K_C2 224
#define K_ONE 288
#define K_MIN 320
#define K_MAX 352
#define K_SHIFT 384
#define K_BIAS 416
#define K_LO88 448
#define K_TWENTY 480
#define K_SQRT2 512
#define K_HALF 544
#define K_MANT 576
#define K_L0 608
#define K_L1 640
#define K_L2 672
#define K_L3 704
#define K_L4 736
#define K_L5 768
#define K_L6 800
#define K_L7 832
#define K_L8 864

#define TAB(k) ·expTab+k(SB)

// LOADEXP512 broadcasts the exp constants into Z16..Z23 and Z25..Z27 for
// EXP512 (Z24 is left free).
#define LOADEXP512 \
	VBROADCASTSS TAB(K_LOG2E), Z16; \
	VBROADCASTSS TAB(K_LN2HI), Z17; \
	VBROADCASTSS TAB(K_LN2LO), Z18; \
	VBROADCASTSS TAB(K_C6), Z19; \
	VBROADCASTSS TAB(K_C5), Z20; \
	VBROADCASTSS TAB(K_C4), Z21; \
	VBROADCASTSS TAB(K_C3), Z22; \
	VBROADCASTSS TAB(K_C2), Z23; \
	VBROADCASTSS TAB(K_ONE), Z25; \
	VBROADCASTSS TAB(K_MIN), Z26; \
	VBROADCASTSS TAB(K_MAX), Z27

// EXP512 sets p = exp(x) for 16 lanes, clobbering x, n and K1: Cody–Waite
// reduction x = n·ln2 + r, the degree-6 polynomial 1 + r + r²·(c2 + … +
// c6·r⁴) (see expf), then p·2^n by VSCALEFPS.
// Lanes below expMin become exactly 0 (zero-masking, which also discards
// whatever the reduction made of huge negative x); NaN stays NaN (the mask
// keeps unordered lanes). There is no upper clamp: every caller passes
// x ≤ 20 (the scan's δ·A ≤ 0 since A = −exp(A_log)); up to x ≈ 2e4 the
// result still overflows correctly to +Inf. Z27 holds the clamp 89 for
// callers that need it.
#define EXP512(x, n, p) \
	VCMPPS $5, Z26, x, K1; \
	VMULPS Z16, x, n; \
	VRNDSCALEPS $0, n, n; \
	VFNMADD231PS Z17, n, x; \
	VFNMADD231PS Z18, n, x; \
	VMOVAPS Z19, p; \
	VFMADD213PS Z20, x, p; \
	VFMADD213PS Z21, x, p; \
	VFMADD213PS Z22, x, p; \
	VFMADD213PS Z23, x, p; \
	VFMADD213PS Z25, x, p; \
	VFMADD213PS Z25, x, p; \
	VSCALEFPS.Z n, p, K1, p

// EXP256 sets p = exp(x) for 8 lanes, clobbering x, t and n. lo and hi
// hold −88 and 89: clamping there keeps n in [−127, 128], so the power of
// two built from (n+127)<<23 is 0 for n = −127 and +Inf for n = 128. So
// results below ~1e−38 may flush to 0 and those above 2.4e38 (x > 88.37)
// overflow to +Inf early; the scan only takes exp of values ≤ 20.
#define EXP256(x, t, n, p, lo, hi) \
	VMINPS x, hi, x; \
	VMAXPS x, lo, x; \
	VMOVUPS TAB(K_SHIFT), t; \
	VFMADD231PS TAB(K_LOG2E), x, t; \
	VSUBPS TAB(K_SHIFT), t, n; \
	VFNMADD231PS TAB(K_LN2HI), n, x; \
	VFNMADD231PS TAB(K_LN2LO), n, x; \
	VMOVUPS TAB(K_C6), p; \
	VFMADD213PS TAB(K_C5), x, p; \
	VFMADD213PS TAB(K_C4), x, p; \
	VFMADD213PS TAB(K_C3), x, p; \
	VFMADD213PS TAB(K_C2), x, p; \
	VFMADD213PS TAB(K_ONE), x, p; \
	VFMADD213PS TAB(K_ONE), x, p; \
	VPADDD TAB(K_BIAS), t, t; \
	VPSLLD $23, t, t; \
	VMULPS t, p, p

// EXP512X4 is EXP512 on four independent vectors with the instructions
// interleaved, so that the out-of-order core always has ready work: one
// exp is a chain of ~15 dependent ops, too long for the scheduler to
// overlap on its own (masks K1..K4).
#define EXP512X4(x0, x1, x2, x3, n0, n1, n2, n3, p0, p1, p2, p3) \
	VCMPPS $5, Z26, x0, K1; VCMPPS $5, Z26, x1, K2; VCMPPS $5, Z26, x2, K3; VCMPPS $5, Z26, x3, K4; \
	VMULPS Z16, x0, n0; VMULPS Z16, x1, n1; VMULPS Z16, x2, n2; VMULPS Z16, x3, n3; \
	VRNDSCALEPS $0, n0, n0; VRNDSCALEPS $0, n1, n1; VRNDSCALEPS $0, n2, n2; VRNDSCALEPS $0, n3, n3; \
	VFNMADD231PS Z17, n0, x0; VFNMADD231PS Z17, n1, x1; VFNMADD231PS Z17, n2, x2; VFNMADD231PS Z17, n3, x3; \
	VFNMADD231PS Z18, n0, x0; VFNMADD231PS Z18, n1, x1; VFNMADD231PS Z18, n2, x2; VFNMADD231PS Z18, n3, x3; \
	VMOVAPS Z19, p0; VMOVAPS Z19, p1; VMOVAPS Z19, p2; VMOVAPS Z19, p3; \
	VFMADD213PS Z20, x0, p0; VFMADD213PS Z20, x1, p1; VFMADD213PS Z20, x2, p2; VFMADD213PS Z20, x3, p3; \
	VFMADD213PS Z21, x0, p0; VFMADD213PS Z21, x1, p1; VFMADD213PS Z21, x2, p2; VFMADD213PS Z21, x3, p3; \
	VFMADD213PS Z22, x0, p0; VFMADD213PS Z22, x1, p1; VFMADD213PS Z22, x2, p2; VFMADD213PS Z22, x3, p3; \
	VFMADD213PS Z23, x0, p0; VFMADD213PS Z23, x1, p1; VFMADD213PS Z23, x2, p2; VFMADD213PS Z23, x3, p3; \
	VFMADD213PS Z25, x0, p0; VFMADD213PS Z25, x1, p1; VFMADD213PS Z25, x2, p2; VFMADD213PS Z25, x3, p3; \
	VFMADD213PS Z25, x0, p0; VFMADD213PS Z25, x1, p1; VFMADD213PS Z25, x2, p2; VFMADD213PS Z25, x3, p3; \
	VSCALEFPS.Z n0, p0, K1, p0; VSCALEFPS.Z n1, p1, K2, p1; VSCALEFPS.Z n2, p2, K3, p2; VSCALEFPS.Z n3, p3, K4, p3

// HSUM4X16 leaves in xa the four lane sums [Σz0, Σz1, Σz2, Σz3] of the
// zmm registers z0..z3 (y0..y3 are their ymm views). a..e are ymm
// temporaries below Y16 (VPERM2F128 has no EVEX form); xa and xc are the
// xmm views of a and c. Halves are added, pairs are packed per 128-bit
// lane, then unpack/add/swap/add (VHADDPS costs ~3.5 cycles on Zen 4).
#define HSUM4X16(z0, z1, z2, z3, y0, y1, y2, y3, a, b, c, d, e, xa, xc) \
	VEXTRACTF64X4 $1, z0, a; VADDPS y0, a, a; \
	VEXTRACTF64X4 $1, z1, b; VADDPS y1, b, b; \
	VEXTRACTF64X4 $1, z2, c; VADDPS y2, c, c; \
	VEXTRACTF64X4 $1, z3, d; VADDPS y3, d, d; \
	VPERM2F128 $0x20, b, a, e; VPERM2F128 $0x31, b, a, b; VADDPS b, e, a; \
	VPERM2F128 $0x20, d, c, e; VPERM2F128 $0x31, d, c, d; VADDPS d, e, c; \
	VUNPCKLPS c, a, e; VUNPCKHPS c, a, a; VADDPS e, a, a; \
	VPERMILPS $0x4E, a, e; VADDPS e, a, a; \
	VEXTRACTF128 $1, a, xc; \
	VUNPCKLPS xc, xa, xa

// EXP512X2 is EXP512 on two interleaved vectors (masks K1, K2).
#define EXP512X2(x0, x1, n0, n1, p0, p1) \
	VCMPPS $5, Z26, x0, K1; VCMPPS $5, Z26, x1, K2; \
	VMULPS Z16, x0, n0; VMULPS Z16, x1, n1; \
	VRNDSCALEPS $0, n0, n0; VRNDSCALEPS $0, n1, n1; \
	VFNMADD231PS Z17, n0, x0; VFNMADD231PS Z17, n1, x1; \
	VFNMADD231PS Z18, n0, x0; VFNMADD231PS Z18, n1, x1; \
	VMOVAPS Z19, p0; VMOVAPS Z19, p1; \
	VFMADD213PS Z20, x0, p0; VFMADD213PS Z20, x1, p1; \
	VFMADD213PS Z21, x0, p0; VFMADD213PS Z21, x1, p1; \
	VFMADD213PS Z22, x0, p0; VFMADD213PS Z22, x1, p1; \
	VFMADD213PS Z23, x0, p0; VFMADD213PS Z23, x1, p1; \
	VFMADD213PS Z25, x0, p0; VFMADD213PS Z25, x1, p1; \
	VFMADD213PS Z25, x0, p0; VFMADD213PS Z25, x1, p1; \
	VSCALEFPS.Z n0, p0, K1, p0; VSCALEFPS.Z n1, p1, K2, p1

// PREFETCH4 asks for the four cache lines [p+off, p+off+256) into L2. The
// drivers walk a work item's channels chunk by chunk, so a channel's next
// chunk (the next 64 steps in forward, the previous 64 in backward) is
// needed one pass over the item's channels later; without this the rows'
// short 256-byte segments miss all the way to memory.
#define PREFETCH4(p, off) \
	PREFETCHT1 off(p); PREFETCHT1 off+64(p); PREFETCHT1 off+128(p); PREFETCHT1 off+192(p)
