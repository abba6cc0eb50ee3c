//go:build !purego

#include "textflag.h"

// func prefetch16(n int, idx *int32, rec *float32, rs int, x, dy, out *float32, ts int)
// Asks for the data of a chunk that is about to be prepped into L2: each
// step's x_dbl record (up to 256 bytes) and its 64-byte token vectors in
// x, dy and out (ts and rs in floats). Issued one chunk ahead, while the
// state kernel of the current chunk runs, so that prep rarely waits for
// memory on the scattered pixels of a direction.
TEXT ·prefetch16(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE fdone
	MOVQ idx+8(FP), SI
	MOVQ rec+16(FP), R8
	MOVQ rs+24(FP), R9
	SHLQ $2, R9
	MOVQ x+32(FP), R10
	MOVQ dy+40(FP), R11
	MOVQ out+48(FP), R12
	MOVQ ts+56(FP), R13
	SHLQ $2, R13

floop:
	MOVLQSX (SI), AX
	MOVQ AX, BX
	IMULQ R9, AX
	PREFETCHT1 (R8)(AX*1)
	PREFETCHT1 64(R8)(AX*1)
	PREFETCHT1 128(R8)(AX*1)
	PREFETCHT1 192(R8)(AX*1)
	IMULQ R13, BX
	PREFETCHT1 (R10)(BX*1)
	PREFETCHT1 (R11)(BX*1)
	PREFETCHT1 (R12)(BX*1)
	ADDQ $4, SI
	DECQ CX
	JNZ floop

fdone:
	RET
