package pth

import (
	"fmt"
	"slices"

	"github.com/mambaad/mambaad/format/safetensors"
)

// materialize copies a strided view of a storage into a contiguous tensor
// and converts its values.
func materialize(name string, r *tensorRef) (Tensor, error) {
	st := r.st
	if st.dtype == "" {
		return Tensor{}, fmt.Errorf("unsupported dtype (%s)", st.class)
	}
	numel, err := checkView(r)
	if err != nil {
		return Tensor{}, err
	}
	raw, err := st.bytes()
	if err != nil {
		return Tensor{}, err
	}
	data := gather(raw, r, numel, st.size)
	t := Tensor{Name: name, DType: st.dtype, Shape: slices.Clone(r.size)}
	if st.dtype.IsFloat() {
		t.F32, err = safetensors.DecodeFloat(st.dtype, data)
	} else {
		t.I64, err = safetensors.DecodeInt(st.dtype, data)
	}
	return t, err
}

// checkView verifies that every element the view addresses lies inside its
// storage, and returns the element count.
func checkView(r *tensorRef) (int, error) {
	if len(r.size) != len(r.stride) || r.offset < 0 {
		return 0, fmt.Errorf("bad view: offset %d, size %v, stride %v", r.offset, r.size, r.stride)
	}
	numel, ok := safetensors.Numel(r.size)
	if !ok {
		return 0, fmt.Errorf("bad shape %v", r.size)
	}
	if numel == 0 {
		return 0, nil
	}
	last := r.offset
	for i, n := range r.size {
		s := r.stride[i]
		if s < 0 || (n > 1 && s > r.st.numel/(n-1)) {
			return 0, fmt.Errorf("stride %v does not fit a %d-element storage", r.stride, r.st.numel)
		}
		last += (n - 1) * s
		if last >= r.st.numel {
			return 0, fmt.Errorf("view (offset %d, size %v, stride %v) runs past its %d-element storage",
				r.offset, r.size, r.stride, r.st.numel)
		}
	}
	return numel, nil
}

// gather returns the view's bytes in row-major order; a contiguous view is
// returned without copying.
func gather(raw []byte, r *tensorRef, numel, es int) []byte {
	if numel == 0 {
		return nil
	}
	if contiguous(r.size, r.stride) {
		return raw[r.offset*es : (r.offset+numel)*es]
	}
	out := make([]byte, 0, numel*es)
	idx := make([]int, len(r.size))
	for k := 0; k < numel; k++ {
		e := r.offset
		for d, i := range idx {
			e += i * r.stride[d]
		}
		out = append(out, raw[e*es:(e+1)*es]...)
		for d := len(idx) - 1; d >= 0; d-- { // odometer increment
			if idx[d]++; idx[d] < r.size[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

// contiguous reports row-major strides, ignoring the stride of size-1 axes
// (torch leaves those arbitrary).
func contiguous(size, stride []int) bool {
	want := 1
	for d := len(size) - 1; d >= 0; d-- {
		if size[d] != 1 && stride[d] != want {
			return false
		}
		want *= size[d]
	}
	return true
}
