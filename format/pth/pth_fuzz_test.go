package pth

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/nlpodyssey/gopickle/types"
)

// The fuzz targets feed outside bytes to the readers and check that they
// never panic or hang, that every error is one line naming the file, and
// that reading allocates memory in proportion to the input, never what a
// length or shape inside it declares. Their seed corpora under
// testdata/fuzz are written by TestFuzzSeeds from this package's own
// builders (go test -run TestFuzzSeeds -update-fuzz-seeds); crashers the
// fuzzer found are kept there next to them as regression cases.

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the generated seed corpora under testdata/fuzz")

// allocLimit is the most a reader may allocate for an input of n bytes:
// a fixed allowance plus a multiple of the input that covers the formats'
// honest amplification (a deflated zip record expands up to 1032×).
func allocLimit(n int) uint64 { return 64<<20 + 2100*uint64(n) }

// allocated runs fn and returns the bytes it allocated on the heap.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// checkErr fails unless err is a one-line error naming the input.
func checkErr(t *testing.T, err error, name string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "pth: "+name+": ") || len(msg) > 2000 {
		t.Fatalf("error is not one line naming %s (or is %d bytes long): %q", name, len(msg), msg)
	}
	if errors.Is(err, errPickleMachine) {
		t.Fatalf("the pickle machine panicked: %s", msg)
	}
}

// checkTensors fails unless every tensor's values fill its shape.
func checkTensors(t *testing.T, ts []Tensor) {
	t.Helper()
	for _, x := range ts {
		n, ok := safetensors.Numel(x.Shape)
		if !ok || n != len(x.F32)+len(x.I64) || (x.DType.IsFloat() != (x.I64 == nil)) || x.DType.Size() == 0 {
			t.Fatalf("tensor %q: dtype %s shape %v with %d+%d values", x.Name, x.DType, x.Shape, len(x.F32), len(x.I64))
		}
	}
}

// FuzzLoad feeds whole .pth files, zip or legacy, to the loader, choosing
// the state dict both by itself and under the key "net".
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		const name = "fuzz.pth"
		for _, key := range []string{"", "net"} {
			var ts []Tensor
			var err error
			if n := allocated(func() {
				ts, err = loadFrom(name, bytes.NewReader(b), int64(len(b)), key, key != "")
			}); n > allocLimit(len(b)) {
				t.Fatalf("loading %d bytes allocated %d bytes", len(b), n)
			}
			checkErr(t, err, name)
			checkTensors(t, ts)
		}
	})
}

// FuzzPickle feeds one pickle followed by raw storage bytes: each storage
// the pickle refers to takes its bytes from the tail in order of first
// reference. It reaches the pickle machine, the state-dict choice and the
// strided views without the zip layer's CRCs in the way.
func FuzzPickle(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var ts []Tensor
		var err error
		if n := allocated(func() { ts, err = loadPickleTail(b) }); n > allocLimit(len(b)) {
			t.Fatalf("loading %d bytes allocated %d bytes", len(b), n)
		}
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 2000 {
				t.Fatalf("error is not one short line: %q", msg)
			}
			if errors.Is(err, errPickleMachine) {
				t.Fatalf("the pickle machine panicked: %s", msg)
			}
		}
		checkTensors(t, ts)
	})
}

func loadPickleTail(b []byte) ([]Tensor, error) {
	var tail []byte
	next := 0
	seen := map[string]*storage{}
	top, n, err := unpickle(b, func(id *types.Tuple) (any, error) {
		s, err := storageArgs(id)
		if err != nil {
			return nil, err
		}
		if old, ok := seen[s.key]; ok {
			return old, nil
		}
		seen[s.key] = s
		if s.size == 0 || s.numel > len(b)/s.size {
			s.fetch = func() ([]byte, error) { return nil, fmt.Errorf("storage %q: no data", s.key) }
			return s, nil
		}
		off, want := next, s.numel*s.size
		next += want
		s.fetch = func() ([]byte, error) {
			if want > len(tail)-off {
				return nil, fmt.Errorf("storage %q: tail too short", s.key)
			}
			return tail[off : off+want], nil
		}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	tail = b[n:]
	sd, err := selectStateDict(top, "", false)
	if err != nil {
		return nil, err
	}
	budget := elementBudget(int64(len(b)))
	var out []Tensor
	for _, e := range sd {
		t, err := materialize(e.name, e.t, &budget)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// writeSeed writes one corpus file testdata/fuzz/<target>/<name> in the
// format go test reads.
func writeSeed(t *testing.T, target, name string, args ...[]byte) {
	t.Helper()
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		fmt.Fprintf(&b, "[]byte(%q)\n", a)
	}
	p := filepath.Join("testdata", "fuzz", target, name)
	if *updateSeeds {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if old, err := os.ReadFile(p); err != nil || string(old) != b.String() {
		t.Errorf("seed %s is missing or differs from its builder; rerun with -update-fuzz-seeds", p)
	}
}

// TestFuzzSeeds keeps the generated seeds in step with the builders.
func TestFuzzSeeds(t *testing.T) {
	zipDTypes := zipBytes(t, "archive", pickleBytes(dtypeDict(false)), dtypeStorages)
	legacyDTypes := legacyBytes(dtypeDict(true), dtypeStorages, true)
	ck, ss := trainingCheckpoint()
	root := stor{"FloatStorage", "r", 6, f32Bytes(0, 1, 2, 3, 4, 5)}
	views := pODict{[]any{
		"a", tensorV2(root, true, pTuple{"v1", 2, 3}, 0, pTuple{3}, pTuple{1}),
		"c", tensorV2(root, true, nil, 5, pTuple{1}, pTuple{1}),
	}}
	good := pODict{[]any{"a", tensorV2(ss0, false, nil, 0, pTuple{2}, pTuple{1})}}
	seeds := map[string][]byte{
		"zip-dtypes":       zipDTypes,
		"legacy-dtypes":    legacyDTypes,
		"zip-training":     zipBytes(t, "ck", pickleBytes(ck), ss[:1]),
		"legacy-training":  legacyBytes(ck, ss[:1], true),
		"legacy-views":     legacyBytes(views, []stor{root}, true),
		"zip-truncated":    zipDTypes[:len(zipDTypes)/2],
		"legacy-truncated": legacyDTypes[:len(legacyDTypes)-7],
		"legacy-numel":     legacyNumel(good),
		"legacy-bigendian": legacyBytes(pODict{}, nil, false),
		"torchscript":      zipWith(t, "x/constants.pkl"),
		"text":             []byte("hello, world\n"),
	}
	for name, c := range hostileFiles(t) {
		seeds["found-"+name] = c.b
	}
	for name, b := range seeds {
		writeSeed(t, "FuzzLoad", name, b)
	}

	ck2, ss2 := trainingCheckpoint()
	var dtypeTail, ckTail []byte
	for _, s := range dtypeStorages {
		dtypeTail = append(dtypeTail, s.raw...)
	}
	for _, s := range ss2 {
		ckTail = append(ckTail, s.raw...)
	}
	pickles := map[string][]byte{
		"dtypes":   append(pickleBytes(dtypeDict(false)), dtypeTail...),
		"training": append(pickleBytes(ck2), ckTail...),
		"proto4":   pk("\x95"+le(14, 8), "\x8c\x01a\x94\x8c\x01b\x94\x93\x94)R\x94"),
	}
	for name, c := range hostilePickles() {
		pickles["found-"+name] = c.b
	}
	for name, b := range pickles {
		writeSeed(t, "FuzzPickle", name, b)
	}
}

// pk is a protocol-2 pickle of raw opcodes, ended by STOP.
func pk(ops ...string) []byte { return []byte("\x80\x02" + strings.Join(ops, "") + ".") }

func le(n uint64, w int) string {
	var b [8]byte
	for i := range b {
		b[i] = byte(n >> (8 * i))
	}
	return string(b[:w])
}

const odict = "ccollections\nOrderedDict\n)R"

// big62 is 2^62 and big62p1 2^62+1 as LONG1 integers: large enough that
// multiplying or adding them overflows.
var big62, big62p1 = pLong{0, 0, 0, 0, 0, 0, 0, 0x40}, pLong{1, 0, 0, 0, 0, 0, 0, 0x40}

// hostilePickles are FuzzPickle inputs (a pickle and its storage bytes)
// that crashed, hung or over-allocated before the fix named by the error
// each must now give.
func hostilePickles() map[string]struct {
	b    []byte
	want string
} {
	one := stor{"FloatStorage", "0", 1, f32Bytes(7)}
	fromType := pGlobal{"torch._tensor", "_rebuild_from_type_v2"}
	nested := pReduce{fromType, pTuple{fromType, pGlobal{"m", "T"},
		pTuple{pGlobal{"torch._utils", "_rebuild_tensor_v2"}, pGlobal{"m", "T"}, tensorV2(ss0, false, nil, 0, pTuple{2}, pTuple{1}).args, pDict{}},
		pDict{}}}
	return map[string]struct {
		b    []byte
		want string
	}{
		// fmt's %v of a list holding itself overflowed the stack.
		"selfref-list-key": {pk("}", "]q\x00h\x00a", "K\x01s"), "no dict of tensors"},
		// gopickle's OrderedDict hashes keys: []byte and func keys panicked.
		"bytes-key":    {pk(odict, "C\x01x", "K\x01s"), "bytes value as a dict key"},
		"callable-key": {pk(odict, "ctorch._utils\n_rebuild_tensor_v2\n", "K\x01s"), "no dict of tensors"},
		// gopickle indexed past the items, past its dispatch table, and
		// into a negative array descriptor.
		"odd-dict":            {pk("(K\x01d"), "odd number"},
		"opcode-ff":           {pk("\xff"), "unknown pickle opcode 0xff"},
		"array-reconstructor": {pk("carray\n_array_reconstructor\n(NX\x01\x00\x00\x00bJ\xff\xff\xff\xffC\x00tR"), "array"},
		// gopickle allocated what the length fields declared.
		"binbytes-2GB": {pk("B" + le(1<<31-1, 4)), "declares 2147483647 bytes"},
		"frame-1TB":    {pk("\x95" + le(1<<40, 8)), "a frame declares"},
		// decoding a long is quadratic in its length.
		"long4-2000-bytes": {pk("\x8b" + le(2000, 4) + strings.Repeat("\x01", 2000)), "too large"},
		// each level of nesting recursed again on every call.
		"nested-rebuild-from-type": {pickleBytes(pODict{[]any{"a", nested}}), "_rebuild_from_type_v2 with unexpected arguments"},
		// a 0-d view's offset was never checked: gather sliced past the data.
		"scalar-offset": {append(pickleBytes(pODict{[]any{"a", tensorV2(ss0, false, nil, 5, pTuple{}, pTuple{})}}), ss0.raw...),
			"outside its 2-element storage"},
		// a stride-0 view of one element was expanded into 2^40 elements.
		"class-name-with-cr": {pk("c\n\r\n(tR"), `".\r" object`},
		"expand-2pow40": {append(pickleBytes(pODict{[]any{"a", tensorV2(one, false, nil, 0, pTuple{1 << 20, 1 << 20}, pTuple{0, 0})}}), one.raw...),
			"more than the file can hold"},
	}
}

// hostileFiles are FuzzLoad inputs likewise.
func hostileFiles(t *testing.T) map[string]struct {
	b    []byte
	want string
} {
	root := stor{"FloatStorage", "r", 2, f32Bytes(1, 2)}
	overflowView := pODict{[]any{"a", tensorV2(root, true, pTuple{"v", big62, big62}, 0, pTuple{1}, pTuple{1})}}
	four := stor{"FloatStorage", "0", 1, f32Bytes(3)}
	hugeNumel := pReduce{pGlobal{"torch._utils", "_rebuild_tensor_v2"}, pTuple{
		pPersid{pTuple{"storage", pGlobal{"torch", "FloatStorage"}, "0", "cpu", big62p1}},
		big62, pTuple{1}, pTuple{1}, false, pODict{}}}
	scalar := pODict{[]any{"a", tensorV2(ss0, true, nil, 5, pTuple{}, pTuple{})}}
	expand := pODict{[]any{"a", tensorV2(four, false, nil, 0, pTuple{1 << 20, 1 << 20}, pTuple{0, 0})}}
	return map[string]struct {
		b    []byte
		want string
	}{
		// offset + size of a legacy view overflowed past the bounds check.
		"legacy-view-overflow": {legacyBytes(overflowView, []stor{root}, true), "does not fit its 2-element storage"},
		// numel × 4 wrapped around to the 4 bytes the record holds.
		"zip-numel-overflow":   {zipBytes(t, "x", pickleBytes(pODict{[]any{"a", hugeNumel}}), []stor{four}), "holds 4 bytes"},
		"legacy-scalar-offset": {legacyBytes(scalar, []stor{ss0}, true), "outside its 2-element storage"},
		"zip-expand-2pow40":    {zipBytes(t, "x", pickleBytes(expand), []stor{four}), "more than the file can hold"},
		// record and class names went into errors raw, line breaks and all.
		"zip-name-newline": {zipBytes(t, "x\ny", pickleBytes(pODict{[]any{"a", tensorV2(ss0, false, nil, 0, pTuple{2}, pTuple{1})}}), nil),
			`"x\ny/data/0" is missing`},
	}
}

func TestHostileInputs(t *testing.T) {
	for name, c := range hostilePickles() {
		_, err := loadPickleTail(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
	for name, c := range hostileFiles(t) {
		_, err := loadFrom(name, bytes.NewReader(c.b), int64(len(c.b)), "", false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

// A dict referenced under many keys is judged once: the choice of state
// dict stays linear in the pickle's size (it was quadratic, ~30 GB of
// allocation for this 400 kB pickle).
func TestSharedDictJudgedOnce(t *testing.T) {
	const n = 20000
	var p strings.Builder
	p.WriteString("\x80\x02}(")
	for i := range n {
		fmt.Fprintf(&p, "X%s%06dK\x01", le(6, 4), i)
	}
	p.WriteString("uq\x00\x940}(") // memo 0 = the big dict; POP it
	for i := range n {
		p.WriteString("M" + le(uint64(i), 2) + "h\x00")
	}
	p.WriteString("u.")
	b := []byte(p.String())
	var err error
	if a := allocated(func() { _, err = loadPickleTail(b) }); a > allocLimit(len(b)) {
		t.Fatalf("%d-byte pickle allocated %d bytes", len(b), a)
	}
	if err == nil || !strings.Contains(err.Error(), "no dict of tensors") {
		t.Fatalf("error %v", err)
	}
}
