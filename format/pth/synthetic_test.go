package pth

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

func u16s(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

func i64s(v ...int64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

var dtypeStorages = []stor{
	{"FloatStorage", "0", 6, f32Bytes(0, 1, 2, 3, 4, 5)},
	{"HalfStorage", "1", 2, u16s(0x3c00, 0xc000)},
	{"BFloat16Storage", "2", 1, u16s(0x3f80)},
	{"DoubleStorage", "3", 1, binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.25))},
	{"LongStorage", "4", 2, i64s(-3, 1<<40)},
	{"IntStorage", "5", 2, binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0xffffffff), 7)},
	{"ByteStorage", "6", 2, []byte{255, 0}},
	{"BoolStorage", "7", 3, []byte{1, 0, 1}},
	{"LongStorage", "8", 1, i64s(42)},
	{"FloatStorage", "9", 0, nil},
}

type want struct {
	name  string
	dtype string
	shape []int
	vals  []float64
}

var dtypeWant = []want{
	{"w.t", "F32", []int{3, 2}, []float64{0, 3, 1, 4, 2, 5}},
	{"w.slice", "F32", []int{2}, []float64{4, 5}},
	{"w.expand", "F32", []int{2, 3}, []float64{1, 2, 3, 1, 2, 3}},
	{"half", "F16", []int{2}, []float64{1, -2}},
	{"bf16", "BF16", []int{1}, []float64{1}},
	{"f64", "F64", []int{1}, []float64{0.25}},
	{"long", "I64", []int{2}, []float64{-3, 1 << 40}},
	{"int", "I32", []int{2}, []float64{-1, 7}},
	{"byte", "U8", []int{2}, []float64{255, 0}},
	{"bool", "BOOL", []int{3}, []float64{1, 0, 1}},
	{"scalar", "I64", []int{}, []float64{42}},
	{"empty", "F32", []int{0, 3}, nil},
	{"param", "F32", []int{2, 3}, []float64{0, 1, 2, 3, 4, 5}},
	{"subclass", "F32", []int{2}, []float64{0, 1}},
}

// dtypeDict pickles the state dict matching dtypeWant.
func dtypeDict(legacy bool) pODict {
	s := dtypeStorages
	tv := func(i, off int, size, stride pTuple) pReduce { return tensorV2(s[i], legacy, nil, off, size, stride) }
	vec := func(i, n int) pReduce { return tv(i, 0, pTuple{n}, pTuple{1}) }
	return pODict{[]any{
		"w.t", tv(0, 0, pTuple{3, 2}, pTuple{1, 3}),
		"w.slice", tv(0, 4, pTuple{2}, pTuple{1}),
		"w.expand", tv(0, 1, pTuple{2, 3}, pTuple{0, 1}),
		"half", vec(1, 2), "bf16", vec(2, 1), "f64", vec(3, 1), "long", vec(4, 2),
		"int", vec(5, 2), "byte", vec(6, 2), "bool", vec(7, 3),
		"scalar", tv(8, 0, pTuple{}, pTuple{}),
		"empty", tv(9, 0, pTuple{0, 3}, pTuple{3, 1}),
		"param", pReduce{pGlobal{"torch._utils", "_rebuild_parameter"},
			pTuple{tv(0, 0, pTuple{2, 3}, pTuple{3, 1}), true, pODict{}}},
		"subclass", pReduce{pGlobal{"torch._tensor", "_rebuild_from_type_v2"},
			pTuple{pGlobal{"torch._utils", "_rebuild_tensor_v2"}, pGlobal{"mylib", "MyTensor"},
				tv(0, 0, pTuple{2}, pTuple{1}).args, pDict{}}},
	}}
}

func checkWant(t *testing.T, got []Tensor, ws []want) {
	t.Helper()
	if len(got) != len(ws) {
		t.Fatalf("%d tensors, want %d", len(got), len(ws))
	}
	for i, w := range ws {
		g := got[i]
		if g.Name != w.name || string(g.DType) != w.dtype || !slices.Equal(g.Shape, w.shape) ||
			!slices.Equal(asFloat64(g), w.vals) {
			t.Errorf("tensor %d: got %s %s %v %v, want %s %s %v %v",
				i, g.Name, g.DType, g.Shape, asFloat64(g), w.name, w.dtype, w.shape, w.vals)
		}
	}
}

func TestDTypesAndViews(t *testing.T) {
	zp := writeTemp(t, "z.pth", zipBytes(t, "archive", pickleBytes(dtypeDict(false)), dtypeStorages))
	lp := writeTemp(t, "l.pth", legacyBytes(dtypeDict(true), dtypeStorages, true))
	for _, p := range []string{zp, lp} {
		got, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		checkWant(t, got, dtypeWant)
	}
}

// trainingCheckpoint mimics {"net": sd, "optimizer": ..., "epoch": 3, ...}
// with a numpy object and an int8 tensor outside the state dict.
func trainingCheckpoint(extra ...any) (pDict, []stor) {
	ss := []stor{{"FloatStorage", "0", 2, f32Bytes(1.5, -1)}, {"CharStorage", "1", 1, []byte{7}}}
	net := pODict{[]any{"a.weight", tensorV2(ss[0], false, nil, 0, pTuple{2}, pTuple{1})}}
	npScalar := pBuild{pReduce{pGlobal{"numpy", "dtype"}, pTuple{"f8", false, true}},
		pTuple{3, "<", nil, nil, nil, -1, -1, 0}}
	opt := pDict{[]any{
		"state", pDict{[]any{0, pDict{[]any{"step", tensorV2(ss[1], false, nil, 0, pTuple{}, pTuple{})}}}},
		"param_groups", pList{pDict{[]any{"lr", 0.1, "params", pList{0}}}},
	}}
	args := pBuild{pNewObj{pGlobal{"argparse", "Namespace"}, pTuple{}}, pDict{[]any{"lr", 0.005}}}
	kv := append([]any{"net", net, "optimizer", opt, "epoch", 3, "dtype", npScalar, "args", args}, extra...)
	return pDict{kv}, ss
}

func TestTrainingCheckpoint(t *testing.T) {
	obj, ss := trainingCheckpoint()
	// The int8 storage record is absent: it must never be read.
	p := writeTemp(t, "ck.pth", zipBytes(t, "ck", pickleBytes(obj), ss[:1]))
	wantNet := []want{{"a.weight", "F32", []int{2}, []float64{1.5, -1}}}
	for _, load := range []func() ([]Tensor, error){
		func() ([]Tensor, error) { return Load(p) },
		func() ([]Tensor, error) { return LoadKey(p, "net") },
	} {
		got, err := load()
		if err != nil {
			t.Fatal(err)
		}
		checkWant(t, got, wantNet)
	}
	_, err := LoadKey(p, "optimizer")
	expectErr(t, p, err, `"optimizer"`)
	_, err = LoadKey(p, "nope")
	expectErr(t, p, err, `"epoch"`)
	_, err = LoadKey(p, "args")
	expectErr(t, p, err, "argparse.Namespace object")
}

func TestStateDictChoice(t *testing.T) {
	obj, ss := trainingCheckpoint("ema", pODict{[]any{"b", tensorV2(ss0, false, nil, 0, pTuple{1}, pTuple{1})}})
	p := writeTemp(t, "two.pth", zipBytes(t, "two", pickleBytes(obj), ss))
	_, err := Load(p)
	expectErr(t, p, err, "net, ema")
	got, err := LoadKey(p, "ema")
	if err != nil {
		t.Fatal(err)
	}
	checkWant(t, got, []want{{"b", "F32", []int{1}, []float64{1.5}}})

	for name, obj := range map[string]any{
		"list":    pList{1, 2},
		"nodict":  pDict{[]any{"epoch", 3}},
		"empty":   pODict{},
		"mixed":   pODict{[]any{"a", tensorV2(ss0, false, nil, 0, pTuple{1}, pTuple{1}), "b", 3}},
		"intkeys": pDict{[]any{1, tensorV2(ss0, false, nil, 0, pTuple{1}, pTuple{1})}},
	} {
		p := writeTemp(t, name+".pth", zipBytes(t, name, pickleBytes(obj), ss[:1]))
		_, err := Load(p)
		expectErr(t, p, err, "")
	}
}

var ss0 = stor{"FloatStorage", "0", 2, f32Bytes(1.5, -1)}

// Python dict semantics: a key set twice keeps its first place, last value.
func TestRepeatedKey(t *testing.T) {
	a := tensorV2(ss0, false, nil, 0, pTuple{1}, pTuple{1})
	b := tensorV2(ss0, false, nil, 1, pTuple{1}, pTuple{1})
	obj := pDict{[]any{"x", a, "y", a, "x", b}}
	p := writeTemp(t, "dup.pth", zipBytes(t, "dup", pickleBytes(obj), []stor{ss0}))
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	checkWant(t, got, []want{{"x", "F32", []int{1}, []float64{-1}}, {"y", "F32", []int{1}, []float64{1.5}}})
}

func TestLegacyStorageViews(t *testing.T) {
	root := stor{"FloatStorage", "r", 6, f32Bytes(0, 1, 2, 3, 4, 5)}
	v1 := pTuple{"v1", 2, 3}
	obj := pODict{[]any{
		"a", tensorV2(root, true, v1, 0, pTuple{3}, pTuple{1}),
		"b", tensorV2(root, true, v1, 1, pTuple{2}, pTuple{1}),
		"c", tensorV2(root, true, nil, 5, pTuple{1}, pTuple{1}),
	}}
	p := writeTemp(t, "views.pth", legacyBytes(obj, []stor{root}, true))
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	checkWant(t, got, []want{
		{"a", "F32", []int{3}, []float64{2, 3, 4}},
		{"b", "F32", []int{2}, []float64{3, 4}},
		{"c", "F32", []int{1}, []float64{5}},
	})
	bad := pODict{[]any{"a", tensorV2(root, true, pTuple{"v2", 5, 3}, 0, pTuple{3}, pTuple{1})}}
	p = writeTemp(t, "badview.pth", legacyBytes(bad, []stor{root}, true))
	_, err = Load(p)
	expectErr(t, p, err, "view")
}

func expectErr(t *testing.T, path string, err error, substr string) {
	t.Helper()
	if testing.Verbose() && err != nil {
		t.Log(err)
	}
	if err == nil {
		t.Fatalf("%s: no error", path)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, substr) {
		t.Fatalf("error %q should name %s and contain %q", msg, path, substr)
	}
}
