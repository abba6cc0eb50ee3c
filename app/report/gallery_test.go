package report

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"golang.org/x/image/font"
)

func TestGalleryLayout(t *testing.T) {
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	tiles := []Tile{
		{Title: "a", Img: uniform(40, 30, red)},
		{Title: "b\nsecond line", Img: uniform(20, 30, blue)}, // narrower: centred
		{Title: "c", Img: uniform(40, 30, red)},
		{Title: "", Img: uniform(40, 30, red)},
		{Title: "e", Img: uniform(40, 30, blue)},
	}
	g, err := RenderGallery(tiles, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Cells are at least minCaptionW wide; each row is as tall as its
	// longest caption (two lines in the first row, one in the others).
	cw := minCaptionW
	textH := []int{captionGap + 2*lineHeight, captionGap + lineHeight, captionGap + lineHeight}
	rowY := []int{galleryPad}
	for r := range 3 {
		rowY = append(rowY, rowY[r]+30+textH[r]+galleryPad)
	}
	wantW := galleryPad + 2*(cw+galleryPad)
	if g.Bounds() != image.Rect(0, 0, wantW, rowY[3]) {
		t.Fatalf("bounds %v, want %dx%d", g.Bounds(), wantW, rowY[3])
	}
	cell := func(i int) image.Point { // top left of the 40-wide tile
		return image.Pt(galleryPad+(i%2)*(cw+galleryPad)+(cw-40)/2, rowY[i/2])
	}
	white := color.RGBA{255, 255, 255, 255}
	for _, tc := range []struct {
		p    image.Point
		want color.RGBA
	}{
		{cell(0).Add(image.Pt(0, 0)), red},
		{cell(0).Add(image.Pt(39, 29)), red},
		{cell(1).Add(image.Pt(20, 15)), blue},  // centre of the narrow tile
		{cell(1).Add(image.Pt(5, 15)), white},  // left of it
		{cell(4).Add(image.Pt(10, 10)), blue},  // row 3, column 1
		{cell(4).Add(image.Pt(cw, 10)), white}, // empty last cell
		{image.Pt(2, 2), white},                // padding
	} {
		if got := g.RGBAAt(tc.p.X, tc.p.Y); got != tc.want {
			t.Errorf("pixel %v = %v, want %v", tc.p, got, tc.want)
		}
	}
	// Captions are drawn in black under each tile, and only where a title
	// exists.
	dark := func(i int) int {
		n := 0
		c := cell(i)
		for y := c.Y + 30; y < c.Y+30+textH[i/2]; y++ {
			for x := c.X - (cw-40)/2; x < c.X+40+(cw-40)/2; x++ {
				if g.RGBAAt(x, y).R < 128 {
					n++
				}
			}
		}
		return n
	}
	if dark(0) == 0 || dark(1) <= dark(0) {
		t.Errorf("caption ink: tile 0 %d, tile 1 (two lines) %d", dark(0), dark(1))
	}
	if dark(3) != 0 {
		t.Errorf("untitled tile has %d caption pixels", dark(3))
	}
}

// TestCaptionsFitTiles renders galleries of 128- and 64-pixel tiles whose
// captions are long file names and score lines: every caption line must
// fit its cell (measured with the face, and no ink outside the cell on the
// picture), and the lines together must hold every character of the title.
func TestCaptionsFitTiles(t *testing.T) {
	titles := []string{
		"broken_large/a_very_long_file_name_from_line_3_camera_2_000123.png\nscore 0.8636 (anomalous)",
		"good/000.png\nscore 0.3996 (normal)",
		"anomaly map\nscore 1.234e-05 (anomalous)",
		"green: GT, magenta: pred.\nscore 12.35 (normal)",
		"contamination/subfolder-with-dashes/IMG_20240101_123456789.jpeg\nscore 0.5 (anomalous)",
		"x\nscore 0.1",
	}
	for _, side := range []int{128, 64} {
		var tiles []Tile
		for _, s := range titles {
			tiles = append(tiles, Tile{Title: s, Img: uniform(side, side, color.RGBA{0, 0, 0, 255})})
		}
		g, err := RenderGallery(tiles, 3)
		if err != nil {
			t.Fatal(err)
		}
		cellW := max(side, minCaptionW)
		for _, s := range titles {
			lines := captionLines(s, cellW)
			for _, l := range lines {
				if w := font.MeasureString(captionFace, l).Ceil(); w > cellW {
					t.Errorf("%d-px tiles: line %q is %d px wide, cell %d", side, l, w, cellW)
				}
			}
			if got, want := strings.Join(strings.Fields(strings.Join(lines, "")), ""), strings.Join(strings.Fields(s), ""); got != want {
				t.Errorf("%d-px tiles: caption lost characters: %q from %q", side, got, want)
			}
		}
		// No ink in the gaps between cells, nor in the outer margin: a
		// glyph wider than its cell would show there.
		b := g.Bounds()
		for c := 0; c <= 3; c++ {
			x0 := c * (cellW + galleryPad) // the gap left of column c
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := x0; x < x0+galleryPad && x < b.Max.X; x++ {
					if p := g.RGBAAt(x, y); p.R < 200 {
						t.Fatalf("%d-px tiles: ink at (%d,%d), between cells", side, x, y)
					}
				}
			}
		}
	}
}

func TestGalleryErrors(t *testing.T) {
	if _, err := RenderGallery(nil, 3); err == nil {
		t.Error("empty gallery accepted")
	}
	if _, err := RenderGallery([]Tile{{Title: "x"}}, 3); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("tile without image: %v", err)
	}
	if _, err := RenderGallery([]Tile{{Img: uniform(2, 2, color.RGBA{})}}, 0); err == nil {
		t.Error("zero columns accepted")
	}
	big := Tile{Img: image.NewRGBA(image.Rect(0, 0, 5000, 5000))}
	if _, err := RenderGallery([]Tile{big, big, big, big, big}, 5); err == nil {
		t.Error("oversized gallery accepted")
	}
}

func TestCaptionLines(t *testing.T) {
	// Non-ASCII runes become '?'; long words break after a separator.
	got := captionLines("good/000.png\nscore ×3 µ\nok", 8*7)
	want := []string{"good/", "000.png", "score ?3", "?", "ok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("captionLines = %q, want %q", got, want)
	}
	if captionLines("", 8) != nil {
		t.Error("empty title should have no lines")
	}
	// A cell narrower than a character still shows every character.
	if got := captionLines("abc", 3); strings.Join(got, "") != "abc" {
		t.Errorf("narrow cell: %q", got)
	}
}
