package data

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// tinyPNG is an 8×6 image whose pixels encode v, so tests can tell files
// apart after loading.
func tinyPNG(v uint8) []byte {
	m := image.NewGray(image.Rect(0, 0, 8, 6))
	for i := range m.Pix {
		m.Pix[i] = v
	}
	var b bytes.Buffer
	_ = png.Encode(&b, m)
	return b.Bytes()
}

// put writes data at root/rel, creating folders.
func put(t *testing.T, root, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// touch writes a valid tiny PNG at each path.
func touch(t *testing.T, root string, rels ...string) {
	t.Helper()
	for _, r := range rels {
		put(t, root, r, tinyPNG(100))
	}
}

// maskPNG is an 8×6 mask with the top-left quarter set.
func maskPNG() []byte {
	m := image.NewGray(image.Rect(0, 0, 8, 6))
	for y := 0; y < 3; y++ {
		for x := 0; x < 4; x++ {
			m.SetGray(x, y, color.Gray{255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, m)
	return b.Bytes()
}

func open(t *testing.T, name, root string, o Options) Dataset {
	t.Helper()
	d, err := Open(name, root, o)
	if err != nil {
		t.Fatalf("Open(%q): %v", name, err)
	}
	return d
}

func samples(t *testing.T, d Dataset, split Split, classes ...string) []Sample {
	t.Helper()
	s, err := d.Samples(split, classes)
	if err != nil {
		t.Fatalf("%s %s: %v", d.Name(), split, err)
	}
	return s
}

// summary is a compact, comparable view of a sample list.
type summary struct {
	rel, class, defect string
	label              int
	mask               string
	extra              int
	group              string
}

func summarize(root string, s []Sample) []summary {
	rel := func(p string) string {
		if p == "" {
			return ""
		}
		r, _ := filepath.Rel(root, p)
		return filepath.ToSlash(r)
	}
	out := make([]summary, len(s))
	for i, x := range s {
		out[i] = summary{rel(x.Path), x.Class, x.Defect, x.Label, rel(x.MaskPath), len(x.ExtraMasks), x.Group}
	}
	return out
}

func expect(t *testing.T, what string, got, want []summary) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// encodeGrey is a w×h grey PNG of value 9.
func encodeGrey(w, h int) []byte {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = 9
	}
	var b bytes.Buffer
	_ = png.Encode(&b, m)
	return b.Bytes()
}
