package imageio

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// FuzzDecode feeds whole image files, of any format, to the header check
// (Stat's) and the decoder (DecodeFile's), then converts what decodes the
// way the data loader does. It checks that nothing panics (a recovered
// decoder panic counts as a failure), that every error is one line naming
// the file, that the header check and the decoder agree on the size, that
// no header declares more pixels than maxPixelsFor allows for the input's
// size, and that decoding allocates in proportion to the declared pixels.
//
// The seed corpus in testdata/fuzz/FuzzDecode is written by TestFuzzSeeds
// from the encoders below (go test -run TestFuzzSeeds -update-fuzz-seeds).
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		const name = "fuzz.img"
		size := int64(len(b))
		var info Info
		var img image.Image
		var serr, derr error
		n := allocated(func() {
			info, serr = statReader(name, newFileReader(bytes.NewReader(b), size), size)
			img, derr = decodeSized(name, bytes.NewReader(b), size)
			if derr == nil {
				rgb := ToRGB(img)
				ToMask(img)
				Resize(rgb, 5, 3)
			}
		})
		for _, err := range []error{serr, derr} {
			if err == nil {
				continue
			}
			var fe *FileError
			msg := err.Error()
			if !errors.As(err, &fe) || fe.Path != name || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not a one-line FileError naming %s: %q", name, msg)
			}
			if errors.Is(err, errDecoderPanic) {
				t.Fatalf("a decoder panicked: %s", msg)
			}
		}
		if serr != nil {
			if derr == nil {
				t.Fatalf("the header check failed (%v) but decoding succeeded", serr)
			}
			if n > 4<<20+64*uint64(size) {
				t.Fatalf("a refused %d-byte header allocated %d bytes", size, n)
			}
			return
		}
		pixels := int64(info.Width) * int64(info.Height)
		if pixels > maxPixelsFor(info.Format, size) {
			t.Fatalf("%d-byte %s file passed with %d×%d pixels", size, info.Format, info.Width, info.Height)
		}
		if n > 4<<20+64*uint64(size)+48*uint64(pixels) {
			t.Fatalf("%d-byte %s file of %d×%d pixels allocated %d bytes", size, info.Format, info.Width, info.Height, n)
		}
		if derr == nil {
			if r := img.Bounds(); r.Dx() != info.Width || r.Dy() != info.Height {
				t.Fatalf("header says %d×%d, decoded image is %v", info.Width, info.Height, r)
			}
		}
	})
}

func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the generated seed corpora under testdata/fuzz")

// tinyWebP is a 1×1 lossless WebP (no encoder exists in Go).
var tinyWebP = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

func TestFuzzSeeds(t *testing.T) {
	enc := func(fn func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := fn(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	rgba := testRGBA(7, 5)
	gray := image.NewGray(image.Rect(0, 0, 6, 4))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 9)
	}
	gray16 := image.NewGray16(image.Rect(0, 0, 3, 2))
	gray16.Pix[1] = 0xff
	bilevel := image.NewPaletted(image.Rect(0, 0, 9, 3), color.Palette{color.Black, color.White})
	bilevel.Pix[4] = 1
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	nrgba.Pix[3], nrgba.Pix[7] = 128, 255
	pngRGBA := encodePNG(t, rgba)
	jpg := enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, rgba, &jpeg.Options{Quality: 90}) })
	seeds := map[string][]byte{
		"png-rgba":       pngRGBA,
		"png-gray":       encodePNG(t, gray),
		"png-gray16":     encodePNG(t, gray16),
		"png-1bit":       encodePNG(t, bilevel),
		"png-nrgba":      encodePNG(t, nrgba),
		"png-truncated":  pngRGBA[:len(pngRGBA)-20],
		"png-huge":       hugePNG(t, 20000, 20000),
		"png-2mp-tiny":   hugePNG(t, 1024, 2048),
		"jpeg-ycbcr":     jpg,
		"jpeg-gray":      enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, gray, nil) }),
		"jpeg-truncated": jpg[:len(jpg)/2],
		"bmp-rgb":        enc(func(b *bytes.Buffer) error { return bmp.Encode(b, rgba) }),
		"bmp-gray":       enc(func(b *bytes.Buffer) error { return bmp.Encode(b, gray) }),
		"tiff-deflate":   enc(func(b *bytes.Buffer) error { return tiff.Encode(b, rgba, &tiff.Options{Compression: tiff.Deflate}) }),
		"tiff-plain":     enc(func(b *bytes.Buffer) error { return tiff.Encode(b, gray, nil) }),
		"tiff-paletted":  enc(func(b *bytes.Buffer) error { return tiff.Encode(b, bilevel, nil) }),
		"webp-lossless":  tinyWebP,
		"text":           []byte("this is not an image at all"),
	}
	for name, b := range seeds {
		var s strings.Builder
		fmt.Fprintf(&s, "go test fuzz v1\n[]byte(%q)\n", b)
		p := filepath.Join("testdata", "fuzz", "FuzzDecode", name)
		if *updateSeeds {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(s.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if old, err := os.ReadFile(p); err != nil || string(old) != s.String() {
			t.Errorf("seed %s is missing or differs from its builder; rerun with -update-fuzz-seeds", p)
		}
	}
	if _, err := decodeSized("webp", bytes.NewReader(tinyWebP), int64(len(tinyWebP))); err != nil {
		t.Errorf("the WebP seed does not decode: %v", err)
	}
}
