package report

import (
	"fmt"
	"image"
	"image/draw"
	"math"
)

// GalleryItem is one test image of a class gallery: the input picture (any
// size), its W×H anomaly map and mask (nil for a normal image), and score.
type GalleryItem struct {
	Name  string
	Img   image.Image
	Map   []float32
	Mask  []uint8
	Score float64
}

// TileOptions say how ItemTiles draws an item.
type TileOptions struct {
	W, H   int     // the anomaly map's size
	Lo, Hi float32 // colour scale of the map, the same for the whole class (Range)
	// Threshold outlines the predicted defect {map ≥ Threshold} in
	// PredColor on the contour tile; NaN draws no predicted outline.
	Threshold float64
	// Size is the side of the square tiles in pixels; 0 keeps W×H.
	Size int
}

// ItemTiles returns the three tiles of a gallery row: the input image, the
// heat-map overlay, and the outlines (ground truth and, optionally,
// prediction) over the input. Each caption ends with the image score.
// It panics if the map or mask is not W×H, like Overlay.
func ItemTiles(it GalleryItem, o TileOptions) []Tile {
	var pred []float32
	thr := float32(o.Threshold)
	if !math.IsNaN(o.Threshold) {
		pred = it.Map
	}
	kind := "normal"
	if hasDefect(it.Mask) {
		kind = "anomalous"
	}
	score := fmt.Sprintf("score %.4g (%s)", it.Score, kind)
	// Short enough for a 192-pixel caption line (27 characters).
	outline := "green: ground truth"
	if pred != nil {
		outline = "green: GT, magenta: pred."
	}
	tiles := []Tile{
		{Title: it.Name + "\n" + score, Img: Resize(it.Img, o.W, o.H)},
		{Title: "anomaly map\n" + score, Img: Overlay(it.Img, it.Map, o.W, o.H, o.Lo, o.Hi)},
		{Title: outline + "\n" + score, Img: ContourOverlay(it.Img, o.W, o.H, it.Mask, pred, thr)},
	}
	if o.Size > 0 && (o.Size != o.W || o.Size != o.H) {
		for i := range tiles {
			tiles[i].Img = Resize(tiles[i].Img, o.Size, o.Size)
		}
	}
	return tiles
}

func hasDefect(mask []uint8) bool {
	for _, v := range mask {
		if v != 0 {
			return true
		}
	}
	return false
}

// ClassGallery renders the gallery of one class, one item per row
// (input, overlay, outlines), under a colour bar that gives the scores of
// the overlay colours (the class's shared Lo–Hi scale) and marks the
// threshold of the magenta outlines when there is one.
func ClassGallery(items []GalleryItem, o TileOptions) (*image.RGBA, error) {
	var tiles []Tile
	for _, it := range items {
		tiles = append(tiles, ItemTiles(it, o)...)
	}
	g, err := RenderGallery(tiles, 3)
	if err != nil {
		return nil, err
	}
	return withColorBar(g, GalleryColorBar(o)), nil
}

// GalleryColorBar describes the colour bar ClassGallery draws for o.
func GalleryColorBar(o TileOptions) ColorBarOptions {
	bar := ColorBarOptions{Lo: o.Lo, Hi: o.Hi, Threshold: o.Threshold,
		Title: "Anomaly map colours (one scale for all images of this class):",
		Note:  "Outlines: green = ground truth."}
	if !math.IsNaN(o.Threshold) {
		bar.Note = "Outlines: green = ground truth, magenta = predicted defect (map >= threshold)."
	}
	return bar
}

// withColorBar puts the colour bar over the gallery, as wide as the
// gallery's content, widening the whole picture if the bar needs more.
func withColorBar(g *image.RGBA, o ColorBarOptions) *image.RGBA {
	gb := g.Bounds()
	bar := ColorBar(gb.Dx()-2*galleryPad, o)
	bb := bar.Bounds()
	W := max(gb.Dx(), bb.Dx()+2*galleryPad)
	out := image.NewRGBA(image.Rect(0, 0, W, galleryPad+bb.Dy()+gb.Dy()))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, bb.Add(image.Pt(galleryPad, galleryPad)), bar, image.Point{}, draw.Src)
	draw.Draw(out, gb.Add(image.Pt(0, galleryPad+bb.Dy())), g, gb.Min, draw.Src)
	return out
}
