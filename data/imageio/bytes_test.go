package imageio

import (
	"bytes"
	"errors"
	"image"
	"strings"
	"testing"
)

// TestDecodeBytesMatchesDecodeFile: the in-memory entry gives the same
// pixels and header as the file one, and refuses the same bad inputs with
// errors that name the upload.
func TestDecodeBytesMatchesDecodeFile(t *testing.T) {
	dir := t.TempDir()
	b := encodePNG(t, testRGBA(37, 23))
	p := writeFile(t, dir, "a.png", b)
	fromFile, err := DecodeFile(p)
	if err != nil {
		t.Fatal(err)
	}
	fromBytes, err := DecodeBytes("upload", b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ToRGB(fromFile).Pix, ToRGB(fromBytes).Pix) || fromBytes.Bounds() != image.Rect(0, 0, 37, 23) {
		t.Fatal("DecodeBytes and DecodeFile differ")
	}
	info, err := StatBytes("upload", b)
	if err != nil || info != (Info{37, 23, "png"}) {
		t.Fatalf("StatBytes: %+v, %v", info, err)
	}
	cases := []struct {
		data []byte
		want error
	}{
		{nil, ErrEmpty},
		{[]byte("this is not an image at all"), ErrFormat},
		{b[:len(b)/2], ErrCorrupt},
		{hugePNG(t, 20000, 20000), ErrTooLarge},
		{hugePNG(t, 3000, 3000), ErrTooLarge}, // more pixels than a tiny file can hold
	}
	for i, c := range cases {
		_, err := DecodeBytes("upload 7", c.data)
		if !errors.Is(err, c.want) {
			t.Errorf("case %d: %v, want %v", i, err, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), "upload 7") {
			t.Errorf("case %d: error %q does not name the upload", i, err)
		}
		if c.want == ErrTooLarge {
			if _, err := StatBytes("upload 7", c.data); !errors.Is(err, ErrTooLarge) {
				t.Errorf("case %d: StatBytes %v", i, err)
			}
		}
	}
}
