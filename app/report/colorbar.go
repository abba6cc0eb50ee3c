package report

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"

	"golang.org/x/image/font"
)

// ColorScale maps anomaly scores to the jet colours between a low and a
// high score, exactly as Heatmap and Overlay colour them.
type ColorScale struct{ norm func(v float32) float64 }

// NewColorScale returns the scale from lo (dark blue) to hi (dark red);
// scores outside are clamped (see Heatmap for a degenerate range).
func NewColorScale(lo, hi float32) ColorScale { return ColorScale{normaliser(lo, hi)} }

// Color returns the colour of score v.
func (s ColorScale) Color(v float32) color.RGBA { return jetLUT[level(s.norm(v))] }

// ColorBarOptions describe the colour bar that explains a heat map.
type ColorBarOptions struct {
	Lo, Hi float32 // the colour scale (the same as the heat map's)
	// Threshold is marked on the bar with its value; NaN marks nothing.
	Threshold float64
	Title     string    // above the bar, e.g. "anomaly score"
	Note      string    // under the numbers, e.g. what the outlines mean; "" for none
	Face      font.Face // nil: the 7×13 bitmap face of gallery captions
}

// Colours of the colour bar: dark text on white, like the charts.
var (
	barBackground = color.RGBA{255, 255, 255, 255}
	barText       = color.RGBA{0x20, 0x20, 0x20, 255}
	barFrame      = color.RGBA{0x50, 0x50, 0x50, 255}
)

// ColorBar draws a horizontal legend strip width pixels wide: the jet
// colours from Lo (left) to Hi (right) with the two end values and a few
// round values in between, the threshold (when given) as a black marker
// with its value above the bar, the title, and the note. Title and note
// wrap to the width; the numbers never do, so a strip narrower than
// ColorBarMinWidth is widened to it. Its height follows from the face.
func ColorBar(width int, o ColorBarOptions) *image.RGBA {
	face := o.Face
	if face == nil {
		face = captionFace
	}
	l := newBarLayout(face, o)
	width = max(width, l.minWidth)
	inner := width - 2*l.pad
	title := wrapText(face, asciiOnly(face, o.Title), inner)
	note := wrapText(face, asciiOnly(face, o.Note), inner)

	// The bar spans the inner width; the marker's label sits above it,
	// centred on the marker but kept inside the strip.
	bx0, bx1 := l.pad, width-l.pad
	thrX, thrLabel, thrLX := 0, "", 0
	if l.hasThr {
		t := float64(ColorScale{normaliser(o.Lo, o.Hi)}.norm(float32(o.Threshold)))
		t = math.Max(0, math.Min(1, t))
		thrX = bx0 + int(math.Round(t*float64(bx1-bx0-1)))
		thrLabel = l.thrLabel
		tw := textWidth(face, thrLabel)
		thrLX = min(max(thrX-tw/2, l.pad), width-l.pad-tw)
	}
	// The title shares the marker label's row when they do not overlap.
	sameRow := l.hasThr && len(title) == 1 &&
		(l.pad+textWidth(face, title[0])+3*l.u <= thrLX)
	rows := len(title)
	if l.hasThr && !sameRow {
		rows++
	}
	h := l.pad + rows*l.lh + l.gap + l.tri + l.barH + l.tickH + l.lh + len(note)*l.lh + l.pad
	if rows == 0 {
		h -= l.gap
	}
	out := image.NewRGBA(image.Rect(0, 0, width, h))
	draw.Draw(out, out.Bounds(), image.NewUniform(barBackground), image.Point{}, draw.Src)

	y := l.pad
	for _, s := range title {
		drawText(out, face, barText, l.pad, y, s)
		y += l.lh
	}
	if l.hasThr {
		if sameRow {
			y -= l.lh
		}
		drawText(out, face, barText, thrLX, y, thrLabel)
		y += l.lh
	}
	if rows > 0 {
		y += l.gap
	}
	triTop := y
	by0 := y + l.tri
	by1 := by0 + l.barH

	// The colours, framed.
	for x := bx0; x < bx1; x++ {
		c := jetLUT[level((float64(x-bx0)+0.5)/float64(bx1-bx0))]
		fill(out, image.Rect(x, by0, x+1, by1), c)
	}
	for k := 1; k <= l.line; k++ {
		frame(out, image.Rect(bx0-k, by0-k, bx1+k, by1+k), barFrame)
	}

	// Numbers under the bar: both ends first, then round values where
	// they fit without touching another label.
	labelY := by1 + l.tickH
	var taken [][2]int
	put := func(x int, s string, align int) bool { // align −1 left, 0 centre, 1 right
		w := textWidth(face, s)
		x0 := x - w/2
		switch align {
		case -1:
			x0 = x
		case 1:
			x0 = x - w
		}
		if x0 < l.pad || x0+w > width-l.pad {
			return false
		}
		for _, t := range taken {
			if x0 < t[1]+3*l.u && t[0] < x0+w+3*l.u {
				return false
			}
		}
		taken = append(taken, [2]int{x0, x0 + w})
		drawText(out, face, barText, x0, labelY, s)
		return true
	}
	tick := func(x int) {
		x0 := min(max(x-l.line/2, bx0), bx1-l.line)
		fill(out, image.Rect(x0, by1, x0+l.line, by1+l.tickH), barFrame)
	}
	put(bx0, fmtScore(o.Lo), -1)
	tick(bx0)
	if o.Hi != o.Lo {
		put(bx1, fmtScore(o.Hi), 1)
		tick(bx1)
		if o.Hi > o.Lo {
			for _, v := range niceTicks(float64(o.Lo), float64(o.Hi), 4) {
				x := bx0 + int(math.Round((v-float64(o.Lo))/float64(o.Hi-o.Lo)*float64(bx1-bx0-1)))
				if put(x, v2s(v, niceStep(float64(o.Lo), float64(o.Hi), 4)), 0) {
					tick(x)
				}
			}
		}
	}

	// The threshold: a black line across the bar with a white edge on
	// either side (visible on dark blue and dark red alike) and a black
	// triangle above it pointing down.
	if l.hasThr {
		lw := l.markW
		x0 := min(max(thrX-lw/2, bx0), bx1-lw)
		fill(out, image.Rect(x0-l.line, by0, x0+lw+l.line, by1), color.RGBA{255, 255, 255, 255})
		fill(out, image.Rect(x0, triTop, x0+lw, by1), color.RGBA{0, 0, 0, 255})
		for i := 0; i < l.tri; i++ {
			half := (l.tri - i) * 2 / 3
			c := x0 + lw/2
			fill(out, image.Rect(c-half, triTop+i, c+half+lw%2+1, triTop+i+1), color.RGBA{0, 0, 0, 255})
		}
	}

	y = labelY + l.lh
	for _, s := range note {
		drawText(out, face, barText, l.pad, y, s)
		y += l.lh
	}
	return out
}

// ColorBarMinWidth is the narrowest strip ColorBar draws for o: the end
// values and the threshold label side by side, and room for the bar.
func ColorBarMinWidth(o ColorBarOptions) int {
	face := o.Face
	if face == nil {
		face = captionFace
	}
	return newBarLayout(face, o).minWidth
}

// barLayout holds the sizes of a colour bar, all derived from the face's
// line height so that the bar scales with its text.
type barLayout struct {
	lh, u, pad, gap, tri, barH, tickH, markW int
	line                                     int // frame and tick width
	hasThr                                   bool
	thrLabel                                 string
	minWidth                                 int
}

func newBarLayout(face font.Face, o ColorBarOptions) barLayout {
	lh := lineHeightOf(face)
	u := max(textWidth(face, "0"), 4) // one digit; labels stay 3u apart
	l := barLayout{lh: lh, u: u, pad: max(4, lh/2), gap: max(2, lh/5), tri: max(5, lh*2/5),
		barH: max(10, lh), tickH: max(3, lh/4), markW: max(2, lh/7), line: max(1, lh/20)}
	if !math.IsNaN(o.Threshold) && !math.IsInf(o.Threshold, 0) {
		l.hasThr = true
		l.thrLabel = "threshold " + fmtScore(float32(o.Threshold))
		switch {
		case o.Hi > o.Lo && o.Threshold > float64(o.Hi):
			l.thrLabel += " (above the scale)"
		case o.Hi > o.Lo && o.Threshold < float64(o.Lo):
			l.thrLabel += " (below the scale)"
		}
	}
	need := textWidth(face, fmtScore(o.Lo)) + 3*u + textWidth(face, fmtScore(o.Hi))
	need = max(need, textWidth(face, l.thrLabel), 10*u)
	l.minWidth = need + 2*l.pad
	return l
}

func fill(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(dst, r.Intersect(dst.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

// frame draws the 1-pixel outline of r.
func frame(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	fill(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), c)
	fill(dst, image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), c)
	fill(dst, image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), c)
	fill(dst, image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), c)
}

// fmtScore writes a score with four significant digits, as JSON readers
// and the report's captions show it (0.1234, 12.35, 1.5e-05).
func fmtScore(v float32) string {
	return strconv.FormatFloat(float64(v), 'g', 4, 32)
}

// niceStep is the 1-2-5 step that divides (lo, hi) into about n parts.
func niceStep(lo, hi float64, n int) float64 {
	raw := (hi - lo) / float64(n)
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 0
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch r := raw / mag; {
	case r < 1.5:
		return mag
	case r < 3.5:
		return 2 * mag
	case r < 7.5:
		return 5 * mag
	}
	return 10 * mag
}

// niceTicks are the multiples of niceStep strictly between lo and hi.
func niceTicks(lo, hi float64, n int) []float64 {
	step := niceStep(lo, hi, n)
	if step == 0 {
		return nil
	}
	var out []float64
	for k := math.Floor(lo/step) + 1; k*step < hi && len(out) < 4*n; k++ {
		if v := k * step; v > lo {
			out = append(out, v)
		}
	}
	return out
}

// v2s formats a round tick value with as many decimals as its step needs.
func v2s(v, step float64) string {
	d := 0
	if step > 0 && step < 1 {
		d = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	if math.Abs(v) < step/2 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}
