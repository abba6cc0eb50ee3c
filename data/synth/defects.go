package synth

import (
	"math"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// region says where a defect may be placed (inside) and how much of it
// shows at a point (clip: 1 on the part, 0 off it), so that, for example,
// a scratch on a nut stops at the nut's edge.
type region struct {
	inside func(x, y float64) bool
	clip   func(x, y float64) float64
}

// anywhere is the region of a texture: the whole image less a margin.
func anywhere(size int, margin float64) region {
	lim := float64(size) - margin
	return region{
		inside: func(x, y float64) bool { return x > margin && y > margin && x < lim && y < lim },
		clip:   func(x, y float64) float64 { return 1 },
	}
}

// pick draws a point inside the region by rejection sampling.
func (rg region) pick(r *splitmix.Rand, size int) point {
	for range 1000 {
		p := point{r.Range(0, float64(size)), r.Range(0, float64(size))}
		if rg.inside(p.x, p.y) {
			return p
		}
	}
	return point{float64(size) / 2, float64(size) / 2}
}

// line paints a thin curved line (a scratch or a cut): a quadratic Bézier
// of the given length and width centred in the region.
func line(c *canvas, r *splitmix.Rand, rg region, length, width float64, col func(under rgb) rgb) {
	p := rg.pick(r, c.w)
	th := r.Range(0, math.Pi)
	dx, dy := math.Cos(th)*length/2, math.Sin(th)*length/2
	bend := r.Range(-0.35, 0.35) * length
	ctrl := point{p.x - math.Sin(th)*bend, p.y + math.Cos(th)*bend}
	stroke(c, newPolyline(bezier(point{p.x - dx, p.y - dy}, ctrl, point{p.x + dx, p.y + dy}, 24)), rg, width, col)
}

// stroke paints a polyline of the given width, at least 1.2 pixels so that
// at small image sizes the line (and its mask) stays unbroken.
func stroke(c *canvas, pl polyline, rg region, width float64, col func(under rgb) rgb) {
	width = max(width, 1.2)
	pad := width + 2
	c.paint(pl.minX-pad, pl.minY-pad, pl.maxX+pad, pl.maxY+pad, true,
		func(x, y float64) float64 { return edge(pl.dist(point{x, y})-width/2) * rg.clip(x, y) },
		func(_, _ float64, under rgb) rgb { return col(under) })
}

// crack paints a jagged line: a random walk that mostly keeps its heading.
func crack(c *canvas, r *splitmix.Rand, rg region, heading, step, width float64, col func(under rgb) rgb) {
	p := rg.pick(r, c.w)
	n := 8 + r.Intn(7)
	pts := []point{p}
	for range n {
		heading += 0.25 * r.Norm()
		s := step * r.Range(0.6, 1.4)
		p = point{p.x + s*math.Cos(heading), p.y + s*math.Sin(heading)}
		pts = append(pts, p)
	}
	stroke(c, newPolyline(pts), rg, width, col)
}

// hole paints a roundish hole of radius about rad, its outline made
// irregular with noise, surrounded by a rim of the given width.
func hole(c *canvas, r *splitmix.Rand, rg region, rad, rim float64, inner func(x, y, depth float64) rgb, rimCol func(under rgb) rgb) {
	p := rg.pick(r, c.w)
	wobble := noise(r.Uint64())
	radius := func(x, y float64) float64 {
		a := math.Atan2(y-p.y, x-p.x)
		return rad * (0.8 + 0.4*wobble.at(3*math.Cos(a)+5, 3*math.Sin(a)+5))
	}
	ext := 1.3*rad + rim + 2
	x0, y0, x1, y1 := p.x-ext, p.y-ext, p.x+ext, p.y+ext
	c.paint(x0, y0, x1, y1, true,
		func(x, y float64) float64 { return edge(math.Hypot(x-p.x, y-p.y)-radius(x, y)-rim) * rg.clip(x, y) },
		func(_, _ float64, under rgb) rgb { return rimCol(under) })
	c.paint(x0, y0, x1, y1, true,
		func(x, y float64) float64 { return edge(math.Hypot(x-p.x, y-p.y)-radius(x, y)) * rg.clip(x, y) },
		func(x, y float64, _ rgb) rgb {
			return inner(x, y, 1-math.Hypot(x-p.x, y-p.y)/radius(x, y))
		})
}

// stain paints a soft blob made of a few overlapping Gaussians roughened by
// noise. Like a dye it multiplies the surface by tint, so the texture shows
// through. The mask is where the blob's field passes one half, which is
// where the colour change is at least half its full strength.
func stain(c *canvas, r *splitmix.Rand, rg region, rad, opacity float64, tint rgb) {
	p := rg.pick(r, c.w)
	type blob struct{ x, y, s float64 }
	blobs := make([]blob, 2+r.Intn(3))
	for i := range blobs {
		blobs[i] = blob{p.x + r.Norm()*rad*0.4, p.y + r.Norm()*rad*0.4, rad * r.Range(0.35, 0.6)}
	}
	rough := noise(r.Uint64())
	field := func(x, y float64) float64 {
		f := 0.0
		for _, b := range blobs {
			d2 := (x-b.x)*(x-b.x) + (y-b.y)*(y-b.y)
			f += math.Exp(-d2 / (2 * b.s * b.s))
		}
		return f + 0.35*(rough.fbm(x/(0.3*rad), y/(0.3*rad), 3)-0.5)
	}
	ext := 2.5 * rad
	c.paint(p.x-ext, p.y-ext, p.x+ext, p.y+ext, true,
		func(x, y float64) float64 { return smoothstep(0.3, 0.7, field(x, y)) * rg.clip(x, y) },
		func(_, _ float64, under rgb) rgb {
			return mix(under, rgb{under[0] * tint[0], under[1] * tint[1], under[2] * tint[2]}, opacity)
		})
}
