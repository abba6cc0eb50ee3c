package imageio

import (
	"bytes"
	"image"
	"testing"
)

// Bit-exactness against PIL is tested in package data with a golden file;
// these tests pin down properties that hold for any size.

func TestResizeKeepsConstantImages(t *testing.T) {
	for _, v := range []uint8{0, 1, 128, 254, 255} {
		src := NewImage8(37, 23, 3)
		for i := range src.Pix {
			src.Pix[i] = v
		}
		for _, sz := range [][2]int{{1, 1}, {5, 300}, {256, 256}, {37, 10}, {11, 23}} {
			out := Resize(src, sz[0], sz[1])
			if out.W != sz[0] || out.H != sz[1] || out.C != 3 {
				t.Fatalf("shape %d×%d×%d", out.W, out.H, out.C)
			}
			for _, got := range out.Pix {
				if got != v {
					t.Fatalf("constant %d resized to %v became %d", v, sz, got)
				}
			}
		}
	}
}

func TestResizeSameSizeCopies(t *testing.T) {
	src := &Image8{W: 2, H: 1, C: 1, Pix: []uint8{3, 4}}
	out := Resize(src, 2, 1)
	out.Pix[0] = 9
	if src.Pix[0] != 3 {
		t.Fatal("Resize to the same size must return a copy")
	}
}

// Halving with the antialiased filter averages neighbours: a 1-pixel
// checkerboard becomes flat grey, where plain bilinear sampling would keep
// picking one colour.
func TestResizeAntialiases(t *testing.T) {
	src := NewImage8(64, 64, 1)
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			if (x+y)%2 == 0 {
				src.Pix[y*64+x] = 255
			}
		}
	}
	for _, v := range Resize(src, 16, 16).Pix {
		if v < 120 || v > 135 {
			t.Fatalf("checkerboard shrunk to %d, want about 128", v)
		}
	}
}

func TestFancyH2V1(t *testing.T) {
	out := make([]uint8, 6)
	fancyH2V1([]uint8{10, 20, 30}, out)
	if want := []uint8{10, 13, 17, 23, 27, 30}; !bytes.Equal(out, want) {
		t.Fatalf("fancyH2V1 = %v, want %v", out, want)
	}
}

// Every subsampling ratio and odd or tiny size converts without panicking,
// and grey chroma (128) gives R = G = B = Y as in libjpeg.
func TestYCbCrAllRatios(t *testing.T) {
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	}
	for _, r := range ratios {
		for _, sz := range [][2]int{{1, 1}, {2, 3}, {3, 2}, {5, 5}, {9, 7}, {16, 16}} {
			m := image.NewYCbCr(image.Rect(0, 0, sz[0], sz[1]), r)
			for i := range m.Y {
				m.Y[i] = uint8(i * 7)
			}
			for i := range m.Cb {
				m.Cb[i], m.Cr[i] = 128, 128
			}
			out := ToRGB(m)
			for y := 0; y < sz[1]; y++ {
				for x := 0; x < sz[0]; x++ {
					want := m.Y[m.YOffset(x, y)]
					p := out.Pix[(y*sz[0]+x)*3:]
					if p[0] != want || p[1] != want || p[2] != want {
						t.Fatalf("%v %v: pixel (%d,%d) = %v, want grey %d", r, sz, x, y, p[:3], want)
					}
				}
			}
		}
	}
}
