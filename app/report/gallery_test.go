package report

import (
	"image"
	"image/color"
	"strings"
	"testing"
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
	textH := captionGap + 2*lineHeight // the tallest caption has two lines
	wantW := galleryPad + 2*(40+galleryPad)
	wantH := galleryPad + 3*(30+textH+galleryPad)
	if g.Bounds() != image.Rect(0, 0, wantW, wantH) {
		t.Fatalf("bounds %v, want %dx%d", g.Bounds(), wantW, wantH)
	}
	cell := func(i int) image.Point {
		return image.Pt(galleryPad+(i%2)*(40+galleryPad), galleryPad+(i/2)*(30+textH+galleryPad))
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
		{cell(4).Add(image.Pt(60, 10)), white}, // empty last cell
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
		for y := c.Y + 30; y < c.Y+30+textH; y++ {
			for x := c.X; x < c.X+40; x++ {
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
	// Long lines keep their end; non-ASCII runes become '?'.
	got := captionLines("good/000.png\nscore ×3 µ\nok", 8)
	want := []string{"...0.png", "... ?3 ?", "ok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("captionLines = %q, want %q", got, want)
	}
	if captionLines("", 8) != nil {
		t.Error("empty title should have no lines")
	}
}
