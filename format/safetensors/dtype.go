// Package safetensors reads and writes the safetensors weight format: an
// 8-byte little-endian header length, a JSON header mapping each tensor name
// to its dtype, shape and byte range, optional string metadata, then the raw
// little-endian data. Reading validates the whole header against the file
// before any tensor is touched, so a damaged or hostile file yields an error
// naming the file and tensor instead of a panic or garbage weights. Encode
// writes a stream; callers that write files (package checkpoint) make the
// write atomic with package internal/atomicfile.
package safetensors

import (
	"fmt"
	"math"
)

// DType is a safetensors dtype name as it appears in the header.
type DType string

// The dtypes this package reads. Floating ones are converted to float32 and
// integer and boolean ones to int64; F32 and I64 are the ones it writes.
const (
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	F64  DType = "F64"
	I64  DType = "I64"
	I32  DType = "I32"
	U8   DType = "U8"
	BOOL DType = "BOOL"
)

// Size returns the element size in bytes, or 0 for an unsupported dtype.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16:
		return 2
	case U8, BOOL:
		return 1
	}
	return 0
}

// IsFloat reports whether values of this dtype are delivered as float32.
func (d DType) IsFloat() bool { return d == F32 || d == F16 || d == BF16 || d == F64 }

// IsInt reports whether values of this dtype are delivered as int64.
func (d DType) IsInt() bool { return d == I64 || d == I32 || d == U8 || d == BOOL }

// Numel returns the number of elements of a shape (1 for a scalar) and
// false if a dimension is negative or the product overflows.
func Numel(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// halfToFloat32 converts an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | man<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: value = man · 2^-24.
	v := float32(man) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}

// bf16ToFloat32 converts a bfloat16 value, the top half of a float32.
func bf16ToFloat32(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

func errDType(d DType) error { return fmt.Errorf("unsupported dtype %q", string(d)) }
