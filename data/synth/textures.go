package synth

import (
	"math"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// drawFabric is a plain weave: blue warp and grey weft threads alternating
// over and under, each with a rounded profile, fibres along its length, dark
// gaps between threads and slow variations of dye and light.
func drawFabric(r *splitmix.Rand, size int, defect string) *canvas {
	s := float64(size) / 256
	p := 8 * s // thread period
	ox, oy := r.Range(0, 2*p), r.Range(0, 2*p)
	warp, weft := rgb{0.22, 0.30, 0.48}, rgb{0.60, 0.62, 0.66}
	exposure := r.Range(0.94, 1.06)
	fibre, dye := noise(r.Uint64()), noise(r.Uint64())
	c := newCanvas(size, size)
	c.fill(func(x, y float64) rgb {
		u, v := (x+ox)/p, (y+oy)/p
		fu, fv := u-math.Floor(u), v-math.Floor(v)
		col, across, along, f := weft, fv, fu, fibre.at(x*0.15/s, y*0.9/s)
		if (int(u)+int(v))%2 == 0 { // the warp thread is on top
			col, across, along, f = warp, fu, fv, fibre.at(x*0.9/s, y*0.15/s)
		}
		shade := 0.3 + 0.7*math.Pow(math.Sin(math.Pi*across), 0.6)*(0.82+0.18*math.Sin(math.Pi*along))
		k := shade * (0.86 + 0.28*f) * (0.92 + 0.16*dye.fbm(x/(70*s), y/(70*s), 2)) * exposure
		return col.scale(k)
	})
	all := anywhere(size, 24*s)
	switch defect {
	case "cut":
		line(c, r, all, r.Range(30, 70)*s, r.Range(2.2, 3.2)*s, func(under rgb) rgb { return under.scale(0.15) })
	case "hole":
		hole(c, r, all, r.Range(6, 13)*s, 2*s,
			func(x, y, depth float64) rgb { return grey(0.05 + 0.04*(1-depth)) },
			func(under rgb) rgb { return mix(under, weft, 0.6).scale(1.15) }) // frayed, lighter thread ends
	case "stain":
		tints := []rgb{{0.55, 0.42, 0.22}, {0.75, 0.30, 0.35}} // oil, wine
		stain(c, r, all, r.Range(10, 22)*s, r.Range(0.55, 0.8), tints[r.Intn(len(tints))])
	}
	return c
}

// drawWood is planed wood: annual rings as long bands that wander with
// low-frequency noise, fine streaks and pores along the grain.
func drawWood(r *splitmix.Rand, size int, defect string) *canvas {
	s := float64(size) / 256
	period := r.Range(11, 15) * s
	off, tilt := r.Range(0, 100), r.Range(-0.08, 0.08)
	light, dark := rgb{0.80, 0.60, 0.37}, rgb{0.55, 0.34, 0.18}
	bend, streak, pores := noise(r.Uint64()), noise(r.Uint64()), noise(r.Uint64())
	c := newCanvas(size, size)
	c.fill(func(x, y float64) rgb {
		yy := y + x*tilt + 40*s*(bend.fbm(x/(150*s), y/(70*s), 3)-0.5)
		t := (yy + off) / period
		t -= math.Floor(t)
		band := smoothstep(0.5, 0.72, t) * (1 - smoothstep(0.86, 1, t))
		col := mix(light, dark, 0.8*band).scale(0.88 + 0.2*streak.at(x/(30*s), yy/(0.8*s)))
		if pores.at(x/(5*s), yy/(0.6*s)) > 0.8 {
			col = col.scale(0.82)
		}
		return col
	})
	all := anywhere(size, 20*s)
	switch defect {
	case "crack":
		crack(c, r, all, tilt+r.Range(-0.2, 0.2)+math.Pi*float64(r.Intn(2)), 6*s, r.Range(1.2, 2)*s,
			func(under rgb) rgb { return rgb{under[0] * 0.3, under[1] * 0.24, under[2] * 0.2} })
	case "hole": // a worm hole: dark, with a darker rim of crushed fibres
		hole(c, r, all, r.Range(2.5, 5)*s, 1.2*s,
			func(x, y, depth float64) rgb { return rgb{0.10, 0.07, 0.04}.scale(1 - 0.5*depth) },
			func(under rgb) rgb { return under.scale(0.6) })
	case "scratch": // cuts through the finish: lighter fresh wood
		line(c, r, all, r.Range(35, 80)*s, r.Range(1.3, 2.1)*s,
			func(under rgb) rgb { return mix(under, rgb{0.95, 0.86, 0.70}, 0.8) })
	case "stain": // water stain: greyish darkening
		stain(c, r, all, r.Range(12, 24)*s, r.Range(0.5, 0.7), rgb{0.55, 0.55, 0.58})
	}
	return c
}
