package safetensors

import (
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"
)

// build assembles a safetensors file from a literal header and data.
func build(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestReadAllDTypes(t *testing.T) {
	hdr := `{"f16":{"dtype":"F16","shape":[6],"data_offsets":[0,12]},` +
		`"bf16":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},` +
		`"f64":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},` +
		`"i32":{"dtype":"I32","shape":[2],"data_offsets":[24,32]},` +
		`"u8":{"dtype":"U8","shape":[2],"data_offsets":[32,34]},` +
		`"bool":{"dtype":"BOOL","shape":[3],"data_offsets":[34,37]}}`
	le := binary.LittleEndian
	var d []byte
	for _, h := range []uint16{0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000} {
		d = le.AppendUint16(d, h)
	}
	d = le.AppendUint16(le.AppendUint16(d, 0x3f80), 0xc120)
	d = le.AppendUint64(d, math.Float64bits(0.1))
	d = le.AppendUint32(le.AppendUint32(d, uint32(0xffffffff)), 7)
	d = append(d, 255, 3, 1, 0, 2)
	f, err := Parse("mem.safetensors", build(hdr, d))
	if err != nil {
		t.Fatal(err)
	}
	wantF := map[string][]float32{
		"f16":  {1, -2, 65504, float32(math.Ldexp(1, -24)), float32(math.Inf(1)), float32(math.Copysign(0, -1))},
		"bf16": {1, -10},
		"f64":  {float32(0.1)},
	}
	for name, want := range wantF {
		got, err := f.Float32(name)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, %v; want %v", name, got, err, want)
		}
	}
	if got, _ := f.Float32("f16"); math.Signbit(float64(got[5])) != true {
		t.Error("F16 -0 lost its sign")
	}
	wantI := map[string][]int64{"i32": {-1, 7}, "u8": {255, 3}, "bool": {1, 0, 1}}
	for name, want := range wantI {
		got, err := f.Int64(name)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, %v; want %v", name, got, err, want)
		}
	}
	if names := infoNames(f); !reflect.DeepEqual(names, []string{"f16", "bf16", "f64", "i32", "u8", "bool"}) {
		t.Errorf("tensors not in data order: %v", names)
	}
}

func infoNames(f *File) []string {
	var s []string
	for _, i := range f.Infos {
		s = append(s, i.Name)
	}
	return s
}

func TestHalfSpecials(t *testing.T) {
	if v := halfToFloat32(0x7e00); !math.IsNaN(float64(v)) {
		t.Errorf("0x7e00 = %v, want NaN", v)
	}
	if v := halfToFloat32(0x03ff); v != float32(1023*math.Ldexp(1, -24)) {
		t.Errorf("largest subnormal = %v", v)
	}
	if v := halfToFloat32(0x8001); v != -float32(math.Ldexp(1, -24)) {
		t.Errorf("negative subnormal = %v", v)
	}
	if v := halfToFloat32(0x0400); v != float32(math.Ldexp(1, -14)) {
		t.Errorf("smallest normal = %v", v)
	}
}

func TestWrongKindAccess(t *testing.T) {
	hdr := `{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}`
	f, err := Parse("k.safetensors", build(hdr, make([]byte, 12)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []error{
		second(f.Float32("a")), second(f.Int64("b")), second(f.Raw("zz")), second(f.Tensor("zz")),
	} {
		if e == nil || !strings.Contains(e.Error(), "k.safetensors") {
			t.Errorf("error %v does not name the file", e)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestParseRejects(t *testing.T) {
	ok := `"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`
	cases := []struct {
		name, header string
		data         int
		want         string
	}{
		{"not json", `{"a":`, 8, "bad header entry"},
		{"bad key", `{,"a":1}`, 8, "bad header JSON"},
		{"array", `[1,2]`, 0, "not a JSON object"},
		{"unknown dtype", `{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}`, 8, `"a"`},
		{"size mismatch", `{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8, `"a"`},
		{"negative dim", `{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, 8, `"a"`},
		{"one offset", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}`, 8, `"a"`},
		{"no shape", `{"a":{"dtype":"F32","data_offsets":[0,0]}}`, 0, `"a"`},
		{"extra field", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, 8, `"a"`},
		{"duplicate", `{` + ok + `,` + ok + `}`, 8, "twice"},
		{"overlap", `{` + ok + `,"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8, `"b"`},
		{"gap", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8, `"a"`},
		{"truncated", `{` + ok + `}`, 6, "truncated"},
		{"trailing", `{` + ok + `}`, 12, "cover"},
		{"bad metadata", `{"__metadata__":{"k":1},` + ok + `}`, 8, "__metadata__"},
		{"stray", `{` + ok + `} x`, 8, "stray"},
	}
	for _, c := range cases {
		_, err := Parse("bad.safetensors", build(c.header, make([]byte, c.data)))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "bad.safetensors") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q lacks the file name or %q", c.name, msg, c.want)
		}
	}
}

func TestParseRejectsBadLength(t *testing.T) {
	for _, b := range [][]byte{
		{1, 2, 3},
		binary.LittleEndian.AppendUint64(nil, 100),
		binary.LittleEndian.AppendUint64(nil, math.MaxUint64),
	} {
		if _, err := Parse("len.safetensors", b); err == nil || !strings.Contains(err.Error(), "len.safetensors") {
			t.Errorf("%v: error %v", b, err)
		}
	}
	if _, err := Open("/nonexistent/x.safetensors"); err == nil || !strings.Contains(err.Error(), "/nonexistent/x.safetensors") {
		t.Errorf("missing file: %v", err)
	}
}
