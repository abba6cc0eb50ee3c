package pth

import (
	"fmt"
	"slices"

	"github.com/mambaad/mambaad/format/safetensors"
)

// elementBudget is how many elements the chosen tensors of a size-byte
// file may hold together: four per byte of the file, plus a fixed
// allowance. A file without shared storages holds at most one per byte;
// the rest is room for tied weights and for views that repeat a small
// storage (stride 0). Without a bound, a small file could declare views
// that expand one storage into terabytes.
func elementBudget(size int64) int64 { return 4*size + 1<<20 }

// materialize copies a strided view of a storage into a contiguous tensor
// and converts its values, charging its elements to budget.
func materialize(name string, r *tensorRef, budget *int64) (Tensor, error) {
	st := r.st
	if st.dtype == "" {
		return Tensor{}, fmt.Errorf("unsupported dtype (%s)", st.class)
	}
	numel, err := checkView(r)
	if err != nil {
		return Tensor{}, err
	}
	if int64(numel) > *budget {
		return Tensor{}, fmt.Errorf("shape %s needs %d elements, more than the file can hold (views repeating a small storage?)",
			ints(r.size), numel)
	}
	*budget -= int64(numel)
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
		return 0, fmt.Errorf("bad view: offset %d, size %s, stride %s", r.offset, ints(r.size), ints(r.stride))
	}
	numel, ok := safetensors.Numel(r.size)
	if !ok {
		return 0, fmt.Errorf("bad shape %s", ints(r.size))
	}
	if numel == 0 {
		return 0, nil
	}
	// last is the largest element index addressed; each step keeps it
	// below st.numel, so the sum cannot overflow.
	last := r.offset
	if last >= r.st.numel {
		return 0, fmt.Errorf("view offset %d is outside its %d-element storage", r.offset, r.st.numel)
	}
	for i, n := range r.size {
		s := r.stride[i]
		if s < 0 || (n > 1 && s > r.st.numel/(n-1)) {
			return 0, fmt.Errorf("stride %s does not fit a %d-element storage", ints(r.stride), r.st.numel)
		}
		last += (n - 1) * s
		if last >= r.st.numel {
			return 0, fmt.Errorf("view (offset %d, size %s, stride %s) runs past its %d-element storage",
				r.offset, ints(r.size), ints(r.stride), r.st.numel)
		}
	}
	return numel, nil
}

// ints prints a shape or stride for a message, eliding the middle of a
// long one.
func ints(v []int) string {
	if len(v) <= 8 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%v … %v (%d dims)", v[:4], v[len(v)-2:], len(v))
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
