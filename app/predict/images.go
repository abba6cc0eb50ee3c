package predict

import (
	"fmt"
	"image"
	"math"
	"path/filepath"
	"strconv"

	"github.com/mambaad/mambaad/app/report"
)

// Colours of the parts of a heat map that are not the anomaly map: the
// input outside the crop is shown in dimmed grey (no score there), and the
// canvas beside a narrow image, under which the colour bar is wider, is
// white like the bar.
const (
	outsideBase = 64 // grey = outsideBase + luma/2: 64–191, never a jet colour
	canvasWhite = 255
)

// WriteImages writes the heat-map overlay of one image, and with
// o.Threshold its defect mask, into o.OutDir, both at the resolution of
// the input picture src, so that they lie exactly over the original.
//
// amap is the model's Crop×Crop map. It is upsampled bilinearly in float
// (FullResMap) through the inverse of the preprocessing: the resize to
// Size×Size stretched each axis on its own, so the map is stretched back
// to the input's aspect ratio; a centre crop covers only part of the input,
// and pixels outside it get no score: grey in the heat map, 0 in the mask.
//
//   - <name>_heatmap.png: the input blended half and half with the jet
//     colours of the full-resolution map, and under it a strip with the
//     colour bar: the image's score and verdict, the pixel-score range
//     with a few round values, and the threshold marked. The top W×H pixels are the
//     picture (W the input's width; the strip may be wider than a narrow
//     input, the canvas then white on the right).
//   - <name>_mask.png: W×H, 8-bit grey, 255 where the full-resolution map
//     is ≥ the threshold, else 0 (the MVTec ground-truth convention).
//
// Both are produced row by row (report.SavePNGRows): besides the decoded
// input, memory stays a few megabytes whatever the image size.
func WriteImages(r *Result, name string, src image.Image, amap []float32, o Options) error {
	crop := o.Crop
	if crop == 0 {
		crop = int(math.Round(math.Sqrt(float64(len(amap)))))
	}
	size := o.Size
	if size == 0 {
		size = crop
	}
	if len(amap) != crop*crop {
		return fmt.Errorf("predict: anomaly map has %d values, want %d×%d", len(amap), crop, crop)
	}
	b := src.Bounds()
	g, err := newGeometry(b.Dx(), b.Dy(), size, crop)
	if err != nil {
		return err
	}
	lo, hi := o.Lo, o.Hi
	if lo == 0 && hi == 0 {
		lo, hi = report.Range(amap)
		if th := r.Threshold(); th != nil {
			hi = max(hi, float32(*th))
		}
	}
	r.Heatmap = filepath.Join(o.OutDir, name+"_heatmap.png")
	bar := report.ColorBar(g.W, heatmapBar(r, g, lo, hi, o))
	if err := writeOverlay(r.Heatmap, src, g, amap, report.NewColorScale(lo, hi), bar); err != nil {
		return fmt.Errorf("%s: %w", r.Heatmap, err)
	}
	if r.Threshold() == nil {
		return nil
	}
	r.Mask = filepath.Join(o.OutDir, name+"_mask.png")
	if err := writeMask(r.Mask, g, amap, *r.Threshold()); err != nil {
		return fmt.Errorf("%s: %w", r.Mask, err)
	}
	return nil
}

// heatmapBar says what the colour bar under a heat map shows. Its text
// grows with the picture (1/64 of its longer side, 13 to 200 pixels)
// so that it stays readable when the whole image is fitted to a screen.
func heatmapBar(r *Result, g *geometry, lo, hi float32, o Options) report.ColorBarOptions {
	px := min(max(float64(max(g.W, g.H))/64, 13), 200)
	bar := report.ColorBarOptions{Lo: lo, Hi: hi, Threshold: math.NaN(), Face: report.TextFace(px)}
	if r.Decision == nil {
		return bar
	}
	bar.Title = "Score " + strconv.FormatFloat(r.Score, 'g', 4, 64)
	if r.Class != "" {
		bar.Title = r.Class + " · " + bar.Title
	}
	if th := r.Threshold(); th != nil {
		bar.Threshold = *th
	}
	if r.Anomalous != nil {
		if *r.Anomalous {
			bar.Title += " — ANOMALOUS"
		} else {
			bar.Title += " — normal"
		}
	}
	if g.Crop < g.Size {
		bar.Note = "Grey: outside the centre crop the model analyses (no score)."
	}
	return bar
}

// writeOverlay streams the heat map: the picture rows, then the bar's.
func writeOverlay(path string, src image.Image, g *geometry, amap []float32, scale report.ColorScale, bar *image.RGBA) error {
	bb := bar.Bounds()
	w, h := bb.Dx(), g.H+bb.Dy()
	mrow := make([]float32, g.W)
	sr := newSrcRows(src)
	const a = report.OverlayAlpha
	return report.SavePNGRows(path, w, h, false, func(y int, row []uint8) error {
		if y >= g.H {
			bp := bar.Pix[(y-g.H)*bar.Stride:]
			for x := range w {
				copy(row[3*x:3*x+3], bp[4*x:4*x+3])
			}
			return nil
		}
		g.row(amap, y, mrow)
		s := sr.row(y)
		for x, v := range mrow {
			p, q := row[3*x:3*x+3:3*x+3], s[4*x:4*x+3:4*x+3]
			if v != v { // outside the crop
				l := outsideBase + uint8((19595*uint32(q[0])+38470*uint32(q[1])+7471*uint32(q[2])+1<<15)>>17)
				p[0], p[1], p[2] = l, l, l
				continue
			}
			c := scale.Color(v)
			p[0] = uint8((1-a)*float32(q[0]) + a*float32(c.R) + 0.5)
			p[1] = uint8((1-a)*float32(q[1]) + a*float32(c.G) + 0.5)
			p[2] = uint8((1-a)*float32(q[2]) + a*float32(c.B) + 0.5)
		}
		for i := 3 * g.W; i < len(row); i++ {
			row[i] = canvasWhite
		}
		return nil
	})
}

// writeMask streams the mask: 255 where the full-resolution map ≥ thr.
func writeMask(path string, g *geometry, amap []float32, thr float64) error {
	mrow := make([]float32, g.W)
	return report.SavePNGRows(path, g.W, g.H, true, func(y int, row []uint8) error {
		g.row(amap, y, mrow)
		for x, v := range mrow {
			row[x] = 0
			if float64(v) >= thr {
				row[x] = 255
			}
		}
		return nil
	})
}
