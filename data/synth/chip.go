package synth

import (
	"math"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// chip is one integrated circuit (a dual in-line package) on a green board.
type chip struct {
	x0, y0, x1, y1 float64 // package body
	pinW, pinL     float64
	pins           []float64 // pin centre x positions (same on both sides)
	s              float64
	grain, epoxy   noise
}

const chipPins = 7

// chipMarks is the printing on every chip: rows of "characters" as
// fractions of the body width. Fixed, so all good chips read the same.
var chipMarks = [][][2]float64{
	{{0.22, 0.30}, {0.32, 0.38}, {0.40, 0.47}, {0.49, 0.53}, {0.55, 0.63}, {0.65, 0.72}},
	{{0.22, 0.27}, {0.29, 0.36}, {0.38, 0.42}, {0.44, 0.52}},
}

func newChip(r *splitmix.Rand, size int) chip {
	s := float64(size) / 256
	fs := float64(size)
	cx, cy := fs/2+r.Range(-5, 5)*s, fs/2+r.Range(-5, 5)*s
	w, h := 0.50*fs, 0.34*fs
	c := chip{x0: cx - w/2, y0: cy - h/2, x1: cx + w/2, y1: cy + h/2,
		pinW: 0.034 * fs, pinL: 0.08 * fs, s: s, grain: noise(r.Uint64()), epoxy: noise(r.Uint64())}
	for i := range chipPins {
		c.pins = append(c.pins, c.x0+(float64(i)+0.5)*w/chipPins)
	}
	return c
}

// body is the coverage of the package (a rectangle with rounded corners).
func (c chip) body(x, y float64) float64 {
	rad := 3 * c.s
	qx := max(c.x0+rad-x, x-(c.x1-rad), 0)
	qy := max(c.y0+rad-y, y-(c.y1-rad), 0)
	return edge(math.Hypot(qx, qy) - rad)
}

// pin returns the coverage of pin i on the top (side 0) or bottom (side 1).
func (c chip) pin(i, side int, x, y float64) float64 {
	ya, yb := c.y0-c.pinL, c.y0+1
	if side == 1 {
		ya, yb = c.y1-1, c.y1+c.pinL
	}
	return edge(max(math.Abs(x-c.pins[i])-c.pinW/2, ya-y, y-yb))
}

// nearestPin returns the pin closest to (x, y) and its coverage there
// (pins are far enough apart that only the nearest can cover a pixel).
func (c chip) nearestPin(x, y float64) (i, side int, a float64) {
	pitch := (c.x1 - c.x0) / chipPins
	i = min(max(int((x-c.x0)/pitch), 0), chipPins-1)
	if y > (c.y0+c.y1)/2 {
		side = 1
	}
	return i, side, c.pin(i, side, x, y)
}

func (c chip) board(x, y float64) rgb {
	col := rgb{0.10, 0.32, 0.17}.scale(0.85 + 0.3*c.grain.fbm(x/(50*c.s), y/(50*c.s), 3))
	pitch := (c.x1 - c.x0) / chipPins // copper traces running away from the pins
	if k := math.Floor((x - c.x0) / pitch); k >= 0 && k < chipPins && math.Abs(x-c.pins[int(k)]) < 0.4*c.pinW {
		col = mix(col, rgb{0.30, 0.45, 0.20}, 0.6)
	}
	return col
}

func (c chip) pkgColour(x, y float64) rgb {
	u, v := (x-c.x0)/(c.x1-c.x0), (y-c.y0)/(c.y1-c.y0)
	col := grey(0.13 + 0.05*(1-u)*(1-v) + 0.04*c.epoxy.at(x/(0.8*c.s), y/(0.8*c.s)))
	if math.Hypot(u-0.09, (v-0.2)*(c.y1-c.y0)/(c.x1-c.x0)) < 0.035 { // pin-1 dimple
		col = grey(0.07)
	}
	for row, marks := range chipMarks {
		vy := 0.42 + 0.2*float64(row)
		for _, m := range marks {
			if u > m[0] && u < m[1] && v > vy && v < vy+0.11 {
				col = grey(0.55 + 0.06*c.epoxy.at(x/(0.5*c.s), y/(0.5*c.s)))
			}
		}
	}
	return col
}

func (c chip) pinColour(x, y float64) rgb {
	t := math.Abs(y-(c.y0+c.y1)/2) / ((c.y1-c.y0)/2 + c.pinL) // brighter towards the tips
	return rgb{0.70, 0.71, 0.74}.scale(0.75 + 0.3*t + 0.05*c.epoxy.at(x/c.s, y/c.s))
}

// drawChip draws the chip; defects are a broken corner, a missing pin, a
// scratch and a residue stain on the package.
func drawChip(r *splitmix.Rand, size int, defect string) *canvas {
	ch := newChip(r, size)
	missing, side := -1, 0
	if defect == "missing_pin" {
		missing, side = r.Intn(chipPins), r.Intn(2)
	}
	cv := newCanvas(size, size)
	cv.fill(func(x, y float64) rgb {
		col := ch.board(x, y)
		if i, sd, a := ch.nearestPin(x, y); a > 0 && (i != missing || sd != side) {
			col = mix(col, ch.pinColour(x, y), a)
		}
		if b := ch.body(x, y); b > 0 {
			col = mix(col, ch.pkgColour(x, y), b)
		}
		return col
	})
	on := region{
		inside: func(x, y float64) bool {
			return x > ch.x0+8*ch.s && x < ch.x1-8*ch.s && y > ch.y0+8*ch.s && y < ch.y1-8*ch.s
		},
		clip: ch.body,
	}
	switch defect {
	case "missing_pin": // the defect is where the pin should be
		i := missing
		cv.paint(ch.pins[i]-ch.pinW, ch.y0-ch.pinL-2, ch.pins[i]+ch.pinW, ch.y1+ch.pinL+2, true,
			func(x, y float64) float64 { return ch.pin(i, side, x, y) * (1 - ch.body(x, y)) },
			func(x, y float64, under rgb) rgb { return under })
	case "broken":
		ch.breakCorner(cv, r)
	case "scratch":
		line(cv, r, on, r.Range(25, 50)*ch.s, r.Range(1.2, 1.8)*ch.s,
			func(under rgb) rgb { return mix(under, grey(0.5), 0.8) })
	case "stain": // flux residue: a pale, translucent film
		stain(cv, r, on, r.Range(8, 14)*ch.s, r.Range(0.6, 0.8), rgb{3.6, 3.5, 3.0})
	}
	return cv
}

// breakCorner chips off one corner of the package along a jagged line; the
// board shows through, with a pale fracture edge.
func (c chip) breakCorner(cv *canvas, r *splitmix.Rand) {
	corner := r.Intn(4)
	cx, sx := c.x0, 1.0
	if corner%2 == 1 {
		cx, sx = c.x1, -1
	}
	cy, sy := c.y0, 1.0
	if corner/2 == 1 {
		cy, sy = c.y1, -1
	}
	a, b := r.Range(0.12, 0.22)*float64(cv.w), r.Range(0.10, 0.18)*float64(cv.w)
	rough := noise(r.Uint64())
	// inside the triangle with legs a and b at the corner, edge roughened
	cut := func(x, y float64) float64 {
		u, v := (x-cx)*sx/a, (y-cy)*sy/b
		return edge((u + v - 1 + 0.15*(rough.at(x/(3*c.s), y/(3*c.s))-0.5)) * math.Min(a, b) / math.Sqrt2)
	}
	x0, x1 := min(cx, cx+sx*a)-2, max(cx, cx+sx*a)+2
	y0, y1 := min(cy, cy+sy*b)-2, max(cy, cy+sy*b)+2
	cv.paint(x0, y0, x1, y1, true,
		func(x, y float64) float64 { return min(cut(x-2*c.s*sx, y-2*c.s*sy), 1) * c.body(x, y) },
		func(_, _ float64, under rgb) rgb { return grey(0.42) }) // fracture surface
	cv.paint(x0, y0, x1, y1, true,
		func(x, y float64) float64 { return cut(x, y) * c.body(x, y) },
		func(x, y float64, _ rgb) rgb { return c.board(x, y) })
}
