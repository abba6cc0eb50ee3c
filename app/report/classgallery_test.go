package report

import (
	"image"
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
	if b := g.Bounds(); b.Dx() != galleryPad+3*(64+galleryPad) {
		t.Errorf("gallery width %d: want three columns", b.Dx())
	}
}
