package synth

import (
	"math"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// nut is the geometry of one hex nut lying on a felt mat.
type nut struct {
	cx, cy, circ, rot   float64 // centre, circumradius, rotation
	apothem, face, bore float64
	s                   float64
	normals             [6][2]float64 // unit normals of the six sides
	mat, grain          noise
}

func newNut(r *splitmix.Rand, size int) nut {
	s := float64(size) / 256
	n := nut{cx: float64(size)/2 + r.Range(-6, 6)*s, cy: float64(size)/2 + r.Range(-6, 6)*s,
		circ: r.Range(0.31, 0.33) * float64(size), rot: r.Range(0, math.Pi/3), s: s,
		mat: noise(r.Uint64()), grain: noise(r.Uint64())}
	for k := range n.normals {
		a := n.rot + float64(k)*math.Pi/3
		n.normals[k] = [2]float64{math.Cos(a), math.Sin(a)}
	}
	n.apothem = n.circ * math.Cos(math.Pi/6)
	n.face = 0.96 * n.apothem // the flat face; the chamfer lies outside it
	n.bore = 0.42 * n.circ
	return n
}

// hexDist is the signed distance to the hexagon outline (negative inside),
// for a hexagon shifted by (dx, dy).
func (n nut) hexDist(x, y, dx, dy float64) float64 {
	px, py := x-n.cx-dx, y-n.cy-dy
	d := math.Inf(-1)
	for _, nv := range n.normals {
		d = max(d, px*nv[0]+py*nv[1])
	}
	return d - n.apothem
}

// cover is how much of the nut's metal covers (x, y).
func (n nut) cover(x, y float64) float64 {
	r := math.Hypot(x-n.cx, y-n.cy)
	return edge(n.hexDist(x, y, 0, 0)) * edge(n.bore-r)
}

// felt is the mat, without the nut's shadow.
func (n nut) felt(x, y float64) rgb {
	base := rgb{0.34, 0.37, 0.40}.scale(0.85 + 0.3*n.mat.fbm(x/(40*n.s), y/(40*n.s), 3))
	return base.scale(0.9 + 0.1*n.mat.at(x/(1.5*n.s), y/(1.5*n.s)))
}

// background is the mat with the soft shadow the nut casts.
func (n nut) background(x, y float64) rgb {
	shadow := smoothstep(-6*n.s, 4*n.s, -n.hexDist(x, y, 5*n.s, 6*n.s))
	return n.felt(x, y).scale(1 - 0.45*shadow)
}

func (n nut) metal(x, y float64) rgb {
	dx, dy := x-n.cx, y-n.cy
	r, a := math.Hypot(dx, dy), math.Atan2(dy, dx)
	light := 0.5 + 0.5*math.Cos(a+2.3) // lit from the upper left
	switch {
	case r < n.bore*1.2: // threads: fine concentric ridges, in shadow
		ridge := 0.5 + 0.5*math.Sin(2*math.Pi*r/(2.4*n.s))
		return grey(0.22 + 0.18*ridge + 0.1*light)
	case r < n.face: // machined face: fine circular turning marks
		marks := n.grain.at(r/(0.7*n.s), 3)
		return rgb{0.64, 0.65, 0.67}.scale(0.8 + 0.12*light + 0.16*marks)
	default: // chamfer: strongly lit or shaded by direction
		return rgb{0.60, 0.61, 0.63}.scale(0.55 + 0.5*light)
	}
}

// drawNut draws the nut; defects are a broken-off corner, rust and a
// scratch on the face.
func drawNut(r *splitmix.Rand, size int, defect string) *canvas {
	n := newNut(r, size)
	c := newCanvas(size, size)
	c.fill(func(x, y float64) rgb {
		bg := n.background(x, y)
		if rr := math.Hypot(x-n.cx, y-n.cy); rr < n.bore {
			bg = bg.scale(0.35) // seen through the bore, in its shadow
		}
		return mix(bg, n.metal(x, y), n.cover(x, y))
	})
	face := region{
		inside: func(x, y float64) bool {
			r := math.Hypot(x-n.cx, y-n.cy)
			return r > n.bore*1.35 && r < n.face*0.9
		},
		clip: n.cover,
	}
	s := n.s
	switch defect {
	case "missing":
		n.breakCorner(c, r)
	case "rust":
		stain(c, r, face, r.Range(9, 16)*s, r.Range(0.7, 0.9), rgb{0.95, 0.45, 0.15})
	case "scratch":
		line(c, r, face, r.Range(25, 45)*s, r.Range(1.2, 1.8)*s,
			func(under rgb) rgb { return mix(under, grey(0.97), 0.75) })
	}
	return c
}

// breakCorner removes a bite around one corner of the hexagon: the felt
// shows where metal was (unshadowed, as nothing stands there any more), and
// those pixels are the defect.
func (n nut) breakCorner(c *canvas, r *splitmix.Rand) {
	a := n.rot + math.Pi/6 + float64(r.Intn(6))*math.Pi/3
	vx, vy := n.cx+n.circ*math.Cos(a), n.cy+n.circ*math.Sin(a)
	rad := r.Range(0.25, 0.38) * n.circ
	rough := noise(r.Uint64())
	bite := func(x, y float64) float64 {
		d := math.Hypot(x-vx, y-vy) - rad*(0.85+0.3*rough.at(x/(4*n.s), y/(4*n.s)))
		return edge(d)
	}
	ext := 1.3*rad + 2
	c.paint(vx-ext, vy-ext, vx+ext, vy+ext, true,
		func(x, y float64) float64 { return bite(x, y) * n.cover(x, y) },
		func(x, y float64, _ rgb) rgb { return n.felt(x, y) })
}
