package pth

import (
	"bytes"
	"os"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
)

func goldenBytes(t *testing.T, name string) []byte {
	b, err := os.ReadFile(golden.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDamagedGoldenZip(t *testing.T) {
	b := goldenBytes(t, "checkpoint_small.pth")
	cases := map[string][]byte{
		"truncated": b[:len(b)/2],
		"no-end":    b[:len(b)-10],
		"crc":       flipAt(b, bytes.Index(b, []byte("checkpoint_small/data/0"))+200),
	}
	for name, d := range cases {
		p := writeTemp(t, name+".pth", d)
		_, err := Load(p)
		expectErr(t, p, err, "")
	}
}

func TestDamagedGoldenLegacy(t *testing.T) {
	b := goldenBytes(t, "checkpoint_small_legacy.pth")
	for name, d := range map[string][]byte{
		"in-storages": b[:len(b)-100],
		"in-pickle":   b[:1000],
		"in-header":   b[:20],
		"empty":       {},
	} {
		p := writeTemp(t, name+".pth", d)
		_, err := Load(p)
		expectErr(t, p, err, "")
	}
}

// flipAt returns a copy of b with byte i changed.
func flipAt(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x55
	return c
}

func TestNotTorchFiles(t *testing.T) {
	tar := make([]byte, 1024)
	copy(tar[257:], "ustar")
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"text", []byte("hello, world\n"), "not a PyTorch file"},
		{"tar", tar, "tar"},
		{"zip-no-pkl", zipBytes(t, "x", nil, []stor{ss0}), "data.pkl"},
		{"zip-garbage-pkl", zipBytes(t, "x", []byte("garbage"), nil), "data.pkl"},
		{"zip-bad-long", zipBytes(t, "x", []byte{0x80, 2, 0x8a, 0, '.'}, nil), "integer of zero bytes"},
		{"torchscript", zipWith(t, "x/constants.pkl"), "TorchScript"},
		{"big-endian-zip", zipWith(t, "x/byteorder"), "byte order"},
		{"big-endian-legacy", legacyBytes(pODict{}, nil, false), "big-endian"},
		{"bad-proto", append(pickleBytes(legacyMagicLong), pickleBytes(7)...), "protocol"},
	}
	for _, c := range cases {
		p := writeTemp(t, c.name+".pth", c.data)
		_, err := Load(p)
		expectErr(t, p, err, c.want)
	}
	_, err := Load("/nonexistent/model.pth")
	expectErr(t, "/nonexistent/model.pth", err, "")
}

// zipWith builds a valid one-tensor archive plus one extra record (a
// TorchScript marker or a big-endian byteorder).
func zipWith(t *testing.T, extra string) []byte {
	obj := pODict{[]any{"a", tensorV2(ss0, false, nil, 0, pTuple{2}, pTuple{1})}}
	z := zipBytes(t, "x", pickleBytes(obj), []stor{ss0})
	return appendRecord(t, z, extra, []byte("big"))
}

func TestBadStorages(t *testing.T) {
	good := pODict{[]any{"a", tensorV2(ss0, false, nil, 0, pTuple{2}, pTuple{1})}}
	short := ss0
	short.raw = short.raw[:4]
	char := stor{"CharStorage", "0", 2, []byte{1, 2}}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"missing-record", zipBytes(t, "x", pickleBytes(good), nil), "missing"},
		{"short-record", zipBytes(t, "x", pickleBytes(good), []stor{short}), "holds 4 bytes"},
		{"past-storage", zipBytes(t, "x", pickleBytes(pODict{[]any{"a",
			tensorV2(ss0, false, nil, 1, pTuple{2}, pTuple{1})}}), []stor{ss0}), "runs past"},
		{"int8", zipBytes(t, "x", pickleBytes(pODict{[]any{"a",
			tensorV2(char, false, nil, 0, pTuple{2}, pTuple{1})}}), []stor{char}), "torch.CharStorage"},
		{"legacy-short", legacyBytes(good, []stor{short}, true), "truncated"},
		{"legacy-numel", legacyNumel(good), "elements"},
		{"legacy-unknown-key", legacyBytes(good, []stor{ss0, {"FloatStorage", "zz", 0, nil}}, true), "zz"},
		{"legacy-no-data", legacyBytes(good, nil, true), "no data"},
	}
	for _, c := range cases {
		p := writeTemp(t, c.name+".pth", c.data)
		_, err := Load(p)
		expectErr(t, p, err, c.want)
	}
}

// legacyNumel writes a legacy file whose storage size field disagrees
// with the pickle.
func legacyNumel(obj any) []byte {
	s := ss0
	b := legacyBytes(obj, []stor{s}, true)
	i := len(b) - len(s.raw) - 8
	b[i] = 3
	return b
}
