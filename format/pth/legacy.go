package pth

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
)

// Legacy files are five things back to back: the pickled magic number, the
// protocol version and a sys-info dict, then the object pickle, then a
// pickled list of storage keys, then for each key an int64 element count and
// the raw storage bytes.
const (
	legacyMagic    = "1950a86a20f9469cfc6c"
	legacyProtocol = 1001
)

func openLegacy(b []byte) (any, error) {
	if len(b) > 262 && string(b[257:262]) == "ustar" {
		return nil, fmt.Errorf("the pre-1.0 tar checkpoint format is not supported")
	}
	pos, err := legacyHeader(b)
	if err != nil {
		return nil, err
	}
	roots := map[string]*storage{}
	views := map[string]*storage{}
	obj, n, err := unpickle(b[pos:], func(id *types.Tuple) (any, error) { return legacyStorage(id, roots, views) })
	if err != nil {
		return nil, fmt.Errorf("legacy object pickle: %w", err)
	}
	if err := legacyStorages(b, pos+n, roots); err != nil {
		return nil, err
	}
	return obj, nil
}

// legacyHeader checks the three header pickles and returns their length.
func legacyHeader(b []byte) (int, error) {
	magic, pos, err := unpickle(b, nil)
	if n, ok := magic.(*big.Int); err != nil || !ok || n.Text(16) != legacyMagic {
		return 0, fmt.Errorf("not a PyTorch file: neither a zip archive nor a legacy pickle with the torch magic number")
	}
	proto, n, err := unpickle(b[pos:], nil)
	if err != nil {
		return 0, fmt.Errorf("legacy protocol-version pickle: %w", err)
	}
	pos += n
	if p, ok := proto.(int); !ok || p != legacyProtocol {
		return 0, fmt.Errorf("legacy protocol version %s, want %d", brief(proto), legacyProtocol)
	}
	info, n, err := unpickle(b[pos:], nil)
	if err != nil {
		return 0, fmt.Errorf("legacy sys-info pickle: %w", err)
	}
	pos += n
	if d, ok := info.(*types.Dict); ok {
		if le, ok := d.Get("little_endian"); ok && le != true {
			return 0, fmt.Errorf("big-endian legacy files are not supported")
		}
	}
	return pos, nil
}

// legacyStorage resolves ('storage', class, root_key, location, numel,
// view_metadata): the root storage, or a (view_key, offset, size) view of it.
func legacyStorage(id *types.Tuple, roots, views map[string]*storage) (any, error) {
	s, err := storageArgs(id)
	if err != nil {
		return nil, err
	}
	root, ok := roots[s.key]
	if !ok {
		root = s
		roots[s.key] = s
	}
	if id.Len() < 6 || id.Get(5) == nil {
		return root, nil
	}
	vm, ok := id.Get(5).(*types.Tuple)
	if !ok || vm.Len() != 3 {
		return nil, fmt.Errorf("bad storage view metadata %s", brief(id.Get(5)))
	}
	key, ok1 := vm.Get(0).(string)
	off, ok2 := vm.Get(1).(int)
	n, ok3 := vm.Get(2).(int)
	if !ok1 || !ok2 || !ok3 || off < 0 || n < 0 || off > root.numel || n > root.numel-off {
		return nil, fmt.Errorf("storage view %s does not fit its %d-element storage", brief(vm), root.numel)
	}
	if v, ok := views[key]; ok {
		return v, nil
	}
	v := &storage{class: root.class, dtype: root.dtype, size: root.size, key: key, numel: n, base: root, offset: off}
	views[key] = v
	return v, nil
}

// legacyStorages reads the key list starting at pos and the raw storages
// that follow it.
func legacyStorages(b []byte, pos int, roots map[string]*storage) error {
	keysObj, n, err := unpickle(b[pos:], nil)
	if err != nil {
		return fmt.Errorf("legacy storage key list: %w", err)
	}
	keys, ok := keysObj.(*types.List)
	if !ok {
		return fmt.Errorf("legacy storage key list is a %s, not a list", describe(keysObj))
	}
	pos += n
	for _, k := range *keys {
		key, _ := k.(string)
		s, ok := roots[key]
		if !ok {
			return fmt.Errorf("legacy storage key %s is not referenced by the pickle", brief(k))
		}
		raw, err := legacyStorage1(b, &pos, s)
		if err != nil {
			return err
		}
		s.raw = raw
	}
	for key, s := range roots {
		if s.raw == nil {
			return fmt.Errorf("legacy storage %q has no data", key)
		}
	}
	return nil
}

func legacyStorage1(b []byte, pos *int, s *storage) ([]byte, error) {
	if len(b)-*pos < 8 {
		return nil, fmt.Errorf("legacy storage %q: file truncated before its size", s.key)
	}
	numel := binary.LittleEndian.Uint64(b[*pos:])
	*pos += 8
	if numel != uint64(s.numel) {
		return nil, fmt.Errorf("legacy storage %q: file says %d elements, pickle says %d", s.key, numel, s.numel)
	}
	if s.size == 0 {
		return nil, fmt.Errorf("legacy storage %q: unknown element size of %s", s.key, s.class)
	}
	if s.numel > len(b)/s.size || len(b)-*pos < s.numel*s.size {
		return nil, fmt.Errorf("legacy storage %q: file truncated (%d bytes left for %d × %s)", s.key, len(b)-*pos, s.numel, s.class)
	}
	n := s.numel * s.size
	raw := b[*pos : *pos+n : *pos+n]
	*pos += n
	return raw, nil
}
