package report

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Tile is one picture of a gallery with a caption under it; "\n" in Title
// starts a new caption line.
type Tile struct {
	Title string
	Img   image.Image
}

// Gallery layout in pixels. Captions use captionFace, basicfont's 7×13
// bitmap face, which is built in (no font files, nothing to load) and
// readable at 1:1, which is how galleries are viewed.
const (
	galleryPad   = 8  // around and between cells
	lineHeight   = 15 // 13-pixel face plus 2 of leading
	captionGap   = 4  // between a picture and its caption
	maxGalleryPx = 20000
	// minCaptionW keeps cells of small tiles wide enough for 16
	// characters, so that a score line wraps at most once.
	minCaptionW = 16 * 7
)

// RenderGallery lays the tiles out row by row in cols columns. Every cell
// is as large as the largest tile (smaller ones are centred) and at least
// minCaptionW wide. Captions wrap to the cell's width (at spaces, and
// inside a long file name after '/', '_', '-' or '.'), never cut: every
// character stays readable at any tile size.
func RenderGallery(tiles []Tile, cols int) (*image.RGBA, error) {
	if len(tiles) == 0 {
		return nil, errors.New("report: gallery has no tiles")
	}
	if cols <= 0 {
		return nil, fmt.Errorf("report: gallery needs at least one column, got %d", cols)
	}
	cols = min(cols, len(tiles))
	rows := (len(tiles) + cols - 1) / cols
	cellW, cellH := 0, 0
	for i, t := range tiles {
		if t.Img == nil {
			return nil, fmt.Errorf("report: gallery tile %d (%q) has no image", i, t.Title)
		}
		b := t.Img.Bounds()
		cellW, cellH = max(cellW, b.Dx()), max(cellH, b.Dy())
	}
	cellW = max(cellW, minCaptionW)
	// Each row is as tall as its longest caption.
	captions := make([][]string, len(tiles))
	textH := make([]int, rows)
	for i, t := range tiles {
		captions[i] = captionLines(t.Title, cellW)
		if n := len(captions[i]); n > 0 {
			textH[i/cols] = max(textH[i/cols], captionGap+n*lineHeight)
		}
	}
	rowY := make([]int, rows+1) // top of each row, and the height
	rowY[0] = galleryPad
	for r := range rows {
		rowY[r+1] = rowY[r] + cellH + textH[r] + galleryPad
	}
	W := galleryPad + cols*(cellW+galleryPad)
	H := rowY[rows]
	if W > maxGalleryPx || H > maxGalleryPx {
		return nil, fmt.Errorf("report: gallery of %d tiles would be %d×%d pixels (limit %d a side); use fewer or smaller tiles", len(tiles), W, H, maxGalleryPx)
	}
	out := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: out, Src: image.NewUniform(color.Black), Face: captionFace}
	for i, t := range tiles {
		x0 := galleryPad + (i%cols)*(cellW+galleryPad)
		y0 := rowY[i/cols]
		b := t.Img.Bounds()
		at := image.Pt(x0+(cellW-b.Dx())/2, y0+(cellH-b.Dy())/2)
		draw.Draw(out, image.Rectangle{Min: at, Max: at.Add(b.Size())}, t.Img, b.Min, draw.Over)
		for k, line := range captions[i] {
			w := d.MeasureString(line).Round()
			baseline := y0 + cellH + captionGap + k*lineHeight + captionFace.Metrics().Ascent.Ceil()
			d.Dot = fixed.P(x0+(cellW-w)/2, baseline)
			d.DrawString(line)
		}
	}
	return out, nil
}

// captionLines wraps a title to lines at most width pixels wide in
// captionFace (see wrapText); the built-in face has ASCII glyphs only, so
// other characters become '?' rather than an invisible box.
func captionLines(title string, width int) []string {
	if title == "" {
		return nil
	}
	return wrapText(captionFace, asciiOnly(captionFace, title), width)
}
