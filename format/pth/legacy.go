package pth

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"os"

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

func openLegacy(f *os.File) (*archive, error) {
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if len(b) > 262 && string(b[257:262]) == "ustar" {
		return nil, fmt.Errorf("the pre-1.0 tar checkpoint format is not supported")
	}
	r := bytes.NewReader(b)
	if err := legacyHeader(r); err != nil {
		return nil, err
	}
	roots := map[string]*storage{}
	views := map[string]*storage{}
	obj, err := unpickle(r, func(id *types.Tuple) (any, error) { return legacyStorage(id, roots, views) })
	if err != nil {
		return nil, fmt.Errorf("legacy object pickle: %w", err)
	}
	if err := legacyStorages(r, b, roots); err != nil {
		return nil, err
	}
	return &archive{top: obj, close: func() {}}, nil
}

func legacyHeader(r *bytes.Reader) error {
	magic, err := unpickle(r, nil)
	if n, ok := magic.(*big.Int); err != nil || !ok || n.Text(16) != legacyMagic {
		return fmt.Errorf("not a PyTorch file: neither a zip archive nor a legacy pickle with the torch magic number")
	}
	proto, err := unpickle(r, nil)
	if err != nil {
		return fmt.Errorf("legacy protocol-version pickle: %w", err)
	}
	if p, ok := proto.(int); !ok || p != legacyProtocol {
		return fmt.Errorf("legacy protocol version %v, want %d", proto, legacyProtocol)
	}
	info, err := unpickle(r, nil)
	if err != nil {
		return fmt.Errorf("legacy sys-info pickle: %w", err)
	}
	if d, ok := info.(*types.Dict); ok {
		if le, ok := d.Get("little_endian"); ok && le != true {
			return fmt.Errorf("big-endian legacy files are not supported")
		}
	}
	return nil
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
		return nil, fmt.Errorf("bad storage view metadata %v", id.Get(5))
	}
	key, ok1 := vm.Get(0).(string)
	off, ok2 := vm.Get(1).(int)
	n, ok3 := vm.Get(2).(int)
	if !ok1 || !ok2 || !ok3 || off < 0 || n < 0 || off+n > root.numel {
		return nil, fmt.Errorf("storage view %v does not fit its %d-element storage", vm, root.numel)
	}
	if v, ok := views[key]; ok {
		return v, nil
	}
	v := &storage{class: root.class, dtype: root.dtype, size: root.size, key: key, numel: n, base: root, offset: off}
	views[key] = v
	return v, nil
}

// legacyStorages reads the key list and the raw storages that follow it.
func legacyStorages(r *bytes.Reader, b []byte, roots map[string]*storage) error {
	keysObj, err := unpickle(r, nil)
	if err != nil {
		return fmt.Errorf("legacy storage key list: %w", err)
	}
	keys, ok := keysObj.(*types.List)
	if !ok {
		return fmt.Errorf("legacy storage key list is a %T, not a list", keysObj)
	}
	pos := len(b) - r.Len()
	for _, k := range *keys {
		key, _ := k.(string)
		s, ok := roots[key]
		if !ok {
			return fmt.Errorf("legacy storage key %v is not referenced by the pickle", k)
		}
		n, err := legacyStorage1(b, &pos, s)
		if err != nil {
			return err
		}
		s.raw = n
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
	n := s.numel * s.size
	if s.numel > len(b) || len(b)-*pos < n {
		return nil, fmt.Errorf("legacy storage %q: file truncated (%d of %d bytes)", s.key, len(b)-*pos, n)
	}
	raw := b[*pos : *pos+n : *pos+n]
	*pos += n
	return raw, nil
}
