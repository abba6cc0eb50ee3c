package pth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// storage is one torch storage: its dtype (from the storage class), its
// element count as declared in the pickle, and a way to fetch its bytes.
// A legacy view shares its base's bytes from an element offset.
type storage struct {
	class  string // for messages, e.g. "torch.HalfStorage"
	dtype  safetensors.DType
	size   int // bytes per element, 0 if unknown
	key    string
	numel  int
	base   *storage // non-nil for a legacy view
	offset int      // view offset into base, in elements
	raw    []byte
	fetch  func() ([]byte, error)
}

// bytes returns the storage's raw little-endian data, reading it on first use.
func (s *storage) bytes() ([]byte, error) {
	if s.base != nil {
		b, err := s.base.bytes()
		if err != nil {
			return nil, err
		}
		return b[s.offset*s.size : (s.offset+s.numel)*s.size], nil
	}
	if s.raw == nil {
		if s.fetch == nil {
			return nil, fmt.Errorf("storage %q has no data", s.key)
		}
		b, err := s.fetch()
		if err != nil {
			return nil, err
		}
		s.raw = b
	}
	return s.raw, nil
}

// tensorRef is what _rebuild_tensor_v2 produces: a strided view of a storage.
type tensorRef struct {
	st     *storage
	offset int
	size   []int
	stride []int
}

// storageDTypes maps torch's legacy storage classes to dtypes. Classes not
// listed still unpickle (so unrelated tensors do not break a load) and fail
// only if a chosen tensor uses them.
var storageDTypes = map[string]safetensors.DType{
	"FloatStorage":    safetensors.F32,
	"HalfStorage":     safetensors.F16,
	"BFloat16Storage": safetensors.BF16,
	"DoubleStorage":   safetensors.F64,
	"LongStorage":     safetensors.I64,
	"IntStorage":      safetensors.I32,
	"ByteStorage":     safetensors.U8,
	"BoolStorage":     safetensors.BOOL,
}

// otherStorageSizes gives the element size of storage classes this package
// cannot convert, so that a legacy file holding one can still be parsed.
var otherStorageSizes = map[string]int{
	"CharStorage": 1, "ShortStorage": 2, "ComplexHalfStorage": 4, "ComplexFloatStorage": 8,
	"ComplexDoubleStorage": 16, "QUInt8Storage": 1, "QInt8Storage": 1, "QInt32Storage": 4,
	"QUInt4x2Storage": 1, "QUInt2x4Storage": 1,
}

type storageClass struct {
	name  string
	dtype safetensors.DType // "" when unsupported
	size  int               // bytes per element, 0 if unknown
}

// errPickleMachine marks a panic inside gopickle. checkPickle exists so
// that none can happen; the fuzz tests fail if one does.
var errPickleMachine = errors.New("the pickle machine failed (a bug in this reader)")

// unpickle runs the pickle at the start of b with the torch hooks and
// returns its value and length. persistent receives the persistent id tuple
// of each storage reference. checkPickle vets the bytes first, so that
// gopickle only ever sees input it neither over-allocates for nor panics on.
func unpickle(b []byte, persistent func(*types.Tuple) (any, error)) (v any, n int, err error) {
	n, err = checkPickle(b)
	if err != nil {
		return nil, 0, err
	}
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("%w: %s", errPickleMachine, oneLine(fmt.Sprint(p)))
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(b[:n]))
	u.FindClass = findClass
	u.PersistentLoad = func(id any) (any, error) {
		if persistent == nil {
			return nil, fmt.Errorf("unexpected storage reference")
		}
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() < 5 {
			return nil, fmt.Errorf("persistent id %s is not a storage tuple", brief(id))
		}
		if s, _ := t.Get(0).(string); s != "storage" {
			return nil, fmt.Errorf("persistent id of type %s, want 'storage'", brief(t.Get(0)))
		}
		return persistent(t)
	}
	v, err = u.Load()
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("pickle ends early (truncated, or not a pickle)")
	case err != nil:
		// gopickle's own messages can quote whole values (%#v).
		if msg := err.Error(); oneLine(msg) != msg {
			err = errors.New(oneLine(msg))
		}
	}
	return v, n, err
}

// oneLine shortens a message to one line of at most 200 bytes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:197], "") + "..."
	}
	return s
}

// storageArgs decodes ('storage', class, key, location, numel, ...).
func storageArgs(t *types.Tuple) (*storage, error) {
	class, ok1 := t.Get(1).(*storageClass)
	key, ok2 := t.Get(2).(string)
	numel, ok3 := t.Get(4).(int)
	if !ok1 || !ok2 || !ok3 || numel < 0 {
		return nil, fmt.Errorf("bad storage reference %s", brief(t))
	}
	return &storage{class: class.name, dtype: class.dtype, size: class.size, key: key, numel: numel}, nil
}

func findClass(module, name string) (any, error) {
	full := module + "." + name
	switch full {
	case "torch._utils._rebuild_tensor_v2":
		return &callable{full, rebuildTensor}, nil
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		return &callable{full, rebuildParameter}, nil
	case "torch._tensor._rebuild_from_type_v2":
		return &callable{full, rebuildFromType}, nil
	}
	if module == "torch" {
		if dt, ok := storageDTypes[name]; ok {
			return &storageClass{name: full, dtype: dt, size: dt.Size()}, nil
		}
		if strings.HasSuffix(name, "Storage") {
			return &storageClass{name: pyName(full), size: otherStorageSizes[name]}, nil
		}
	}
	return &opaque{name: pyName(full)}, nil
}

// pyName is a class name from the pickle as messages print it: as it is
// when short and printable, else quoted and shortened, so that a name
// holding a line break cannot break an error over lines.
func pyName(s string) string {
	if len(s) <= 100 && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	return brief(s)
}
