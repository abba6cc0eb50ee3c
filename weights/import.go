package weights

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mambaad/mambaad/internal/atomicfile"
)

// ImportResult describes a file Import copied into the cache.
type ImportResult struct {
	Path   string // where it now lives
	SHA256 string // its full SHA-256
	// Upstream is true when the digest matches the registry's, so the file
	// is the upstream one and is stored under the upstream name. Other
	// files that fit the backbone (re-exports, fine-tunes, other
	// containers) are stored as <name>.imported.<ext>.
	Upstream bool
}

// Import copies a local .pth or .safetensors file into the cache as the
// weights of backbone name, for machines without network access. The file
// must parse and hold the backbone's trunk tensors with the right shapes
// (see CheckShapes). The copy is atomic, so a failed import leaves the
// cache as it was.
func (s *Store) Import(src, name string) (ImportResult, error) {
	e, err := s.Registry.Lookup(name)
	if err != nil {
		return ImportResult{}, err
	}
	shapes, format, err := Shapes(src)
	if err != nil {
		return ImportResult{}, err
	}
	if err := CheckShapes(shapes, e.Arch); err != nil {
		return ImportResult{}, fmt.Errorf("weights: import %s as %s: %v", src, name, err)
	}
	sum, err := FileSHA256(src)
	if err != nil {
		return ImportResult{}, err
	}
	im := ImportResult{SHA256: sum, Upstream: e.Matches(sum) && filepath.Ext(e.File) == string(format)}
	im.Path = s.importedPath(e, format)
	if im.Upstream {
		im.Path = s.Path(e)
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return ImportResult{}, fmt.Errorf("weights: create cache directory: %v", err)
	}
	if err := copyFile(src, im.Path); err != nil {
		return ImportResult{}, err
	}
	if !im.Upstream {
		// Keep one imported file per backbone, so Resolve's choice is plain.
		for _, f := range []Format{PTH, Safetensors} {
			if f != format {
				os.Remove(s.importedPath(e, f))
			}
		}
	}
	return im, nil
}

// Import is Store.Import on the default cache.
func Import(src, name string) (ImportResult, error) {
	s, err := NewStore("")
	if err != nil {
		return ImportResult{}, err
	}
	return s.Import(src, name)
}

// copyFile copies src to dst atomically; copying a file onto itself (a
// re-import from the cache) does nothing.
func copyFile(src, dst string) error {
	if a, err := os.Stat(src); err == nil {
		if b, err := os.Stat(dst); err == nil && os.SameFile(a, b) {
			return nil
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("weights: %w", err)
	}
	defer in.Close()
	err = atomicfile.Write(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("weights: import %s: %v", src, err)
	}
	return nil
}
