package imageio

import (
	"image"
	"image/color"
)

// ToRGB converts a decoded image the way PIL's Image.convert("RGB") does
// for the file PIL would have opened:
//
//   - grey is replicated to three channels;
//   - alpha is dropped, never composited (PIL ignores it in this conversion);
//   - palette images take their palette colours;
//   - 16-bit colour keeps the high byte (PIL's "RGB;16B" unpacker);
//   - JPEG colour (YCbCr) is upsampled and converted as libjpeg does, see
//     ycbcrToRGB.
//
// One deliberate difference: 16-bit greyscale keeps its high byte too. PIL
// opens such files as mode "I" and its I→RGB conversion clips every value
// above 255 to white, which destroys any real 16-bit image; no benchmark
// dataset ships 16-bit grey inputs, so nothing comparable is lost.
func ToRGB(img image.Image) *Image8 {
	b := img.Bounds()
	out := NewImage8(b.Dx(), b.Dy(), 3)
	switch m := img.(type) {
	case *image.YCbCr:
		ycbcrToRGB(m, out)
	case *image.Gray:
		greyToRGB(m, out)
	case *image.Gray16:
		forEach(out, b, func(x, y int, p []uint8) {
			v := uint8(m.Gray16At(x, y).Y >> 8)
			p[0], p[1], p[2] = v, v, v
		})
	case *image.RGBA:
		forEach(out, b, func(x, y int, p []uint8) {
			i := m.PixOffset(x, y)
			if m.Pix[i+3] == 0xff {
				copy(p, m.Pix[i:i+3])
				return
			}
			c := color.NRGBAModel.Convert(m.RGBAAt(x, y)).(color.NRGBA)
			p[0], p[1], p[2] = c.R, c.G, c.B
		})
	case *image.Paletted:
		pal := make([][3]uint8, len(m.Palette))
		for i, c := range m.Palette {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			pal[i] = [3]uint8{n.R, n.G, n.B}
		}
		forEach(out, b, func(x, y int, p []uint8) {
			if i := int(m.ColorIndexAt(x, y)); i < len(pal) {
				copy(p, pal[i][:])
			}
		})
	case *image.NRGBA:
		forEach(out, b, func(x, y int, p []uint8) {
			i := m.PixOffset(x, y)
			copy(p, m.Pix[i:i+3])
		})
	case *image.NRGBA64:
		forEach(out, b, func(x, y int, p []uint8) {
			i := m.PixOffset(x, y)
			p[0], p[1], p[2] = m.Pix[i], m.Pix[i+2], m.Pix[i+4]
		})
	default:
		forEach(out, b, func(x, y int, p []uint8) {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			p[0], p[1], p[2] = c.R, c.G, c.B
		})
	}
	return out
}

func greyToRGB(m *image.Gray, out *Image8) {
	b := m.Bounds()
	for y := 0; y < out.H; y++ {
		src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		dst := out.Row(y)
		for x := 0; x < out.W; x++ {
			v := src[x]
			dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
		}
	}
}

// ToMask returns a one-channel image that is 255 where the reference's mask
// loader sees a defect and 0 elsewhere. The reference opens the mask with
// PIL, converts it to "L" and tests > 0; the same test is applied here to
// the PIL luma of every pixel. 16-bit grey masks are tested on their raw
// value (PIL clips them to 255 first, which gives the same answer), so a
// mask of any bit depth counts every non-zero pixel as defective.
func ToMask(img image.Image) *Image8 {
	b := img.Bounds()
	out := NewImage8(b.Dx(), b.Dy(), 1)
	switch m := img.(type) {
	case *image.Gray:
		forEach(out, b, func(x, y int, p []uint8) { p[0] = on(m.GrayAt(x, y).Y > 0) })
	case *image.Gray16:
		forEach(out, b, func(x, y int, p []uint8) { p[0] = on(m.Gray16At(x, y).Y > 0) })
	default:
		rgb := ToRGB(img)
		for i := range out.Pix {
			p := rgb.Pix[3*i : 3*i+3]
			out.Pix[i] = on(Luma(p[0], p[1], p[2]) > 0)
		}
	}
	return out
}

// Luma is PIL's RGB→L conversion: ITU-R 601 weights in 16-bit fixed point,
// rounded (L = R·299/1000 + G·587/1000 + B·114/1000).
func Luma(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

func on(b bool) uint8 {
	if b {
		return 255
	}
	return 0
}

// forEach calls fn for every pixel with the output samples of that pixel;
// x and y are in the source image's coordinates.
func forEach(out *Image8, b image.Rectangle, fn func(x, y int, p []uint8)) {
	c := out.C
	for y := 0; y < out.H; y++ {
		row := out.Row(y)
		for x := 0; x < out.W; x++ {
			fn(b.Min.X+x, b.Min.Y+y, row[x*c:x*c+c])
		}
	}
}
