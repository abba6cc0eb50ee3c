package scanorder

import "fmt"

// Directions holds, for each of the K SS2D directions, the map from sequence
// position j to the row-major pixel of the original (untransposed, unrotated)
// Side×Side map. Composing transform, flatten, scan order and reversal into
// one index lets SS2D encode with a single gather, seq[k][j] = x[Idx[k][j]],
// and merge with a single scatter-add, y[Idx[k][j]] += seq[k][j]; because
// each transform is a permutation, the scatter is exactly the reference's
// un-reverse, decode and inverse transform.
type Directions struct {
	K, Side int
	Idx     [][]int32
}

// NewDirections builds the K ∈ {2, 4, 8} directions of forward_core: bases
// 0..K/2−1 out of [identity, transpose, rot90, transpose∘rot90], each read in
// order o on its own row-major flattening, followed by the same bases reversed.
func NewDirections(o Order, side, k int) (*Directions, error) {
	if k != 2 && k != 4 && k != 8 {
		return nil, fmt.Errorf("scan: number of directions must be 2, 4 or 8, got %d", k)
	}
	p, err := Indices(o, side)
	if err != nil {
		return nil, err
	}
	d := &Directions{K: k, Side: side, Idx: make([][]int32, k)}
	L := len(p)
	for b := 0; b < k/2; b++ {
		fwd := make([]int32, L)
		rev := make([]int32, L)
		for j, q := range p {
			src := source(b, int(q)/side, int(q)%side, side)
			fwd[j] = src
			rev[L-1-j] = src
		}
		d.Idx[b], d.Idx[k/2+b] = fwd, rev
	}
	return d, nil
}

// source returns the original pixel that base transform b places at (r, c)
// of its output map. With torch.rot90(x, 1, (H, W)): out[i, j] = x[j, W−1−i].
func source(b, r, c, s int) int32 {
	switch b {
	case 1: // transpose: m[r,c] = x[c,r]
		r, c = c, r
	case 2: // rot90: m[r,c] = x[c, S−1−r]
		r, c = c, s-1-r
	case 3: // transpose(rot90(x)): m[r,c] = rot[c,r] = x[r, S−1−c]
		c = s - 1 - c
	}
	return int32(r*s + c)
}
