// Package checkpoint is mambaad's own model file: a safetensors file whose
// metadata identifies it ("format": "mambaad-checkpoint", "version": "1"),
// carries the model configuration as an opaque JSON string ("config") plus
// any extra entries the caller adds (such as "train_state"), and records the
// SHA-256 of the tensor data ("sha256"). The checksum exists because
// safetensors itself only validates layout: a flipped bit in a weight would
// otherwise load silently and surface as a subtly wrong anomaly map.
package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/mambaad/mambaad/internal/atomicfile"
)

// Named is a named tensor, the form shared with packages safetensors and pth.
type Named = safetensors.Tensor

// Metadata keys and values this package owns.
const (
	Format     = "mambaad-checkpoint"
	Version    = "1"
	keyFormat  = "format"
	keyVersion = "version"
	keyConfig  = "config"
	keySHA     = "sha256"
)

// File is a loaded and verified checkpoint.
type File struct {
	Path    string
	Config  string            // the model configuration JSON given to Save
	Meta    map[string]string // the meta given to Save ("config" included)
	Tensors []Named           // in saved order
	index   map[string]int
}

// Tensor returns the named tensor.
func (f *File) Tensor(name string) (*Named, bool) {
	i, ok := f.index[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// wrapWriter is a test seam: tests replace it to make the file writer fail
// part-way through a save.
var wrapWriter = func(w io.Writer) io.Writer { return w }

// Save atomically writes tensors (floating ones as F32, integer ones as
// I64, in the given order) with meta, which must hold "config" as a JSON
// text and must not use the keys format, version or sha256. A failed save
// leaves any previous file at path untouched.
func Save(path string, tensors []Named, meta map[string]string) error {
	full, err := sealedMeta(tensors, meta)
	if err != nil {
		return fmt.Errorf("checkpoint: save %s: %v", path, err)
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		return safetensors.Encode(wrapWriter(w), tensors, full)
	})
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// sealedMeta checks tensors and meta for Save and returns the metadata to
// write: meta plus format, version and the SHA-256 of the data section.
func sealedMeta(tensors []Named, meta map[string]string) (map[string]string, error) {
	full, err := fullMeta(meta)
	if err == nil {
		err = safetensors.Validate(tensors)
	}
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if err := safetensors.WriteData(h, tensors); err != nil {
		return nil, err
	}
	full[keySHA] = hex.EncodeToString(h.Sum(nil))
	return full, nil
}

func fullMeta(meta map[string]string) (map[string]string, error) {
	cfg, ok := meta[keyConfig]
	if !ok || !json.Valid([]byte(cfg)) {
		return nil, fmt.Errorf("meta must hold %q as valid JSON", keyConfig)
	}
	full := make(map[string]string, len(meta)+3)
	for k, v := range meta {
		if k == keyFormat || k == keyVersion || k == keySHA {
			return nil, fmt.Errorf("meta key %q is reserved", k)
		}
		full[k] = v
	}
	full[keyFormat], full[keyVersion] = Format, Version
	return full, nil
}

// Load reads a checkpoint, checking its format, version and data checksum.
func Load(path string) (*File, error) {
	st, err := safetensors.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return load(st)
}

// parse is Load for a file already in memory; path only names it in
// errors. It is the entry the fuzz tests feed.
func parse(path string, b []byte) (*File, error) {
	st, err := safetensors.Parse(path, b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return load(st)
}

func load(st *safetensors.File) (*File, error) {
	path := st.Path
	if err := verify(st); err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	ts, err := st.Tensors()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	f := &File{Path: path, Config: st.Meta[keyConfig], Meta: map[string]string{}, Tensors: ts,
		index: make(map[string]int, len(ts))}
	for k, v := range st.Meta {
		if k != keyFormat && k != keyVersion && k != keySHA {
			f.Meta[k] = v
		}
	}
	for i, t := range ts {
		f.index[t.Name] = i
	}
	return f, nil
}

func verify(st *safetensors.File) error {
	m := st.Meta
	if m[keyFormat] != Format {
		return fmt.Errorf("not a mambaad checkpoint (metadata format %s, want %q)", quote(m[keyFormat]), Format)
	}
	if m[keyVersion] != Version {
		return fmt.Errorf("checkpoint version %s is not supported (want %q)", quote(m[keyVersion]), Version)
	}
	for _, k := range []string{keyConfig, keySHA} {
		if _, ok := m[k]; !ok {
			return fmt.Errorf("metadata has no %q entry", k)
		}
	}
	if !json.Valid([]byte(m[keyConfig])) {
		return fmt.Errorf("metadata %q is not valid JSON", keyConfig)
	}
	sum := sha256.Sum256(st.Data())
	if got := hex.EncodeToString(sum[:]); got != m[keySHA] {
		return fmt.Errorf("tensor data is corrupt: SHA-256 %s, but the file records %s", got, quote(m[keySHA]))
	}
	return nil
}

// quote quotes a metadata value for a message, eliding all but the start
// of a long one.
func quote(s string) string {
	if len(s) > 80 {
		return strconv.Quote(strings.ToValidUTF8(s[:80], "")) + "…"
	}
	return strconv.Quote(s)
}
