package ops

import "github.com/mambaad/mambaad/parallel"

// Bilinear resizes each of planes = N·C planes (h, w) to (oh, ow) into y,
// overwritten, exactly as torch.nn.functional.interpolate(mode='bilinear')
// on CPU: with alignCorners the source coordinate is dst·(in−1)/(out−1);
// without it, it is (dst+0.5)·in/out − 0.5 clamped below at 0 (half-pixel
// centres). Coordinates and weights are float32 as in PyTorch.
func Bilinear(x []float32, planes, h, w, oh, ow int, alignCorners bool, y []float32) {
	const fn = "Bilinear"
	checkResize(fn, planes, h, w, oh, ow)
	checkLen(fn, "x", x, planes*h*w)
	checkLen(fn, "y", y, planes*oh*ow)
	ry, rx := linearTaps(h, oh, alignCorners), linearTaps(w, ow, alignCorners)
	parallel.For(planes, max(1, 16384/max(oh*ow, 1)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			xp, yp := x[p*h*w:(p+1)*h*w], y[p*oh*ow:(p+1)*oh*ow]
			for i, ty := range ry {
				r0, r1 := xp[ty.i0*w:(ty.i0+1)*w], xp[ty.i1*w:(ty.i1+1)*w]
				out := yp[i*ow : (i+1)*ow]
				for j, tx := range rx {
					top := r0[tx.i0]*tx.l0 + r0[tx.i1]*tx.l1
					bot := r1[tx.i0]*tx.l0 + r1[tx.i1]*tx.l1
					out[j] = ty.l0*top + ty.l1*bot
				}
			}
		}
	})
}

// BilinearAccumulate adds Bilinear's output to acc in float64: acc[i] =
// acc[i] + float64(y[i]) with y exactly what Bilinear would write, and
// then, when div is not 0, acc[i] /= div (the last level of an anomaly
// map). It replaces a Bilinear call, an accumulation pass and a division
// pass, and runs in parallel over planes and row blocks whatever the
// number of planes.
func BilinearAccumulate(x []float32, planes, h, w, oh, ow int, alignCorners bool, acc []float64, div float64) {
	const fn = "BilinearAccumulate"
	checkResize(fn, planes, h, w, oh, ow)
	checkLen(fn, "x", x, planes*h*w)
	if len(acc) != planes*oh*ow {
		fail("%s: acc has %d elements, want %d", fn, len(acc), planes*oh*ow)
	}
	ry, rx := linearTaps(h, oh, alignCorners), linearTaps(w, ow, alignCorners)
	const rowsPer = 16
	blocks := (oh + rowsPer - 1) / rowsPer
	parallel.For(planes*blocks, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			p, i0 := t/blocks, t%blocks*rowsPer
			xp := x[p*h*w : (p+1)*h*w]
			for i := i0; i < min(i0+rowsPer, oh); i++ {
				ty := ry[i]
				r0, r1 := xp[ty.i0*w:(ty.i0+1)*w], xp[ty.i1*w:(ty.i1+1)*w]
				out := acc[(p*oh+i)*ow : (p*oh+i+1)*ow]
				for j, tx := range rx {
					top := r0[tx.i0]*tx.l0 + r0[tx.i1]*tx.l1
					bot := r1[tx.i0]*tx.l0 + r1[tx.i1]*tx.l1
					u := float32(ty.l0*top + ty.l1*bot) // Bilinear's output value
					v := out[j] + float64(u)
					if div != 0 {
						v /= div
					}
					out[j] = v
				}
			}
		}
	})
}

func checkResize(fn string, planes, h, w, oh, ow int) {
	checkDims(fn, planes, h, w, oh, ow)
	if !(h > 0 && w > 0 && oh > 0 && ow > 0) {
		fail("%s: empty plane %dx%d → %dx%d", fn, h, w, oh, ow)
	}
}

// linearTap is one output coordinate's two source indices and weights.
type linearTap struct {
	i0, i1 int
	l0, l1 float32
}

// linearTaps reproduces PyTorch's area_pixel_compute_scale,
// area_pixel_compute_source_index and compute_source_index_and_lambda,
// including their float32 and float64 roundings.
func linearTaps(in, out int, alignCorners bool) []linearTap {
	taps := make([]linearTap, out)
	var scale float32
	switch {
	case alignCorners && out > 1:
		scale = float32(in-1) / float32(out-1)
	case !alignCorners:
		scale = float32(in) / float32(out)
	}
	for d := range taps {
		if in == out {
			taps[d] = linearTap{i0: d, i1: d, l0: 1}
			continue
		}
		var src float32
		if alignCorners {
			src = scale * float32(d)
		} else {
			// (dst + 0.5) is a double in PyTorch, so this line runs in float64.
			src = max(float32(float64(scale)*(float64(d)+0.5)-0.5), 0)
		}
		i0 := min(int(src), in-1)
		i1 := i0
		if i0 < in-1 {
			i1++
		}
		l1 := min(max(src-float32(i0), 0), 1)
		taps[d] = linearTap{i0: i0, i1: i1, l0: 1 - l1, l1: l1}
	}
	return taps
}
