package data

import (
	"errors"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/data/imageio"
)

func TestCenterCropOriginFollowsTorchvision(t *testing.T) {
	cases := []struct{ n, crop, want int }{
		{256, 256, 0}, {256, 224, 16},
		{257, 256, 0}, // round(0.5) = 0: Python rounds half to even
		{259, 256, 2}, // round(1.5) = 2
		{261, 256, 2}, // round(2.5) = 2
		{5, 8, -1},    // crop larger than the image: pad (8−5)//2 = 1 on the left
	}
	for _, c := range cases {
		if got := centerCropOrigin(c.n, c.crop); got != c.want {
			t.Errorf("centerCropOrigin(%d, %d) = %d, want %d", c.n, c.crop, got, c.want)
		}
	}
}

func TestLoadImageNormalises(t *testing.T) {
	root := t.TempDir()
	p := put(t, root, "a.png", tinyPNG(200))
	x, err := LoadImage(p, 16, 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 3*12*12 {
		t.Fatalf("len %d", len(x))
	}
	for c := 0; c < 3; c++ {
		want := (float32(200)/255 - Mean[c]) / Std[c]
		for _, v := range x[c*144 : (c+1)*144] {
			if v != want {
				t.Fatalf("channel %d value %v, want %v", c, v, want)
			}
		}
	}
	if _, err := LoadImage(p, 0, 0); err == nil {
		t.Error("size 0 accepted")
	}
}

func TestBinarizeThreshold(t *testing.T) {
	out := make([]uint8, 4)
	binarize(&imageio.Image8{W: 4, H: 1, C: 1, Pix: []uint8{0, 127, 128, 255}}, out)
	if string(out) != "\x00\x00\x01\x01" {
		t.Fatalf("binarize = %v: 127/255 ≤ 0.5 < 128/255", out)
	}
}

// loadSampleMask runs loadSampleInto, the loader's per-sample step, and
// returns the mask it fills.
func loadSampleMask(s Sample, size, crop int) ([]uint8, error) {
	mask := make([]uint8, crop*crop)
	return mask, loadSampleInto(make([]float32, 3*crop*crop), mask, s, size, crop)
}

func TestLoadSampleMasks(t *testing.T) {
	root := t.TempDir()
	img := put(t, root, "img.png", tinyPNG(50))
	quarter := put(t, root, "m1.png", maskPNG())
	full := put(t, root, "m2.png", tinyPNG(1)) // every pixel 1: all defect
	m, err := loadSampleMask(Sample{Path: img, Label: 1, MaskPath: quarter}, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(m); n < 12 || n > 20 {
		t.Errorf("quarter mask resized to 8×8 has %d defect pixels, want about 16", n)
	}
	m, err = loadSampleMask(Sample{Path: img, Label: 1, MaskPath: quarter, ExtraMasks: []string{full}}, 8, 8)
	if err != nil || count(m) != 64 {
		t.Errorf("union with a full mask: %d pixels, %v", count(m), err)
	}
	m, err = loadSampleMask(Sample{Path: img}, 8, 8)
	if err != nil || count(m) != 0 {
		t.Errorf("normal sample: %d pixels, %v", count(m), err)
	}
	big := put(t, root, "big.png", encodeGrey(9, 6))
	_, err = loadSampleMask(Sample{Path: img, Label: 1, MaskPath: big}, 8, 8)
	if !errors.Is(err, imageio.ErrSizeMatch) || !strings.Contains(err.Error(), "big.png") || !strings.Contains(err.Error(), "img.png") {
		t.Errorf("size mismatch: %v", err)
	}
}

func count(m []uint8) int {
	n := 0
	for _, v := range m {
		n += int(v)
	}
	return n
}
