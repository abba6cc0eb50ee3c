package imageio

import "image"

// JPEG colour is where Go and PIL part ways: Go's image/jpeg hands back the
// chroma planes at their stored (subsampled) resolution and its YCbCr→RGB
// repeats each chroma sample, while libjpeg (PIL's decoder) interpolates
// them with its "fancy" triangle filter and converts with its own
// fixed-point tables. Repeating chroma shifts colour edges by up to tens of
// levels, so the libjpeg steps are reproduced here. The inverse DCTs of the
// two decoders still differ by about one level on some pixels; that part
// cannot be matched without a second JPEG decoder.

// libjpeg's jdcolor.c tables: 16-bit fixed point, FIX(x) = round(x·2¹⁶).
var (
	crR, cbB, crG, cbG [256]int32
)

func init() {
	const half = 1 << 15
	for i := range 256 {
		x := int32(i) - 128
		crR[i] = (91881*x + half) >> 16  // FIX(1.40200)
		cbB[i] = (116130*x + half) >> 16 // FIX(1.77200)
		crG[i] = -46802 * x              // -FIX(0.71414)
		cbG[i] = -22554*x + half         // -FIX(0.34414), rounding folded in
	}
}

func clampU8(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// ycbcrToRGB upsamples both chroma planes to full size and converts.
func ycbcrToRGB(m *image.YCbCr, out *Image8) {
	w, h := out.W, out.H
	cb := upsampleChroma(m, m.Cb, w, h)
	cr := upsampleChroma(m, m.Cr, w, h)
	for y := 0; y < h; y++ {
		yrow := m.Y[m.YOffset(m.Rect.Min.X, m.Rect.Min.Y+y):]
		dst := out.Row(y)
		for x := 0; x < w; x++ {
			yy := int32(yrow[x])
			b, r := cb[y*w+x], cr[y*w+x]
			dst[3*x] = clampU8(yy + crR[r])
			dst[3*x+1] = clampU8(yy + (cbG[b]+crG[r])>>16)
			dst[3*x+2] = clampU8(yy + cbB[b])
		}
	}
}

// chromaGeometry returns the subsampling factors of a ratio.
func chromaGeometry(r image.YCbCrSubsampleRatio) (hf, vf int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// upsampleChroma returns plane at full w×h resolution, choosing the method
// libjpeg-turbo's jinit_upsampler would: fancy for h2v1 and h2v2 when the
// plane is wider than two samples, fancy for h1v2, replication otherwise.
func upsampleChroma(m *image.YCbCr, plane []uint8, w, h int) []uint8 {
	hf, vf := chromaGeometry(m.SubsampleRatio)
	cw, ch := (w+hf-1)/hf, (h+vf-1)/vf
	// Rows outside the plane repeat its first or last row, as libjpeg's
	// context rows do at the image edges.
	in := func(cy int) []uint8 {
		cy = max(0, min(cy, ch-1))
		o := m.COffset(m.Rect.Min.X, m.Rect.Min.Y+cy*vf)
		return plane[o : o+cw]
	}
	out := make([]uint8, w*h)
	fancyH := hf == 2 && cw > 2
	tmp := make([]uint8, cw*hf+2)
	for y := 0; y < h; y++ {
		cy := y / vf
		row := tmp[:cw*hf]
		switch {
		case vf == 2 && (hf == 1 || fancyH):
			// The nearer row weighs 3/4, the next nearer (above for even
			// output rows, below for odd) 1/4.
			near, far := in(cy), in(cy-1)
			bias := int32(1)
			if y%2 == 1 {
				far, bias = in(cy+1), 2
			}
			if hf == 1 {
				for i := range cw {
					row[i] = uint8((3*int32(near[i]) + int32(far[i]) + bias) >> 2)
				}
			} else {
				fancyH2V2(near, far, row)
			}
		case vf == 1 && fancyH:
			fancyH2V1(in(cy), row)
		default:
			src := in(cy)
			for i := range row {
				row[i] = src[i/hf]
			}
		}
		copy(out[y*w:(y+1)*w], row)
	}
	return out
}

// fancyH2V1 is libjpeg's h2v1_fancy_upsample for one row (len(in) > 2).
func fancyH2V1(in, out []uint8) {
	n := len(in)
	out[0] = in[0]
	out[1] = uint8((3*int32(in[0]) + int32(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v := 3 * int32(in[i])
		out[2*i] = uint8((v + int32(in[i-1]) + 1) >> 2)
		out[2*i+1] = uint8((v + int32(in[i+1]) + 2) >> 2)
	}
	out[2*n-2] = uint8((3*int32(in[n-1]) + int32(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// fancyH2V2 is one output row of libjpeg's h2v2_fancy_upsample: column
// sums 3·near+far, then the same 3:1 weighting horizontally (len(near) > 2).
func fancyH2V2(near, far, out []uint8) {
	n := len(near)
	sum := func(i int) int32 { return 3*int32(near[i]) + int32(far[i]) }
	out[0] = uint8((sum(0)*4 + 8) >> 4)
	out[1] = uint8((sum(0)*3 + sum(1) + 7) >> 4)
	for i := 1; i < n-1; i++ {
		s := sum(i) * 3
		out[2*i] = uint8((s + sum(i-1) + 8) >> 4)
		out[2*i+1] = uint8((s + sum(i+1) + 7) >> 4)
	}
	out[2*n-2] = uint8((sum(n-1)*3 + sum(n-2) + 8) >> 4)
	out[2*n-1] = uint8((sum(n-1)*4 + 7) >> 4)
}
