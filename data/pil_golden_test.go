package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"image"
	"image/jpeg"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/data/imageio"
)

type goldenRecord struct {
	w, h, c int
	data    []byte
}

// readPILGolden parses testdata/pil_golden.bin.gz (format documented in
// bench/pil/make_resize_golden.py).
func readPILGolden(t *testing.T) map[string]goldenRecord {
	t.Helper()
	f, err := os.Open("testdata/pil_golden.bin.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]goldenRecord{}
	for len(raw) > 0 {
		n := int(binary.LittleEndian.Uint16(raw))
		name := string(raw[2 : 2+n])
		raw = raw[2+n:]
		var hdr [4]uint32
		for i := range hdr {
			hdr[i] = binary.LittleEndian.Uint32(raw[4*i:])
		}
		raw = raw[16:]
		out[name] = goldenRecord{int(hdr[0]), int(hdr[1]), int(hdr[2]), raw[:hdr[3]]}
		raw = raw[hdr[3]:]
	}
	if len(out) < 20 {
		t.Fatalf("golden has only %d records", len(out))
	}
	return out
}

func parseSize(t *testing.T, s string) (int, int) {
	w, h, ok := strings.Cut(s, "x")
	if !ok {
		t.Fatalf("bad size %q", s)
	}
	wi, _ := strconv.Atoi(w)
	hi, _ := strconv.Atoi(h)
	return wi, hi
}

// TestResizeMatchesPIL: RGB and L resizes, the mask transform and the
// normalisation all match PIL/torch bit for bit.
func TestResizeMatchesPIL(t *testing.T) {
	golden := readPILGolden(t)
	inputs := pilInputs()
	checked := 0
	for name, rec := range golden {
		parts := strings.Split(name, "/")
		if parts[0] == "jpeg" {
			continue
		}
		w, h := parseSize(t, parts[2])
		src := inputs[parts[1]]
		var got []byte
		switch parts[0] {
		case "rgb":
			got = imageio.Resize(imageio.ToRGB(src), w, h).Pix
		case "l":
			got = imageio.Resize(&imageio.Image8{W: src.Bounds().Dx(), H: src.Bounds().Dy(), C: 1,
				Pix: src.(*image.Gray).Pix}, w, h).Pix
		case "mask":
			got = make([]byte, w*h)
			binarize(imageio.Resize(imageio.ToMask(src), w, h), got)
		case "norm":
			vals := make([]float32, 3*w*h)
			normalize(imageio.Resize(imageio.ToRGB(src), w, h), vals)
			got = make([]byte, 4*len(vals))
			for i, v := range vals {
				binary.LittleEndian.PutUint32(got[4*i:], math.Float32bits(v))
			}
		default:
			t.Fatalf("unknown golden record %s", name)
		}
		if !bytes.Equal(got, rec.data) {
			t.Errorf("%s: differs from PIL at %d of %d bytes", name, countDiff(got, rec.data), len(rec.data))
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d records checked", checked)
	}
}

func countDiff(a, b []byte) int {
	if len(a) != len(b) {
		return -1
	}
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// TestJPEGMatchesPIL decodes JPEGs that PIL wrote and compares with PIL's
// own decoding. Chroma upsampling and colour conversion follow libjpeg, but
// Go's inverse DCT differs from libjpeg's, so a small difference remains;
// the bound guards against regressions (Go's plain chroma repetition gives
// far larger errors on this image).
func TestJPEGMatchesPIL(t *testing.T) {
	golden := readPILGolden(t)
	for _, kind := range []string{"444", "422", "420", "grey"} {
		file, want := golden["jpeg/"+kind+"/file"], golden["jpeg/"+kind+"/rgb"]
		img, err := jpeg.Decode(bytes.NewReader(file.data))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		got := imageio.ToRGB(img).Pix
		maxd, sum := 0, 0
		for i := range got {
			d := int(got[i]) - int(want.data[i])
			d = max(d, -d)
			maxd, sum = max(maxd, d), sum+d
		}
		mean := float64(sum) / float64(len(got))
		t.Logf("jpeg %s: max |Δ| %d, mean |Δ| %.4f levels", kind, maxd, mean)
		if maxd > 4 || mean > 0.25 {
			t.Errorf("jpeg %s: max |Δ| %d, mean %.3f: too far from PIL", kind, maxd, mean)
		}
	}
}
