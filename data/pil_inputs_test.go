package data

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// The PIL golden (testdata/pil_golden.bin.gz) was made by
// bench/pil/make_resize_golden.py from the images below. They are built
// with integer arithmetic only, so every run and platform regenerates them
// byte for byte; the test then compares our outputs with PIL's.

func pilInputs() map[string]image.Image {
	return map[string]image.Image{
		"rgb":  procRGB(97, 61),
		"grey": procGrey(61, 97),
		"pal":  procPaletted(33, 47),
		"rgba": procNRGBA(45, 38),
		"blob": procBlob(97, 61),
	}
}

// procRGB mixes gradients, a hard-edged checkerboard and a fine texture,
// the features where a resampler's rounding shows.
func procRGB(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			check := ((x/7)+(y/5))%2 == 0
			r := uint8((x*255)/(w-1)) ^ uint8((x*y)%17)
			g := uint8((y * 255) / (h - 1))
			b := uint8((x*31 + y*57 + (x*x*y)%23) & 0xff)
			if check {
				g = 255 - g
			}
			m.SetRGBA(x, y, color.RGBA{r, g, b, 255})
		}
	}
	return m
}

func procGrey(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := (x*x + 3*y*y + 5*x*y) % 256
			if (x-30)*(x-30)+(y-50)*(y-50) < 200 {
				v = 255 - v/4
			}
			m.Pix[y*m.Stride+x] = uint8(v)
		}
	}
	return m
}

func procPaletted(w, h int) *image.Paletted {
	pal := make(color.Palette, 16)
	for i := range pal {
		pal[i] = color.RGBA{uint8(i * 17), uint8(255 - i*13), uint8((i * 89) % 256), 255}
	}
	m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Pix[y*m.Stride+x] = uint8((x/3 + y/4 + x*y/11) % 16)
		}
	}
	return m
}

// procNRGBA varies alpha so that a converter that composites (instead of
// dropping alpha as PIL does) would fail.
func procNRGBA(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			m.Pix[i], m.Pix[i+1], m.Pix[i+2] = uint8(x*5), uint8(y*6), uint8((x+y)*3)
			m.Pix[i+3] = uint8((x * y * 7) % 256)
		}
	}
	return m
}

// procBlob is a mask: an ellipse, a thin diagonal line and an isolated
// pixel, drawn in small grey values that the mask loader must count as
// defect (any value > 0).
func procBlob(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := x-60, y-25
			switch {
			case 4*dx*dx+9*dy*dy < 900:
				m.Pix[y*m.Stride+x] = 255
			case x-2*y == 3 || x-2*y == 4:
				m.Pix[y*m.Stride+x] = 7
			case x == 10 && y == 50:
				m.Pix[y*m.Stride+x] = 1
			}
		}
	}
	return m
}

// TestWritePILInputs writes the inputs for make_resize_golden.py when
// MAMBAAD_PIL_INPUTS names a folder; otherwise it skips.
func TestWritePILInputs(t *testing.T) {
	dir := os.Getenv("MAMBAAD_PIL_INPUTS")
	if dir == "" {
		t.Skip("set MAMBAAD_PIL_INPUTS=<dir> to write the PIL golden inputs")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, img := range pilInputs() {
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
