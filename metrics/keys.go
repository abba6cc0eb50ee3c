package metrics

import "math"

// key is an order-preserving integer image of a float score: a < b as
// floats exactly when key(a) < key(b) as unsigned integers. Sorting and
// tie detection then work on integers, which radix-sort well.
type key interface{ ~uint32 | ~uint64 }

const (
	sign32 = 1 << 31
	sign64 = 1 << 63
)

// key32 flips all bits of negatives and only the sign bit of positives.
// -0 is mapped to +0 first so that the two zeros tie as they do in numpy.
func key32(v float32) uint32 {
	b := math.Float32bits(v)
	if b == sign32 {
		b = 0
	}
	return b ^ (uint32(int32(b)>>31) | sign32)
}

func key64(v float64) uint64 {
	b := math.Float64bits(v)
	if b == sign64 {
		b = 0
	}
	return b ^ (uint64(int64(b)>>63) | sign64)
}

// value inverts key32/key64; the width is taken from K.
func value[K key](k K) float64 {
	if uint64(^K(0)) == math.MaxUint32 {
		b := uint32(k)
		b ^= ^uint32(int32(b)>>31) | sign32
		return float64(math.Float32frombits(b))
	}
	b := uint64(k)
	b ^= ^uint64(int64(b)>>63) | sign64
	return math.Float64frombits(b)
}
