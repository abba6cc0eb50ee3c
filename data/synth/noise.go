package synth

import (
	"math"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// noise is smooth value noise: random values on the integer lattice,
// blended with a quintic fade. Values lie in [0, 1).
type noise uint64

func (n noise) lattice(ix, iy int64) float64 {
	h := splitmix.Mix(uint64(n) ^ uint64(ix)*0x9e3779b97f4a7c15 ^ uint64(iy)*0xc2b2ae3d27d4eb4f)
	return float64(h>>11) / (1 << 53)
}

func fade(t float64) float64 { return t * t * t * (t*(t*6-15) + 10) }

func (n noise) at(x, y float64) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	ix, iy := int64(fx), int64(fy)
	tx, ty := fade(x-fx), fade(y-fy)
	a := n.lattice(ix, iy) + (n.lattice(ix+1, iy)-n.lattice(ix, iy))*tx
	b := n.lattice(ix, iy+1) + (n.lattice(ix+1, iy+1)-n.lattice(ix, iy+1))*tx
	return a + (b-a)*ty
}

// fbm sums octaves of noise, each twice as fine and half as strong;
// the result is normalised to [0, 1).
func (n noise) fbm(x, y float64, octaves int) float64 {
	sum, amp, norm := 0.0, 1.0, 0.0
	for o := 0; o < octaves; o++ {
		sum += amp * noise(uint64(n)+uint64(o)*0x632be59bd9b4e019).at(x, y)
		norm += amp
		x, y, amp = x*2.03, y*2.03, amp*0.5
	}
	return sum / norm
}
