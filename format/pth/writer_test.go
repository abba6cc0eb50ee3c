package pth

// A minimal pickle (protocol 2) and torch.save writer, so that tests can
// build the checkpoint shapes the golden files do not cover (other dtypes,
// strided views, nested dicts, legacy views) and damaged variants of them.

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"testing"
)

type (
	pGlobal struct{ mod, name string }
	pReduce struct{ fn, args any } // fn is usually a pGlobal; args a pTuple
	pPersid struct{ id pTuple }
	pTuple  []any
	pList   []any
	pDict   struct{ kv []any } // alternating keys and values
	pODict  struct{ kv []any } // collections.OrderedDict
	pBuild  struct{ obj, state any }
	pNewObj struct{ cls, args any } // NEWOBJ: cls.__new__(cls, *args)
	pLong   []byte                  // LONG1 little-endian two's complement
)

type pw struct{ b bytes.Buffer }

func pickleBytes(v any) []byte {
	var w pw
	w.b.Write([]byte{0x80, 2})
	w.put(v)
	w.b.WriteByte('.')
	return w.b.Bytes()
}

func (w *pw) put(v any) {
	b := &w.b
	switch v := v.(type) {
	case nil:
		b.WriteByte('N')
	case bool:
		b.WriteByte(map[bool]byte{true: 0x88, false: 0x89}[v])
	case int:
		b.WriteByte('J')
		b.Write(binary.LittleEndian.AppendUint32(nil, uint32(int32(v))))
	case float64:
		b.WriteByte('G')
		b.Write(binary.BigEndian.AppendUint64(nil, math.Float64bits(v)))
	case string:
		b.WriteByte('X')
		b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(v))))
		b.WriteString(v)
	case pLong:
		b.Write([]byte{0x8a, byte(len(v))})
		b.Write(v)
	case pGlobal:
		b.WriteString("c" + v.mod + "\n" + v.name + "\n")
	case pTuple:
		w.seq('(', v, 't')
	case pList:
		b.WriteByte(']')
		if len(v) > 0 {
			w.seq('(', v, 'e')
		}
	case pDict:
		b.WriteByte('}')
		w.items(v.kv)
	case pODict:
		w.put(pReduce{pGlobal{"collections", "OrderedDict"}, pTuple{}})
		w.items(v.kv)
	case pReduce:
		w.put(v.fn)
		w.put(v.args)
		b.WriteByte('R')
	case pNewObj:
		w.put(v.cls)
		w.put(v.args)
		b.WriteByte(0x81)
	case pBuild:
		w.put(v.obj)
		w.put(v.state)
		b.WriteByte('b')
	case pPersid:
		w.put(v.id)
		b.WriteByte('Q')
	default:
		panic("pickle writer: unsupported value")
	}
}

func (w *pw) seq(open byte, vs []any, close byte) {
	w.b.WriteByte(open)
	for _, x := range vs {
		w.put(x)
	}
	w.b.WriteByte(close)
}

func (w *pw) items(kv []any) {
	if len(kv) > 0 {
		w.seq('(', kv, 'u')
	}
}

// stor is one storage to save: its torch class, key and raw bytes.
type stor struct {
	class string
	key   string
	numel int
	raw   []byte
}

// tensorV2 pickles _rebuild_tensor_v2 of s; legacy adds the 6th persistent
// id field (view metadata, nil for none).
func tensorV2(s stor, legacy bool, view any, off int, size, stride pTuple) pReduce {
	id := pTuple{"storage", pGlobal{"torch", s.class}, s.key, "cpu", s.numel}
	if legacy {
		id = append(id, view)
	}
	return pReduce{pGlobal{"torch._utils", "_rebuild_tensor_v2"},
		pTuple{pPersid{id}, off, size, stride, false, pODict{}}}
}

// zipBytes builds a zip checkpoint like torch.save: top/data.pkl, top/data/k.
func zipBytes(t *testing.T, top string, pkl []byte, ss []stor) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if pkl != nil {
		add(top+"/data.pkl", pkl)
	}
	for _, s := range ss {
		add(top+"/data/"+s.key, s.raw)
	}
	add(top+"/version", []byte("3\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// legacyMagicLong is 0x1950a86a20f9469cfc6c as LONG1 bytes.
var legacyMagicLong = pLong{0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}

// legacyBytes builds a _use_new_zipfile_serialization=False file.
func legacyBytes(obj any, ss []stor, littleEndian bool) []byte {
	var b bytes.Buffer
	b.Write(pickleBytes(legacyMagicLong))
	b.Write(pickleBytes(1001))
	b.Write(pickleBytes(pDict{[]any{"protocol_version", 1001, "little_endian", littleEndian}}))
	b.Write(pickleBytes(obj))
	keys := pList{}
	for _, s := range ss {
		keys = append(keys, s.key)
	}
	b.Write(pickleBytes(keys))
	for _, s := range ss {
		b.Write(binary.LittleEndian.AppendUint64(nil, uint64(s.numel)))
		b.Write(s.raw)
	}
	return b.Bytes()
}

func writeTemp(t *testing.T, name string, b []byte) string {
	p := t.TempDir() + "/" + name
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func f32Bytes(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// appendRecord rebuilds a zip archive with one more stored record.
func appendRecord(t *testing.T, z []byte, name string, data []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
