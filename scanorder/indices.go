package scanorder

import (
	"fmt"
	"math/bits"
)

// maxSide bounds the grid so that S·S fits an int32 index with room to spare.
const maxSide = 1 << 14

// Indices returns the reference's index_flat for an S×S grid: step j of the
// sequence visits the row-major pixel p[j]. ZOrder and Hilbert need S to be a
// power of two, as their bit-interleaving definitions do.
func Indices(o Order, side int) ([]int32, error) {
	if side < 1 || side > maxSide {
		return nil, fmt.Errorf("scan: side %d out of range [1, %d]", side, maxSide)
	}
	pow2 := side&(side-1) == 0
	switch o {
	case Sweep:
		return sweep(side), nil
	case Scan:
		return snake(side), nil
	case ZigZag:
		return zigzag(side), nil
	case ZOrder, Hilbert:
		if !pow2 {
			return nil, fmt.Errorf("scan: %v order needs a power-of-two side, got %d", o, side)
		}
		if o == ZOrder {
			return zorder(side), nil
		}
		return hilbert(side), nil
	}
	return nil, fmt.Errorf("scan: unknown order %v", o)
}

// Inverse returns q with q[p[j]] = j (the reference's index_flat_inv =
// argsort(index_flat)). p must be a permutation of 0..len(p)-1.
func Inverse(p []int32) []int32 {
	q := make([]int32, len(p))
	for j, v := range p {
		q[v] = int32(j)
	}
	return q
}

func sweep(s int) []int32 {
	p := make([]int32, s*s)
	for j := range p {
		p[j] = int32(j)
	}
	return p
}

func snake(s int) []int32 {
	p := make([]int32, 0, s*s)
	for r := 0; r < s; r++ {
		for c := 0; c < s; c++ {
			if r%2 == 1 {
				p = append(p, int32(r*s+s-1-c))
			} else {
				p = append(p, int32(r*s+c))
			}
		}
	}
	return p
}

// zigzag walks anti-diagonals i = r+c: even i with the column ascending, odd
// i with the row ascending (the reference's definition).
func zigzag(s int) []int32 {
	p := make([]int32, 0, s*s)
	for i := 0; i <= 2*(s-1); i++ {
		lo, hi := max(0, i-s+1), min(i, s-1)
		for j := lo; j <= hi; j++ {
			r, c := i-j, j
			if i%2 == 1 {
				r, c = j, i-j
			}
			p = append(p, int32(r*s+c))
		}
	}
	return p
}

// zorder follows pyzorder: rc(z) takes r from the even bits and c from the
// odd bits of z, and the official code stores c*size + r, so the even bits
// end up as the column.
func zorder(s int) []int32 {
	p := make([]int32, s*s)
	for z := range p {
		even, odd := deinterleave(uint64(z))
		p[z] = int32(int(odd)*s + int(even))
	}
	return p
}

// deinterleave splits z into the numbers formed by its even and odd bits.
func deinterleave(z uint64) (even, odd uint64) {
	for b := 0; z>>(2*b) != 0; b++ {
		even |= (z >> (2 * b) & 1) << b
		odd |= (z >> (2*b + 1) & 1) << b
	}
	return even, odd
}

func log2(s int) int { return bits.TrailingZeros(uint(s)) }
