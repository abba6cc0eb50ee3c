package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testRGBA(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetRGBA(x, y, color.RGBA{uint8(x * 20), uint8(y * 30), uint8(x + y), 255})
		}
	}
	return m
}

// Every supported format decodes to the same pixels (lossless ones exactly).
func TestDecodeFormats(t *testing.T) {
	dir := t.TempDir()
	src := testRGBA(7, 5)
	var tb, bb, jb bytes.Buffer
	if err := tiff.Encode(&tb, src, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bb, src); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jb, src, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	want := ToRGB(src).Pix
	for name, data := range map[string][]byte{
		"a.png": encodePNG(t, src), "a.tif": tb.Bytes(), "a.bmp": bb.Bytes(), "a.jpg": jb.Bytes(),
		"png-named.jpg": encodePNG(t, src), // content, not extension, decides
	} {
		img, err := DecodeFile(writeFile(t, dir, name, data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := ToRGB(img).Pix
		tol := 0
		if strings.HasSuffix(name, "a.jpg") {
			tol = 24 // lossy, and 4:2:0 chroma on a 7×5 image with sharp colour steps
		}
		for i := range want {
			if d := int(got[i]) - int(want[i]); d > tol || d < -tol {
				t.Fatalf("%s: sample %d is %d, want %d", name, i, got[i], want[i])
			}
		}
	}
}

func TestStatReportsHeader(t *testing.T) {
	p := writeFile(t, t.TempDir(), "x.png", encodePNG(t, testRGBA(9, 4)))
	info, err := Stat(p)
	if err != nil || info.Width != 9 || info.Height != 4 || info.Format != "png" {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
}

// hugePNG is a PNG whose header claims w×h: DecodeConfig trusts it, so the
// size check must refuse it without ever reaching the (absent) pixel data.
func hugePNG(t *testing.T, w, h uint32) []byte {
	b := encodePNG(t, testRGBA(1, 1))
	ihdr := b[8+8 : 8+8+13] // signature, chunk length+type, then IHDR data
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	binary.BigEndian.PutUint32(b[8+8+13:], crc32.ChecksumIEEE(b[8+4:8+8+13]))
	return b
}

func TestBadFilesGiveNamedErrors(t *testing.T) {
	dir := t.TempDir()
	good := encodePNG(t, testRGBA(8, 8))
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty.png", nil, ErrEmpty},
		{"text.png", []byte("this is not an image at all"), ErrFormat},
		{"truncated.png", good[:len(good)/2], ErrCorrupt},
		{"corrupt.png", append(append([]byte{}, good[:40]...), bytes.Repeat([]byte{0xAB}, 60)...), ErrCorrupt},
		{"huge.png", hugePNG(t, 20000, 20000), ErrTooLarge},
	}
	for _, c := range cases {
		p := writeFile(t, dir, c.name, c.data)
		_, err := DecodeFile(p)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
			continue
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != p || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not name the file", c.name, err)
		}
	}
	if _, err := DecodeFile(filepath.Join(dir, "absent.png")); err == nil || !strings.Contains(err.Error(), "absent.png") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := DecodeFile(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}

// padPNG inserts an ancillary chunk of n bytes after IHDR, making the file
// big enough to hold what its header declares.
func padPNG(b []byte, n int) []byte {
	at := 8 + 8 + 13 + 4
	chunk := binary.BigEndian.AppendUint32(nil, uint32(n))
	chunk = append(chunk, "prVt"...)
	chunk = append(chunk, make([]byte, n)...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append(append(append([]byte{}, b[:at]...), chunk...), b[at:]...)
}

// A header at the limit passes the size check, one row more is refused up
// front (Stat is used for the first so the test allocates nothing).
func TestSizeLimitBoundary(t *testing.T) {
	dir := t.TempDir()
	info, err := Stat(writeFile(t, dir, "under.png", padPNG(hugePNG(t, 10000, 10000), 12000)))
	if err != nil || info.Width != 10000 {
		t.Errorf("100 MP: %+v, %v", info, err)
	}
	_, err = DecodeFile(writeFile(t, dir, "over.png", hugePNG(t, 10000, 10001)))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("100 MP + 1 row: %v", err)
	}
}

// A header declaring more pixels than the file could encode is refused
// before decoding: 100 MP need at least 11,986 bytes of PNG.
func TestSizeForFileSize(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"tiny-1mp.png", hugePNG(t, 1024, 1024), true},
		{"tiny-2mp.png", hugePNG(t, 1024, 2048), false},
		{"short.png", padPNG(hugePNG(t, 10000, 10000), 11000), false},
	} {
		p := writeFile(t, dir, c.name, c.data)
		_, err := Stat(p)
		if c.ok != (err == nil) || (err != nil && (!errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "file can hold"))) {
			t.Errorf("%s: Stat error %v", c.name, err)
		}
		if !c.ok {
			if _, err := DecodeFile(p); !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s: DecodeFile error %v", c.name, err)
			}
		}
	}
}

// A valid file in a variant the Go decoders do not handle (here a 12-bit
// JPEG, marked by its SOF1 header) is reported as such, not as corrupt.
func TestUnsupportedVariant(t *testing.T) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testRGBA(8, 8), nil); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	i := bytes.Index(data, []byte{0xff, 0xc0}) // baseline SOF0
	data[i+1], data[i+4] = 0xc1, 12            // extended sequential, 12-bit precision
	_, err := DecodeFile(writeFile(t, t.TempDir(), "deep.jpg", data))
	if !errors.Is(err, ErrVariant) || !strings.Contains(err.Error(), "deep.jpg") {
		t.Errorf("12-bit JPEG: %v", err)
	}
}
