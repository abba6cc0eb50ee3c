package ops

// The plain-Go transpose: the Generic level and the ragged edges of the
// vector tiles.

var permGo = permKernels{transpose: transposeBlockGo}

// transposeBlockGo transposes the tile rows [r0, r1) × cols [c0, c1) of one
// rows × cols matrix.
func transposeBlockGo(dst, src []float32, rows, cols, r0, r1, c0, c1 int) {
	for c := c0; c < c1; c++ {
		d := dst[c*rows+r0 : c*rows+r1]
		for i := range d {
			d[i] = src[(r0+i)*cols+c]
		}
	}
}
