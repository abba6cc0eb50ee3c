package predict

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"github.com/mambaad/mambaad/data"
)

// geometry undoes the preprocessing for one input image: data.LoadImage
// resized the W×H input to Size×Size (each axis stretched on its own, so
// the aspect ratio is not kept) and took the centre Crop×Crop window, which
// is what the anomaly map covers. Each input pixel is mapped back through
// its centre: x+0.5 in the input is (x+0.5)·Size/W in the resized image,
// and minus the crop's origin in the map. Pixels whose centre falls outside
// the crop window were never seen by the model and get no score.
type geometry struct {
	W, H, Size, Crop int
	xs, ys           []tap
}

// tap is how one input column (or row) samples the map along its axis:
// linear interpolation between map indices i0 and i1 with weight f on i1,
// or nothing when the pixel lies outside the crop.
type tap struct {
	i0, i1 int
	f      float32
	in     bool
}

func newGeometry(w, h, size, crop int) (*geometry, error) {
	if w <= 0 || h <= 0 || size <= 0 || crop <= 0 {
		return nil, fmt.Errorf("predict: image %d×%d, resize %d, crop %d: all must be positive", w, h, size, crop)
	}
	o := data.CenterCropOrigin(size, crop)
	return &geometry{W: w, H: h, Size: size, Crop: crop, xs: axisTaps(w, size, crop, o), ys: axisTaps(h, size, crop, o)}, nil
}

// axisTaps maps the n input positions of one axis onto the crop-long map
// axis: the resized coordinate of the pixel centre, u = (i+0.5)·size/n,
// lies in the crop when origin ≤ u < origin+crop; the map is sampled at
// u − 0.5 − origin (map values sit at their pixel centres), clamped to the
// first and last map pixel, as bilinear resizing does at the border.
func axisTaps(n, size, crop, origin int) []tap {
	out := make([]tap, n)
	for i := range out {
		u := (float64(i) + 0.5) * float64(size) / float64(n)
		t := tap{in: u >= float64(origin) && u < float64(origin+crop)}
		c := math.Max(0, math.Min(float64(crop-1), u-0.5-float64(origin)))
		t.i0 = int(c)
		t.i1 = min(t.i0+1, crop-1)
		t.f = float32(c - float64(t.i0))
		out[i] = t
	}
	return out
}

// row computes row y of the anomaly map upsampled to the input's
// resolution, bilinearly in float32, into dst (W values). Pixels outside
// the crop are NaN: no score, so never at or above a threshold. It
// reports whether any pixel of the row lies in the crop.
func (g *geometry) row(amap []float32, y int, dst []float32) bool {
	ty := g.ys[y]
	if !ty.in {
		for x := range dst {
			dst[x] = float32(math.NaN())
		}
		return false
	}
	a := amap[ty.i0*g.Crop : (ty.i0+1)*g.Crop]
	b := amap[ty.i1*g.Crop : (ty.i1+1)*g.Crop]
	fy := ty.f
	seen := false
	for x, tx := range g.xs {
		if !tx.in {
			dst[x] = float32(math.NaN())
			continue
		}
		seen = true
		top := a[tx.i0] + tx.f*(a[tx.i1]-a[tx.i0])
		bot := b[tx.i0] + tx.f*(b[tx.i1]-b[tx.i0])
		dst[x] = top + fy*(bot-top)
	}
	return seen
}

// FullResMap returns the Crop×Crop anomaly map amap at the resolution of a
// w×h input that was resized to size×size and centre-cropped to
// crop×crop: bilinear, in float32, with NaN where the input was cut off
// by the crop. It is what predict thresholds for the mask and colours for
// the heat map (those stream it row by row instead of holding it).
func FullResMap(amap []float32, w, h, size, crop int) ([]float32, error) {
	if len(amap) != crop*crop {
		return nil, fmt.Errorf("predict: anomaly map has %d values, want %d×%d", len(amap), crop, crop)
	}
	g, err := newGeometry(w, h, size, crop)
	if err != nil {
		return nil, err
	}
	out := make([]float32, w*h)
	for y := range h {
		g.row(amap, y, out[y*w:(y+1)*w])
	}
	return out, nil
}

// srcRows reads an image a band of rows at a time as 8-bit RGBA, so a huge
// input is converted piece by piece (image/draw has fast paths for the
// decoders' own types: YCbCr, grey, NRGBA and more).
type srcRows struct {
	img  image.Image
	band *image.RGBA
	y0   int // first row in band; -1 before the first read
}

func newSrcRows(img image.Image) *srcRows {
	w := img.Bounds().Dx()
	rows := max(1, min(16, (1<<20)/w)) // about 4 MB at most
	return &srcRows{img: img, band: image.NewRGBA(image.Rect(0, 0, w, rows)), y0: -1}
}

// row returns the 4·W bytes of row y (rows must be asked for in order).
func (s *srcRows) row(y int) []uint8 {
	n := s.band.Rect.Dy()
	if s.y0 < 0 || y >= s.y0+n {
		s.y0 = y
		b := s.img.Bounds()
		draw.Draw(s.band, s.band.Rect, s.img, image.Pt(b.Min.X, b.Min.Y+y), draw.Src)
	}
	i := (y - s.y0) * s.band.Stride
	return s.band.Pix[i : i+4*s.band.Rect.Dx()]
}
