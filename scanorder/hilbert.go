package scanorder

// hilbert returns, for each curve index h, the pixel x0 + x1·S where (x0,
// x1) = hilbert.decode(h, 2, log2 S) of numpy-hilbert-curve.
func hilbert(s int) []int32 {
	nb := log2(s)
	p := make([]int32, s*s)
	for h := range p {
		x := hilbertDecode2(uint64(h), nb)
		p[h] = int32(int(x[0]) + int(x[1])*s)
	}
	return p
}

// hilbertDecode2 is Skilling's transpose algorithm exactly as
// numpy-hilbert-curve's decode runs it for two dimensions, kept on explicit
// MSB-first bit planes (g[d][b], b = 0 the most significant bit) so that it
// can be compared with that code line by line; the grid sizes are small.
func hilbertDecode2(h uint64, nb int) [2]uint64 {
	const nd = 2
	n := nd * nb
	// MSB-first bits of h, then Gray-coded along the sequence.
	seq := make([]bool, n)
	for i := range seq {
		seq[i] = h>>(n-1-i)&1 == 1
	}
	var g [nd][]bool
	for d := range g {
		g[d] = make([]bool, nb)
	}
	for i := range seq {
		gray := seq[i]
		if i > 0 {
			gray = gray != seq[i-1]
		}
		g[i%nd][i/nd] = gray // reshape (nb, nd), then swap axes
	}
	for bit := nb - 1; bit >= 0; bit-- {
		for d := nd - 1; d >= 0; d-- {
			mask := g[d][bit]
			for lo := bit + 1; lo < nb; lo++ {
				g[0][lo] = g[0][lo] != mask
				flip := !mask && (g[0][lo] != g[d][lo])
				g[d][lo] = g[d][lo] != flip
				g[0][lo] = g[0][lo] != flip
			}
		}
	}
	var x [nd]uint64
	for d := range g {
		for b := 0; b < nb; b++ {
			if g[d][b] {
				x[d] |= 1 << (nb - 1 - b)
			}
		}
	}
	return x
}
