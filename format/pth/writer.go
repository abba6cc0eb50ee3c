package pth

// Writing: a state_dict as torch.save(state_dict, f) writes it in the zip
// format (PyTorch ≥ 1.6): records archive/data.pkl (pickle protocol 2 of a
// collections.OrderedDict mapping each name to
// torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False,
// OrderedDict())), archive/byteorder ("little"), archive/data/<i> (one
// storage per tensor, little-endian, its start aligned to 64 bytes as
// torch aligns it, so torch.load(mmap=True) works), archive/version ("3")
// and archive/.format_version ("1"). Every opcode used is one that
// torch.load(weights_only=True) accepts, and the bytes depend on the
// tensors only (fixed record names, order and timestamps).

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"unicode/utf8"

	"github.com/mambaad/mambaad/format/safetensors"
)

// archiveName is the top folder of the records, as current torch.save
// names it.
const archiveName = "archive"

// storageAlignment is torch's alignment of storage records in the file.
const storageAlignment = 64

// SaveFile writes ts to path as torch.save would (see Save).
func SaveFile(path string, ts []Tensor) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Save(f, ts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Save writes ts as a torch.save'd OrderedDict state_dict in the order
// given. A tensor holds float32 values (F32, saved as torch.float32) or
// int64 ones (I64, saved as torch.int64); its Shape may be [] for a scalar.
func Save(w io.Writer, ts []Tensor) error {
	seen := map[string]bool{}
	for i := range ts {
		t := &ts[i]
		if seen[t.Name] {
			return fmt.Errorf("pth: tensor %q twice", t.Name)
		}
		seen[t.Name] = true
		if !utf8.ValidString(t.Name) {
			return fmt.Errorf("pth: tensor name %q is not UTF-8", t.Name)
		}
		n, ok := safetensors.Numel(t.Shape)
		if !ok {
			return fmt.Errorf("pth: tensor %s: bad shape %v", t.Name, t.Shape)
		}
		if t.I64 != nil && t.F32 != nil {
			return fmt.Errorf("pth: tensor %s has both float and integer values", t.Name)
		}
		if got := max(len(t.F32), len(t.I64)); got != n {
			return fmt.Errorf("pth: tensor %s: %d values for shape %v", t.Name, got, t.Shape)
		}
	}
	cw := &countWriter{w: bufio.NewWriterSize(w, 1<<20)}
	zw := zip.NewWriter(cw)
	if err := putRecord(zw, cw, archiveName+"/data.pkl", statePickle(ts), false); err != nil {
		return err
	}
	if err := putRecord(zw, cw, archiveName+"/byteorder", []byte("little"), false); err != nil {
		return err
	}
	var buf []byte
	for i := range ts {
		buf = storageBytes(buf[:0], &ts[i])
		if err := putRecord(zw, cw, fmt.Sprintf("%s/data/%d", archiveName, i), buf, true); err != nil {
			return err
		}
	}
	if err := putRecord(zw, cw, archiveName+"/version", []byte("3\n"), false); err != nil {
		return err
	}
	if err := putRecord(zw, cw, archiveName+"/.format_version", []byte("1"), false); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return cw.w.(*bufio.Writer).Flush()
}

// countWriter counts the bytes that reach w (the zip writer's offsets).
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// putRecord stores one uncompressed record; aligned puts its data at a
// multiple of storageAlignment with padding in an extra field (id "FB",
// as PyTorch's writer does).
func putRecord(zw *zip.Writer, cw *countWriter, name string, data []byte, aligned bool) error {
	if uint64(len(data)) >= math.MaxUint32 {
		return fmt.Errorf("pth: record %s of %d bytes needs zip64 records, which this writer does not write", name, len(data))
	}
	fh := &zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data)),
		ModifiedDate: 1<<5 | 1} // 1980-01-01, the zip epoch: no clock in the file
	if aligned {
		if err := zw.Flush(); err != nil {
			return err
		}
		const fixed = 30 + 4 // local header, extra field header
		pad := (storageAlignment - int((cw.n+int64(fixed+len(name)))%storageAlignment)) % storageAlignment
		fh.Extra = make([]byte, 4+pad)
		copy(fh.Extra, "FB")
		binary.LittleEndian.PutUint16(fh.Extra[2:], uint16(pad))
	}
	rw, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	_, err = rw.Write(data)
	return err
}

// storageBytes appends a tensor's values little-endian.
func storageBytes(b []byte, t *Tensor) []byte {
	if t.I64 != nil {
		for _, v := range t.I64 {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
		return b
	}
	for _, v := range t.F32 {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// pickler writes pickle protocol 2 opcodes.
type pickler struct{ b []byte }

func (p *pickler) op(ops ...byte) { p.b = append(p.b, ops...) }

func (p *pickler) global(module, name string) {
	p.b = append(p.b, 'c')
	p.b = append(p.b, module+"\n"+name+"\n"...)
}

func (p *pickler) str(s string) {
	p.b = append(p.b, 'X')
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	p.b = append(p.b, s...)
}

// int writes a non-negative Python int with the shortest opcode.
func (p *pickler) int(v int64) {
	switch {
	case v >= 0 && v < 1<<8:
		p.b = append(p.b, 'K', byte(v))
	case v >= 0 && v < 1<<16:
		p.b = append(p.b, 'M')
		p.b = binary.LittleEndian.AppendUint16(p.b, uint16(v))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		p.b = append(p.b, 'J')
		p.b = binary.LittleEndian.AppendUint32(p.b, uint32(int32(v)))
	default: // LONG1: little-endian two's complement, 8 bytes suffice
		p.b = append(p.b, 0x8a, 8)
		p.b = binary.LittleEndian.AppendUint64(p.b, uint64(v))
	}
}

// tuple writes the values (ints) as a tuple.
func (p *pickler) ints(v []int64) {
	if len(v) == 0 {
		p.op(')') // EMPTY_TUPLE
		return
	}
	p.op('(') // MARK
	for _, x := range v {
		p.int(x)
	}
	p.op('t') // TUPLE
}

// emptyOrderedDict is collections.OrderedDict() (GLOBAL, EMPTY_TUPLE,
// REDUCE).
func (p *pickler) emptyOrderedDict() {
	p.global("collections", "OrderedDict")
	p.op(')', 'R')
}

// statePickle is data.pkl of the state_dict.
func statePickle(ts []Tensor) []byte {
	p := &pickler{}
	p.op(0x80, 2) // PROTO 2
	p.emptyOrderedDict()
	if len(ts) > 0 {
		p.op('(') // MARK for SETITEMS
		for i := range ts {
			t := &ts[i]
			p.str(t.Name)
			storage, numel := "FloatStorage", int64(len(t.F32))
			if t.I64 != nil {
				storage, numel = "LongStorage", int64(len(t.I64))
			}
			size := make([]int64, len(t.Shape))
			stride := make([]int64, len(t.Shape))
			acc := int64(1)
			for j := len(t.Shape) - 1; j >= 0; j-- {
				size[j], stride[j] = int64(t.Shape[j]), acc
				acc *= int64(t.Shape[j])
			}
			p.global("torch._utils", "_rebuild_tensor_v2")
			p.op('(') // MARK: the arguments
			// persistent id ('storage', torch.<X>Storage, key, 'cpu', numel)
			p.op('(')
			p.str("storage")
			p.global("torch", storage)
			p.str(fmt.Sprint(i))
			p.str("cpu")
			p.int(numel)
			p.op('t', 'Q') // TUPLE, BINPERSID
			p.int(0)       // storage offset
			p.ints(size)
			p.ints(stride)
			p.op(0x89) // NEWFALSE: requires_grad
			p.emptyOrderedDict()
			p.op('t', 'R') // TUPLE, REDUCE
		}
		p.op('u') // SETITEMS
	}
	p.op('.') // STOP
	return p.b
}
