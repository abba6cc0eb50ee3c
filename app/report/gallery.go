package report

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Tile is one picture of a gallery with a caption under it; "\n" in Title
// starts a new caption line.
type Tile struct {
	Title string
	Img   image.Image
}

// Gallery layout in pixels. basicfont's 7×13 face is built in (no font
// files, nothing to load) and readable at 1:1, which is how galleries are
// viewed.
const (
	galleryPad   = 8  // around and between cells
	lineHeight   = 15 // 13-pixel face plus 2 of leading
	captionGap   = 4  // between a picture and its caption
	maxGalleryPx = 20000
)

var captionFace = basicfont.Face7x13

// RenderGallery lays the tiles out row by row in cols columns. Every cell
// is as large as the largest tile (smaller ones are centred), with room
// for the longest caption; captions wider than a cell are cut with "...".
func RenderGallery(tiles []Tile, cols int) (*image.RGBA, error) {
	if len(tiles) == 0 {
		return nil, errors.New("report: gallery has no tiles")
	}
	if cols <= 0 {
		return nil, fmt.Errorf("report: gallery needs at least one column, got %d", cols)
	}
	cols = min(cols, len(tiles))
	rows := (len(tiles) + cols - 1) / cols
	cellW, cellH, lines := 0, 0, 0
	for i, t := range tiles {
		if t.Img == nil {
			return nil, fmt.Errorf("report: gallery tile %d (%q) has no image", i, t.Title)
		}
		b := t.Img.Bounds()
		cellW, cellH = max(cellW, b.Dx()), max(cellH, b.Dy())
	}
	charsPerLine := max(4, cellW/captionFace.Advance)
	captions := make([][]string, len(tiles))
	for i, t := range tiles {
		captions[i] = captionLines(t.Title, charsPerLine)
		lines = max(lines, len(captions[i]))
	}
	textH := 0
	if lines > 0 {
		textH = captionGap + lines*lineHeight
	}
	W := galleryPad + cols*(cellW+galleryPad)
	H := galleryPad + rows*(cellH+textH+galleryPad)
	if W > maxGalleryPx || H > maxGalleryPx {
		return nil, fmt.Errorf("report: gallery of %d tiles would be %d×%d pixels (limit %d a side); use fewer or smaller tiles", len(tiles), W, H, maxGalleryPx)
	}
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: out, Src: image.NewUniform(color.Black), Face: captionFace}
	for i, t := range tiles {
		x0 := galleryPad + (i%cols)*(cellW+galleryPad)
		y0 := galleryPad + (i/cols)*(cellH+textH+galleryPad)
		b := t.Img.Bounds()
		at := image.Pt(x0+(cellW-b.Dx())/2, y0+(cellH-b.Dy())/2)
		draw.Draw(out, image.Rectangle{Min: at, Max: at.Add(b.Size())}, t.Img, b.Min, draw.Over)
		for k, line := range captions[i] {
			w := d.MeasureString(line).Round()
			baseline := y0 + cellH + captionGap + k*lineHeight + captionFace.Ascent
			d.Dot = fixed.P(x0+(cellW-w)/2, baseline)
			d.DrawString(line)
		}
	}
	return out, nil
}

// captionLines splits a title into lines of at most n characters. The
// built-in face has ASCII glyphs only, so other characters become '?'
// rather than an invisible box; a long line keeps its end, the
// informative part of a path or file name.
func captionLines(title string, n int) []string {
	if title == "" {
		return nil
	}
	var out []string
	for _, line := range strings.Split(title, "\n") {
		r := []rune(line)
		for i, c := range r {
			if c < 0x20 || c > 0x7e {
				r[i] = '?'
			}
		}
		if len(r) > n {
			r = append([]rune("..."), r[len(r)-(n-3):]...)
		}
		out = append(out, string(r))
	}
	return out
}
