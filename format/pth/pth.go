// Package pth imports PyTorch checkpoints written by torch.save without
// Python: both the zip format (the default since PyTorch 1.6) and the legacy
// format (_use_new_zipfile_serialization=False). The pickle virtual machine is
// github.com/nlpodyssey/gopickle; this package supplies the torch side, that
// is the storage records, _rebuild_tensor_v2 with offsets and strides, and
// choosing the state dict, because gopickle's own pytorch loader panics on
// legacy views, reads every storage eagerly, and does not validate sizes.
// Every pickle is vetted by checkPickle before gopickle runs it, so that no
// length, shape or structure in a damaged or hostile file makes the reader
// panic or allocate more than the file's size justifies.
//
// Storages are read lazily, only for the tensors of the chosen state dict, so
// a training checkpoint's optimizer state costs nothing. Unknown Python
// classes elsewhere in the file (numpy scalars, config objects) load as
// opaque values instead of failing the whole import.
package pth

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/mambaad/mambaad/format/safetensors"
)

// Tensor is the named-tensor form shared with packages safetensors and
// checkpoint: DType is the storage dtype (F32, F16, BF16, F64, I64, I32, U8
// or BOOL); floating values arrive as F32 and integer or boolean ones as I64.
type Tensor = safetensors.Tensor

// Load reads the state dict of a .pth file in its saved order. The file may
// hold a bare state dict, or a dict with exactly one entry that is a dict of
// tensors (such as a training checkpoint {"net": ..., "optimizer": ...,
// "epoch": ...}); use LoadKey when there are several.
func Load(path string) ([]Tensor, error) { return load(path, "", false) }

// LoadKey reads the state dict stored under key of the top-level dict.
func LoadKey(path, key string) ([]Tensor, error) { return load(path, key, true) }

func load(path, key string, useKey bool) ([]Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", path, err)
	}
	return loadFrom(path, f, st.Size(), key, useKey)
}

// loadFrom reads a checkpoint of size bytes from r; name only appears in
// errors. It is the byte-level entry the fuzz tests feed.
func loadFrom(name string, r io.ReaderAt, size int64, key string, useKey bool) ([]Tensor, error) {
	top, err := openArchive(r, size)
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", name, err)
	}
	sd, err := selectStateDict(top, key, useKey)
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", name, err)
	}
	out := make([]Tensor, 0, len(sd))
	budget := elementBudget(size)
	for _, e := range sd {
		t, err := materialize(e.name, e.t, &budget)
		if err != nil {
			return nil, fmt.Errorf("pth: %s: tensor %q: %w", name, e.name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// zipMagic starts every zip file (a local file header).
var zipMagic = []byte("PK\x03\x04")

// openArchive unpickles a checkpoint; the storages it refers to are read
// from r later, when a tensor needs them.
func openArchive(r io.ReaderAt, size int64) (any, error) {
	var head [4]byte
	n, _ := r.ReadAt(head[:], 0)
	if bytes.Equal(head[:n], zipMagic) {
		return openZip(r, size)
	}
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return openLegacy(b)
}
