package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Data returns the whole data section (every byte after the header). It
// aliases the file's memory and must not be modified; checkpoint hashes it.
func (f *File) Data() []byte { return f.data }

// Info returns the description of the named tensor.
func (f *File) Info(name string) (Info, bool) {
	i, ok := f.index[name]
	if !ok {
		return Info{}, false
	}
	return f.Infos[i], true
}

// Raw returns the named tensor's little-endian bytes (aliasing the file).
func (f *File) Raw(name string) ([]byte, error) {
	info, ok := f.Info(name)
	if !ok {
		return nil, fmt.Errorf("safetensors: %s: no tensor %q", f.Path, name)
	}
	return f.data[info.Begin:info.End], nil
}

// Float32 returns the named tensor converted to float32; the dtype must be
// F32, F16, BF16 or F64.
func (f *File) Float32(name string) ([]float32, error) {
	raw, err := f.Raw(name)
	if err != nil {
		return nil, err
	}
	info, _ := f.Info(name)
	out, err := DecodeFloat(info.DType, raw)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: tensor %q: %v", f.Path, name, err)
	}
	return out, nil
}

// Int64 returns the named tensor converted to int64; the dtype must be I64,
// I32, U8 or BOOL.
func (f *File) Int64(name string) ([]int64, error) {
	raw, err := f.Raw(name)
	if err != nil {
		return nil, err
	}
	info, _ := f.Info(name)
	out, err := DecodeInt(info.DType, raw)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: tensor %q: %v", f.Path, name, err)
	}
	return out, nil
}

// Tensor returns the named tensor with its values converted.
func (f *File) Tensor(name string) (Tensor, error) {
	info, ok := f.Info(name)
	if !ok {
		return Tensor{}, fmt.Errorf("safetensors: %s: no tensor %q", f.Path, name)
	}
	t := Tensor{Name: name, DType: info.DType, Shape: slices.Clone(info.Shape)}
	var err error
	if info.DType.IsFloat() {
		t.F32, err = f.Float32(name)
	} else {
		t.I64, err = f.Int64(name)
	}
	return t, err
}

// Tensors returns every tensor, converted, in data-section order (which is
// the order they were written in).
func (f *File) Tensors() ([]Tensor, error) {
	out := make([]Tensor, len(f.Infos))
	for i, info := range f.Infos {
		t, err := f.Tensor(info.Name)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// DecodeFloat converts little-endian values of a floating dtype to float32.
// Package pth shares it for torch storages.
func DecodeFloat(d DType, raw []byte) ([]float32, error) {
	size := d.Size()
	if !d.IsFloat() {
		return nil, fmt.Errorf("dtype %s is not floating point", d)
	}
	if len(raw)%size != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s values", len(raw), d)
	}
	out := make([]float32, len(raw)/size)
	le := binary.LittleEndian
	for i := range out {
		b := raw[i*size:]
		switch d {
		case F32:
			out[i] = math.Float32frombits(le.Uint32(b))
		case F64:
			out[i] = float32(math.Float64frombits(le.Uint64(b)))
		case F16:
			out[i] = halfToFloat32(le.Uint16(b))
		case BF16:
			out[i] = bf16ToFloat32(le.Uint16(b))
		}
	}
	return out, nil
}

// DecodeInt converts little-endian values of an integer or boolean dtype to
// int64 (a boolean is 0 or 1; any nonzero byte counts as true).
func DecodeInt(d DType, raw []byte) ([]int64, error) {
	size := d.Size()
	if !d.IsInt() {
		return nil, fmt.Errorf("dtype %s is not an integer type", d)
	}
	if len(raw)%size != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s values", len(raw), d)
	}
	out := make([]int64, len(raw)/size)
	le := binary.LittleEndian
	for i := range out {
		b := raw[i*size:]
		switch d {
		case I64:
			out[i] = int64(le.Uint64(b))
		case I32:
			out[i] = int64(int32(le.Uint32(b)))
		case U8:
			out[i] = int64(b[0])
		case BOOL:
			if b[0] != 0 {
				out[i] = 1
			}
		}
	}
	return out, nil
}
