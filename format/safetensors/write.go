package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Validate checks that tensors can be written: unique non-empty names, a
// known dtype, and exactly as many values as the shape holds.
func Validate(tensors []Tensor) error {
	seen := make(map[string]bool, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if t.Name == "" || t.Name == "__metadata__" || seen[t.Name] {
			return fmt.Errorf("tensor %d: name %q is empty, reserved or repeated", i, t.Name)
		}
		seen[t.Name] = true
		n, ok := Numel(t.Shape)
		if !ok {
			return fmt.Errorf("tensor %q: bad shape %v", t.Name, t.Shape)
		}
		switch {
		case t.DType.IsFloat() && len(t.F32) == n:
		case t.DType.IsInt() && len(t.I64) == n:
		default:
			return fmt.Errorf("tensor %q: dtype %q with %d float32 / %d int64 values does not fit shape %v",
				t.Name, t.DType, len(t.F32), len(t.I64), t.Shape)
		}
	}
	return nil
}

// Encode writes a complete safetensors stream to w.
func Encode(w io.Writer, tensors []Tensor, meta map[string]string) error {
	if err := Validate(tensors); err != nil {
		return err
	}
	hdr, err := header(tensors, meta)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(hdr)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	return WriteData(w, tensors)
}

// stored is the dtype a tensor is written as: F16 when asked for (values
// rounded to nearest), every other floating dtype as F32, integers as I64.
func stored(t *Tensor) DType {
	switch {
	case t.DType == F16:
		return F16
	case t.DType.IsFloat():
		return F32
	}
	return I64
}

// header builds the JSON header, padded with spaces to a multiple of 8 bytes
// so that the data section starts aligned.
func header(tensors []Tensor, meta map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(meta) > 0 {
		m, err := json.Marshal(meta) // map keys come out sorted
		if err != nil {
			return nil, err
		}
		b.WriteString(`"__metadata__":`)
		b.Write(m)
	}
	off := 0
	for i := range tensors {
		t := &tensors[i]
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(t.Name)
		size := t.Numel() * stored(t).Size()
		fmt.Fprintf(&b, `%s:{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}`,
			name, stored(t), shapeJSON(t.Shape), off, off+size)
		off += size
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes(), nil
}

func shapeJSON(shape []int) string {
	s := make([]string, len(shape))
	for i, d := range shape {
		s[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(s, ",") + "]"
}

// WriteData writes only the data section Encode would write for tensors
// (F32, F16 or I64 little-endian values, back to back, in order). Package
// checkpoint passes a hash here to checksum exactly the bytes on disk.
func WriteData(w io.Writer, tensors []Tensor) error {
	buf := make([]byte, 0, 1<<16)
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	for i := range tensors {
		t := &tensors[i]
		n := t.Numel()
		for j := 0; j < n; j++ {
			if len(buf)+8 > cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			switch stored(t) {
			case F32:
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(t.F32[j]))
			case F16:
				buf = binary.LittleEndian.AppendUint16(buf, float32ToHalf(t.F32[j]))
			default:
				buf = binary.LittleEndian.AppendUint64(buf, uint64(t.I64[j]))
			}
		}
	}
	if len(buf) > 0 {
		return flush()
	}
	return nil
}
