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

// filterRowRef is the straightforward filter choice (five rows, then five
// sums) that filterRow's single pass must reproduce exactly.
func filterRowRef(f *[5][]uint8, cur, prev []uint8, bpp int) int {
	n := len(cur)
	none, sub, up, avg, paeth := f[0][1:], f[1][1:], f[2][1:], f[3][1:], f[4][1:]
	copy(none, cur)
	for i := 0; i < n; i++ {
		var a, c uint8
		if i >= bpp {
			a, c = cur[i-bpp], prev[i-bpp]
		}
		b := prev[i]
		sub[i] = cur[i] - a
		up[i] = cur[i] - b
		avg[i] = cur[i] - uint8((int(a)+int(b))/2)
		paeth[i] = cur[i] - paethRef(a, b, c)
	}
	best, bestSum := 0, -1
	for k := range f {
		s := 0
		for _, v := range f[k][1:] {
			if v < 128 {
				s += int(v)
			} else {
				s += 256 - int(v)
			}
		}
		if bestSum < 0 || s < bestSum {
			best, bestSum = k, s
		}
	}
	return best
}

// TestFilterRowMatchesReference: same filtered bytes and the same choice
// as the reference on random, smooth, constant and tied rows.
func TestFilterRowMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 3000 {
		bpp := []int{1, 3}[trial%2]
		n := bpp * (1 + r.IntN(40))
		cur, prev := make([]uint8, n), make([]uint8, n)
		for i := range cur {
			switch trial % 5 {
			case 0: // noise
				cur[i], prev[i] = uint8(r.UintN(256)), uint8(r.UintN(256))
			case 1: // smooth
				cur[i], prev[i] = uint8(i*3+trial), uint8(i*3+trial/2)
			case 2: // constant: every filter ties
				cur[i], prev[i] = 7, 7
			case 3: // few levels
				cur[i], prev[i] = uint8(r.UintN(2)*255), uint8(r.UintN(2)*255)
			default:
				cur[i], prev[i] = uint8(128+r.IntN(5)-2), uint8(r.UintN(256))
			}
		}
		var a, b [5][]uint8
		for k := range a {
			a[k], b[k] = make([]uint8, 1+n), make([]uint8, 1+n)
			a[k][0], b[k][0] = uint8(k), uint8(k)
		}
		if g, w := filterRow(&a, cur, prev, bpp), filterRowRef(&b, cur, prev, bpp); g != w {
			t.Fatalf("trial %d: filter %d, want %d", trial, g, w)
		}
		for k := range a {
			if !bytes.Equal(a[k], b[k]) {
				t.Fatalf("trial %d: filter %d bytes differ", trial, k)
			}
		}
	}
}

func paethRef(a, b, c uint8) uint8 {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := p-int(a), p-int(b), p-int(c)
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

// TestPaethPredictor: every (a, b, c) gives the PNG specification's choice.
func TestPaethPredictor(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			for c := range 256 {
				if g, w := paethPredictor(uint8(a), uint8(b), uint8(c)), paethRef(uint8(a), uint8(b), uint8(c)); g != w {
					t.Fatalf("paeth(%d, %d, %d) = %d, want %d", a, b, c, g, w)
				}
			}
		}
	}
}
