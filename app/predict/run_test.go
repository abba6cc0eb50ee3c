package predict

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/model"
)

func writePNG(t *testing.T, path string, m image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, m); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRunWritesInputResolution runs predict end to end with a small random
// model (64×64 input): a 300×200 image gives a 300×200 mask and a heat map
// 300 pixels wide whose picture part is 200 rows high; an unreadable file
// gives an error line and the others go on.
func TestRunWritesInputResolution(t *testing.T) {
	m, err := model.New(model.Config{Backbone: "resnet18", ImageSize: 64, Depths: []int{2, 2, 2, 2}, Scan: "hilbert",
		Directions: 2, DState: 4, FusionBlocks: 1})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(1)
	m.Enc.InitRandom(1)
	in, out := t.TempDir(), t.TempDir()
	writePNG(t, filepath.Join(in, "wide.png"), picture(300, 200))
	writePNG(t, filepath.Join(in, "tall.png"), picture(90, 160))
	os.WriteFile(filepath.Join(in, "broken.png"), []byte("not a png"), 0o644)
	paths, err := ExpandInputs([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	th := new(float64) // 0: every scored pixel is ≥ 0, a full mask
	var got []Result
	failed, err := Run(context.Background(), detector.FromModel(m), paths, Options{Threshold: th, OutDir: out}, func(r Result) { got = append(got, r) })
	if err != nil || failed != 1 || len(got) != 3 {
		t.Fatalf("Run: %v, %d failed, %d results", err, failed, len(got))
	}
	sizes := map[string][2]int{"wide.png": {300, 200}, "tall.png": {90, 160}}
	for _, r := range got {
		want, ok := sizes[filepath.Base(r.Path)]
		if !ok {
			if r.Error == "" || r.Decision != nil {
				t.Errorf("broken file: %+v", r)
			}
			continue
		}
		mask := readPNG(t, r.Mask)
		if mask.Bounds() != image.Rect(0, 0, want[0], want[1]) {
			t.Errorf("%s: mask %v, want %dx%d", r.Path, mask.Bounds(), want[0], want[1])
		}
		heat := readPNG(t, r.Heatmap)
		if b := heat.Bounds(); b.Dx() < want[0] || b.Dx() > max(want[0], 400) || b.Dy() <= want[1] {
			t.Errorf("%s: heat map %v for a %dx%d input", r.Path, b, want[0], want[1])
		}
		if g := mask.(*image.Gray); g.GrayAt(0, 0).Y != 255 || g.GrayAt(want[0]-1, want[1]-1).Y != 255 {
			t.Errorf("%s: threshold 0 should mark every pixel", r.Path)
		}
	}
	if _, err := Run(context.Background(), detector.FromModel(m), paths[:1], Options{Crop: 32}, func(Result) {}); err == nil {
		t.Error("a crop other than the model's size was accepted")
	}
}
