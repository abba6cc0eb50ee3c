package synth

import (
	"image"
	"math"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// rgb is a linear colour with components in [0, 1].
type rgb [3]float64

func (c rgb) scale(k float64) rgb { return rgb{c[0] * k, c[1] * k, c[2] * k} }

func mix(a, b rgb, t float64) rgb {
	return rgb{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}

// canvas is a float RGB image plus the defect mask being built with it.
type canvas struct {
	w, h int
	pix  []rgb
	mask []bool
}

func newCanvas(w, h int) *canvas {
	return &canvas{w: w, h: h, pix: make([]rgb, w*h), mask: make([]bool, w*h)}
}

// fill sets every pixel from f(x, y), sampled at pixel centres.
func (c *canvas) fill(f func(x, y float64) rgb) {
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			c.pix[y*c.w+x] = f(float64(x)+0.5, float64(y)+0.5)
		}
	}
}

// paint blends colour col over the box [x0,x1)×[y0,y1) with coverage
// a(x, y) ∈ [0, 1]; pixels with coverage ≥ 0.5 join the defect mask when
// defect is set. Only the box is visited, which keeps small defects cheap.
func (c *canvas) paint(x0, y0, x1, y1 float64, defect bool, a func(x, y float64) float64, col func(x, y float64, under rgb) rgb) {
	ix0, iy0 := max(int(x0), 0), max(int(y0), 0)
	ix1, iy1 := min(int(math.Ceil(x1)), c.w), min(int(math.Ceil(y1)), c.h)
	for y := iy0; y < iy1; y++ {
		for x := ix0; x < ix1; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			k := a(px, py)
			if k <= 0 {
				continue
			}
			i := y*c.w + x
			c.pix[i] = mix(c.pix[i], col(px, py, c.pix[i]), min(k, 1))
			if defect && k >= 0.5 {
				c.mask[i] = true
			}
		}
	}
}

// images quantises the canvas, adding a little sensor noise so that flat
// areas are not perfectly flat (as in any photograph).
func (c *canvas) images(seed uint64) (*image.RGBA, *image.Gray) {
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	mask := image.NewGray(image.Rect(0, 0, c.w, c.h))
	for i, p := range c.pix {
		n := (float64(splitmix.Mix(seed+uint64(i))>>11)/(1<<53) - 0.5) * 3 / 255
		for k := 0; k < 3; k++ {
			img.Pix[4*i+k] = quant(p[k] + n)
		}
		img.Pix[4*i+3] = 255
		if c.mask[i] {
			mask.Pix[i] = 255
		}
	}
	return img, mask
}

func quant(v float64) uint8 {
	return uint8(math.Round(255 * min(max(v, 0), 1)))
}

// grey is a convenience for uniform greys.
func grey(v float64) rgb { return rgb{v, v, v} }

// Shapes: coverage functions with one pixel of antialiasing.

// edge turns a signed distance (negative inside) into coverage.
func edge(d float64) float64 { return min(max(0.5-d, 0), 1) }

func smoothstep(a, b, x float64) float64 {
	t := min(max((x-a)/(b-a), 0), 1)
	return t * t * (3 - 2*t)
}

type point struct{ x, y float64 }

// segDist is the distance from p to the segment ab.
func segDist(p, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = min(max(((p.x-a.x)*dx+(p.y-a.y)*dy)/l2, 0), 1)
	}
	return math.Hypot(p.x-a.x-t*dx, p.y-a.y-t*dy)
}

// polyline is a curve given by its vertices, with a bounding box.
type polyline struct {
	pts                    []point
	minX, minY, maxX, maxY float64
}

func newPolyline(pts []point) polyline {
	pl := polyline{pts: pts, minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	for _, p := range pts {
		pl.minX, pl.maxX = min(pl.minX, p.x), max(pl.maxX, p.x)
		pl.minY, pl.maxY = min(pl.minY, p.y), max(pl.maxY, p.y)
	}
	return pl
}

func (pl polyline) dist(p point) float64 {
	d := math.Inf(1)
	for i := 1; i < len(pl.pts); i++ {
		d = min(d, segDist(p, pl.pts[i-1], pl.pts[i]))
	}
	return d
}

// bezier samples a quadratic Bézier curve into n+1 points.
func bezier(a, ctrl, b point, n int) []point {
	out := make([]point, n+1)
	for i := range out {
		t := float64(i) / float64(n)
		u := 1 - t
		out[i] = point{u*u*a.x + 2*u*t*ctrl.x + t*t*b.x, u*u*a.y + 2*u*t*ctrl.y + t*t*b.y}
	}
	return out
}
