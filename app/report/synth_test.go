package report

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// synthImage is a small synthetic test image: a smooth anomaly map with a
// bright disc on anomalous images, its mask, and a textured RGB picture,
// enough to exercise every drawing path quickly.
type synthImage struct {
	Name  string
	Img   *image.RGBA
	Map   []float32
	Mask  []uint8 // nil for a normal image
	Score float64
}

func synthClass(seed uint64, n, w, h int, anomalousEvery int) []synthImage {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]synthImage, n)
	for k := range out {
		s := synthImage{Name: "img" + string(rune('a'+k%26)), Img: image.NewRGBA(image.Rect(0, 0, 2*w, 2*h)), Map: make([]float32, w*h)}
		for y := 0; y < 2*h; y++ {
			for x := 0; x < 2*w; x++ {
				v := uint8(120 + 60*math.Sin(float64(x)/7)*math.Cos(float64(y)/11))
				s.Img.SetRGBA(x, y, color.RGBA{v, v / 2, 255 - v, 255})
			}
		}
		anomalous := anomalousEvery > 0 && k%anomalousEvery == 0
		cx, cy, r := w/4+rng.IntN(w/2), h/4+rng.IntN(h/2), float64(w)/8+rng.Float64()*float64(w)/8
		if anomalous {
			s.Mask = make([]uint8, w*h)
		}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := 0.1 + 0.3*rng.Float64()
				d := math.Hypot(float64(x-cx), float64(y-cy))
				if anomalous {
					if d < r {
						s.Mask[y*w+x] = 255
					}
					v += 0.5 * math.Exp(-d*d/(2*r*r)) * (0.5 + 0.5*rng.Float64())
				}
				s.Map[y*w+x] = float32(v)
				s.Score = math.Max(s.Score, v)
			}
		}
		out[k] = s
	}
	return out
}
