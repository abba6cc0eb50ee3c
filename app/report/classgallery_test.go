package report

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
)

func TestItemTilesAndClassGallery(t *testing.T) {
	imgs := synthClass(5, 2, 32, 32, 2) // image 0 anomalous, image 1 normal
	var items []GalleryItem
	for _, s := range imgs {
		items = append(items, GalleryItem{Name: "broken/" + s.Name, Img: s.Img, Map: s.Map, Mask: s.Mask, Score: s.Score})
	}
	tiles := ItemTiles(items[0], TileOptions{W: 32, H: 32, Lo: 0, Hi: 1, Threshold: 0.5, Size: 48})
	if len(tiles) != 3 {
		t.Fatalf("%d tiles, want 3", len(tiles))
	}
	score := strings.Split(tiles[0].Title, "\n")[1]
	for i, tl := range tiles {
		if tl.Img.Bounds() != image.Rect(0, 0, 48, 48) {
			t.Errorf("tile %d bounds %v", i, tl.Img.Bounds())
		}
		if !strings.Contains(tl.Title, score) || !strings.Contains(score, "anomalous") {
			t.Errorf("tile %d caption %q lacks the score line %q", i, tl.Title, score)
		}
	}
	if !strings.HasPrefix(tiles[0].Title, "broken/") || !strings.Contains(tiles[2].Title, "pred") {
		t.Errorf("captions %q, %q", tiles[0].Title, tiles[2].Title)
	}
	noPred := ItemTiles(items[1], TileOptions{W: 32, H: 32, Lo: 0, Hi: 1, Threshold: math.NaN()})
	if strings.Contains(noPred[2].Title, "pred") || !strings.Contains(noPred[0].Title, "normal") {
		t.Errorf("normal item captions %q, %q", noPred[0].Title, noPred[2].Title)
	}
	if noPred[0].Img.Bounds().Dx() != 32 {
		t.Errorf("Size 0 should keep the map size, got %v", noPred[0].Img.Bounds())
	}
	g, err := ClassGallery(items, TileOptions{W: 32, H: 32, Lo: 0, Hi: 1, Threshold: math.NaN(), Size: 64})
	if err != nil {
		t.Fatal(err)
	}
	if b := g.Bounds(); b.Dx() != galleryPad+3*(max(64, minCaptionW)+galleryPad) {
		t.Errorf("gallery width %d: want three columns", b.Dx())
	}
}

// TestClassGalleryColorBar checks that a class gallery starts with its
// colour bar: the gallery grid is shifted down by the bar's height, and the
// strip above it holds the jet colours from the low to the high end and,
// with a threshold, the black marker.
func TestClassGalleryColorBar(t *testing.T) {
	imgs := synthClass(3, 2, 32, 32, 2)
	var items []GalleryItem
	for _, s := range imgs {
		items = append(items, GalleryItem{Name: s.Name, Img: s.Img, Map: s.Map, Mask: s.Mask, Score: s.Score})
	}
	for _, thr := range []float64{0.5, math.NaN()} {
		o := TileOptions{W: 32, H: 32, Lo: 0.1, Hi: 0.9, Threshold: thr, Size: 64}
		g, err := ClassGallery(items, o)
		if err != nil {
			t.Fatal(err)
		}
		var tiles []Tile
		for _, it := range items {
			tiles = append(tiles, ItemTiles(it, o)...)
		}
		grid, _ := RenderGallery(tiles, 3)
		bar := ColorBar(grid.Bounds().Dx()-2*galleryPad, GalleryColorBar(o))
		if want := galleryPad + bar.Bounds().Dy() + grid.Bounds().Dy(); g.Bounds().Dy() != want || g.Bounds().Dx() != grid.Bounds().Dx() {
			t.Fatalf("gallery %v, want %dx%d (grid %v under a %v bar)", g.Bounds(), grid.Bounds().Dx(), want, grid.Bounds(), bar.Bounds())
		}
		strip := g.SubImage(image.Rect(0, 0, g.Bounds().Dx(), galleryPad+bar.Bounds().Dy())).(*image.RGBA)
		for _, want := range []color.RGBA{jetLUT[0], jetLUT[255]} {
			if !hasColor(strip, want, 0) {
				t.Errorf("threshold %v: colour bar lacks %v", thr, want)
			}
		}
		if got := hasColor(strip, color.RGBA{0, 0, 0, 255}, 0); got == math.IsNaN(thr) {
			t.Errorf("threshold %v: black marker present = %v", thr, got)
		}
	}
}

func hasColor(m *image.RGBA, c color.RGBA, tol int) bool {
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := m.RGBAAt(x, y)
			if absInt(int(p.R)-int(c.R)) <= tol && absInt(int(p.G)-int(c.G)) <= tol && absInt(int(p.B)-int(c.B)) <= tol {
				return true
			}
		}
	}
	return false
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
