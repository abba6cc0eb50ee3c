package report

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestEncodePNGRows writes grey and colour images row by row (smooth
// gradients, noise and flat runs, so every filter gets picked) and decodes
// them with image/png.
func TestEncodePNGRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		w, h int
		gray bool
	}{{1, 1, true}, {1, 5, false}, {37, 23, true}, {64, 40, false}, {300, 3, false}} {
		bpp := 3
		if tc.gray {
			bpp = 1
		}
		want := make([]uint8, tc.w*tc.h*bpp)
		for i := range want {
			switch y := i / (tc.w * bpp); y % 3 {
			case 0:
				want[i] = uint8(i*7 + y)
			case 1:
				want[i] = uint8(rng.IntN(256))
			default:
				want[i] = 200
			}
		}
		var buf bytes.Buffer
		asked := 0
		err := EncodePNGRows(&buf, tc.w, tc.h, tc.gray, func(y int, row []uint8) error {
			if y != asked {
				t.Fatalf("asked for row %d, want %d", y, asked)
			}
			asked++
			copy(row, want[y*tc.w*bpp:])
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("%dx%d: %v", tc.w, tc.h, err)
		}
		if img.Bounds() != image.Rect(0, 0, tc.w, tc.h) {
			t.Fatalf("bounds %v", img.Bounds())
		}
		for y := 0; y < tc.h; y++ {
			for x := 0; x < tc.w; x++ {
				i := (y*tc.w + x) * bpp
				if tc.gray {
					if g := img.(*image.Gray).GrayAt(x, y).Y; g != want[i] {
						t.Fatalf("%dx%d grey (%d,%d) = %d, want %d", tc.w, tc.h, x, y, g, want[i])
					}
					continue
				}
				c := img.(*image.RGBA).RGBAAt(x, y)
				if c.R != want[i] || c.G != want[i+1] || c.B != want[i+2] || c.A != 255 {
					t.Fatalf("%dx%d colour (%d,%d) = %v, want %v", tc.w, tc.h, x, y, c, want[i:i+3])
				}
			}
		}
	}
}

func TestSavePNGRowsErrors(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("boom")
	p := filepath.Join(dir, "x.png")
	err := SavePNGRows(p, 4, 4, true, func(y int, row []uint8) error {
		if y == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Error("a failed write left a file")
	}
	if err := SavePNGRows(p, 0, 4, true, nil); err == nil {
		t.Error("empty image accepted")
	}
}
