package imageio

import "math"

// Resize is PIL's Image.resize((w, h), Image.BILINEAR) on an 8-bit image,
// reproduced bit for bit (Pillow ≥ 7, libImaging/Resample.c):
//
//   - per output pixel, a triangle filter whose support is widened by the
//     scale factor when shrinking (so shrinking is antialiased), evaluated in
//     float64 and normalised to sum 1;
//   - the weights converted to 22-bit fixed point;
//   - a horizontal pass first (only over the source rows the vertical pass
//     will read), rounded and clipped to 8 bits, then a vertical pass;
//   - a pass is skipped when its size does not change.
func Resize(src *Image8, w, h int) *Image8 {
	if w <= 0 || h <= 0 {
		panic("imageio: Resize to an empty size")
	}
	if w == src.W && h == src.H {
		out := *src
		out.Pix = append([]uint8(nil), src.Pix...)
		return &out
	}
	vert := newKernel(src.H, h)
	cur := src
	if w != src.W {
		first := vert.bounds[0]
		last := vert.bounds[2*(h-1)] + vert.bounds[2*(h-1)+1]
		cur = resampleH(src, newKernel(src.W, w), first, last)
		for i := 0; i < h; i++ {
			vert.bounds[2*i] -= first
		}
	}
	if h != src.H {
		cur = resampleV(cur, vert)
	}
	return cur
}

const precisionBits = 32 - 8 - 2 // PIL's PRECISION_BITS

// kernel holds, for every output index, the first input index, the number
// of taps and the taps themselves in fixed point (ksize slots each).
type kernel struct {
	ksize  int
	bounds []int // pairs (xmin, count)
	k      []int32
}

// newKernel is PIL's precompute_coeffs followed by normalize_coeffs_8bpc.
// Every float operation is written so that Go rounds exactly where C does
// (explicit float64 conversions keep the compiler from fusing a
// multiply-add).
func newKernel(inSize, outSize int) kernel {
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1.0)
	support := 1.0 * filterscale // the bilinear filter's support is 1
	ksize := int(math.Ceil(support))*2 + 1
	kn := kernel{ksize: ksize, bounds: make([]int, 2*outSize), k: make([]int32, outSize*ksize)}
	w := make([]float64, ksize)
	ss := 1.0 / filterscale
	for xx := 0; xx < outSize; xx++ {
		center := float64((float64(xx) + 0.5) * scale)
		xmin := max(int(center-support+0.5), 0)
		xmax := min(int(center+support+0.5), inSize) - xmin
		ww := 0.0
		for x := 0; x < xmax; x++ {
			t := float64((float64(x+xmin) - center + 0.5) * ss)
			w[x] = triangle(t)
			ww += w[x]
		}
		k := kn.k[xx*ksize : (xx+1)*ksize]
		for x := 0; x < xmax; x++ {
			v := w[x]
			if ww != 0 {
				v /= ww
			}
			k[x] = toFixed(v)
		}
		kn.bounds[2*xx], kn.bounds[2*xx+1] = xmin, xmax
	}
	return kn
}

func triangle(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

// toFixed rounds half away from zero by truncating v·2²² ± 0.5, as C's
// (int) cast in normalize_coeffs_8bpc does.
func toFixed(v float64) int32 {
	f := float64(v * (1 << precisionBits))
	if v < 0 {
		return int32(-0.5 + f)
	}
	return int32(0.5 + f)
}

// clip8 is PIL's clip8: drop the fraction bits, saturate to [0, 255].
func clip8(acc int32) uint8 {
	v := acc >> precisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// resampleH filters rows [first, last) of src horizontally.
func resampleH(src *Image8, kn kernel, first, last int) *Image8 {
	w, c := len(kn.bounds)/2, src.C
	out := NewImage8(w, last-first, c)
	for y := range out.H {
		in, dst := src.Row(first+y), out.Row(y)
		for xx := 0; xx < w; xx++ {
			xmin, n := kn.bounds[2*xx], kn.bounds[2*xx+1]
			k := kn.k[xx*kn.ksize:]
			for ch := 0; ch < c; ch++ {
				acc := int32(1 << (precisionBits - 1))
				for x := 0; x < n; x++ {
					acc += int32(in[(xmin+x)*c+ch]) * k[x]
				}
				dst[xx*c+ch] = clip8(acc)
			}
		}
	}
	return out
}

// resampleV filters src vertically; bounds are relative to src's first row.
func resampleV(src *Image8, kn kernel) *Image8 {
	h := len(kn.bounds) / 2
	out := NewImage8(src.W, h, src.C)
	rowLen := src.W * src.C
	acc := make([]int32, rowLen)
	for yy := 0; yy < h; yy++ {
		ymin, n := kn.bounds[2*yy], kn.bounds[2*yy+1]
		k := kn.k[yy*kn.ksize:]
		for i := range acc {
			acc[i] = 1 << (precisionBits - 1)
		}
		for y := 0; y < n; y++ {
			row, ky := src.Row(ymin+y), k[y]
			for i, v := range row {
				acc[i] += int32(v) * ky
			}
		}
		dst := out.Row(yy)
		for i, a := range acc {
			dst[i] = clip8(a)
		}
	}
	return out
}
