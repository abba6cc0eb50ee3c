package imageio

import "fmt"

// Image8 is an 8-bit image with interleaved channels, the layout PIL keeps
// for modes "L" (C=1) and "RGB" (C=3): Pix[(y*W+x)*C+c].
type Image8 struct {
	W, H, C int
	Pix     []uint8
}

// NewImage8 returns a zeroed w×h image with c channels.
func NewImage8(w, h, c int) *Image8 {
	if w < 0 || h < 0 || c < 1 {
		panic(fmt.Sprintf("imageio: bad image shape %d×%d×%d", w, h, c))
	}
	return &Image8{W: w, H: h, C: c, Pix: make([]uint8, w*h*c)}
}

// Row returns the samples of row y.
func (m *Image8) Row(y int) []uint8 { return m.Pix[y*m.W*m.C : (y+1)*m.W*m.C] }

// Crop returns a copy of the w×h window whose top-left corner is (x0, y0).
// Pixels outside m read as 0, which is how torchvision's CenterCrop pads an
// image smaller than the crop.
func (m *Image8) Crop(x0, y0, w, h int) *Image8 {
	out := NewImage8(w, h, m.C)
	for y := 0; y < h; y++ {
		sy := y0 + y
		if sy < 0 || sy >= m.H {
			continue
		}
		lo, hi := max(x0, 0), min(x0+w, m.W)
		if lo >= hi {
			continue
		}
		src := m.Row(sy)[lo*m.C : hi*m.C]
		copy(out.Pix[(y*w+lo-x0)*m.C:], src)
	}
	return out
}
