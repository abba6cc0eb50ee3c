package imageio

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// roundTripPNG encodes and decodes img so that the decoder's own image type
// (which is what ToRGB sees in practice) is tested.
func roundTripPNG(t *testing.T, img image.Image) image.Image {
	t.Helper()
	out, err := png.Decode(bytes.NewReader(encodePNG(t, img)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestToRGBPNGVariants(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 2, 1))
	grey.Pix = []uint8{7, 200}
	g16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	g16.SetGray16(0, 0, color.Gray16{Y: 0x1234})
	g16.SetGray16(1, 0, color.Gray16{Y: 0xfe01})
	rgb16 := image.NewRGBA64(image.Rect(0, 0, 1, 1))
	rgb16.SetRGBA64(0, 0, color.RGBA64{0x12ff, 0x3400, 0xabcd, 0xffff})
	alpha := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	alpha.SetNRGBA(0, 0, color.NRGBA{200, 100, 50, 10}) // PIL drops alpha, never blends
	alpha16 := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	alpha16.SetNRGBA64(0, 0, color.NRGBA64{0x8001, 0x0102, 0xff00, 0x1000})
	ga := image.NewNRGBA(image.Rect(0, 0, 1, 1)) // grey+alpha PNGs decode to NRGBA
	ga.SetNRGBA(0, 0, color.NRGBA{90, 90, 90, 0})
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{
		color.RGBA{1, 2, 3, 255}, color.NRGBA{250, 20, 30, 0}})
	pal.Pix = []uint8{1, 0}
	cases := []struct {
		name string
		img  image.Image
		want []uint8
	}{
		{"grey8", grey, []uint8{7, 7, 7, 200, 200, 200}},
		{"grey16 keeps the high byte", g16, []uint8{0x12, 0x12, 0x12, 0xfe, 0xfe, 0xfe}},
		{"rgb16 keeps the high byte", rgb16, []uint8{0x12, 0x34, 0xab}},
		{"rgba drops alpha", alpha, []uint8{200, 100, 50}},
		{"rgba16", alpha16, []uint8{0x80, 0x01, 0xff}},
		{"grey+alpha", ga, []uint8{90, 90, 90}},
		{"palette with transparency", pal, []uint8{250, 20, 30, 1, 2, 3}},
	}
	for _, c := range cases {
		got := ToRGB(roundTripPNG(t, c.img))
		if !bytes.Equal(got.Pix, c.want) || got.C != 3 {
			t.Errorf("%s: got %v, want %v", c.name, got.Pix, c.want)
		}
	}
}

func TestLumaMatchesPIL(t *testing.T) {
	// Values printed by Pillow 9.4: Image.new("RGB", …).convert("L").
	cases := []struct{ r, g, b, want uint8 }{
		{0, 0, 1, 0}, {0, 0, 5, 1}, {0, 0, 4, 0}, {1, 0, 0, 0}, {0, 1, 0, 1},
		{255, 255, 255, 255}, {10, 200, 30, 124}, {123, 45, 67, 71}, {2, 0, 0, 1},
	}
	for _, c := range cases {
		if got := Luma(c.r, c.g, c.b); got != c.want {
			t.Errorf("Luma(%d,%d,%d) = %d, want %d", c.r, c.g, c.b, got, c.want)
		}
	}
}

// Masks of any bit depth: every non-zero pixel is a defect; colour masks go
// through PIL's luma first, so a faint pure blue (L = 0) is not.
func TestToMask(t *testing.T) {
	g16 := image.NewGray16(image.Rect(0, 0, 3, 1))
	g16.SetGray16(1, 0, color.Gray16{Y: 1})
	g16.SetGray16(2, 0, color.Gray16{Y: 0xffff})
	g8 := image.NewGray(image.Rect(0, 0, 3, 1))
	g8.Pix = []uint8{0, 1, 2}
	rgb := image.NewRGBA(image.Rect(0, 0, 3, 1))
	rgb.SetRGBA(0, 0, color.RGBA{0, 0, 4, 255})
	rgb.SetRGBA(1, 0, color.RGBA{0, 0, 5, 255})
	rgb.SetRGBA(2, 0, color.RGBA{255, 0, 0, 255})
	pal := image.NewPaletted(image.Rect(0, 0, 3, 1), color.Palette{color.Gray{0}, color.Gray{3}})
	pal.Pix = []uint8{0, 1, 1}
	for name, img := range map[string]image.Image{"grey16": g16, "grey8": g8, "rgb": rgb, "palette": pal} {
		got := ToMask(roundTripPNG(t, img))
		if !bytes.Equal(got.Pix, []uint8{0, 255, 255}) || got.C != 1 {
			t.Errorf("%s: mask %v, want [0 255 255]", name, got.Pix)
		}
	}
}

func TestCropPadsWithZeros(t *testing.T) {
	m := &Image8{W: 2, H: 2, C: 1, Pix: []uint8{1, 2, 3, 4}}
	got := m.Crop(-1, 0, 4, 3)
	want := []uint8{0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}
	if !bytes.Equal(got.Pix, want) {
		t.Fatalf("Crop = %v, want %v", got.Pix, want)
	}
	if inner := m.Crop(1, 1, 1, 1); inner.Pix[0] != 4 {
		t.Fatalf("inner crop = %v", inner.Pix)
	}
}
