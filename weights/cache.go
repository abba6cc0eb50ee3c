package weights

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables that move the cache and the download source.
const (
	EnvCache = "MAMBAAD_CACHE"       // cache directory
	EnvURL   = "MAMBAAD_WEIGHTS_URL" // mirror: a base URL holding the files under their cache names
)

// DefaultDir returns $MAMBAAD_CACHE, else os.UserCacheDir()/mambaad/weights.
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvCache); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("weights: no cache directory (set %s): %v", EnvCache, err)
	}
	return filepath.Join(base, "mambaad", "weights"), nil
}

// Store is a cache directory together with the registry it serves.
type Store struct {
	Dir      string
	Registry Registry
}

// NewStore opens the cache at dir ("" for DefaultDir) with the built-in
// registry. The directory is created only when something is written.
func NewStore(dir string) (*Store, error) {
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &Store{Dir: dir, Registry: Known()}, nil
}

// State is what the cache holds for an entry.
type State int

const (
	Missing  State = iota // nothing usable
	Partial               // an interrupted download (.part) that can resume
	Imported              // a local file imported under <name>.imported.<ext>
	Cached                // the upstream file, verified on download
)

func (s State) String() string {
	return [...]string{"missing", "partial", "imported", "cached"}[s]
}

// Path returns where the entry's upstream file lives in the cache.
func (s *Store) Path(e Entry) string { return filepath.Join(s.Dir, e.File) }

// importedPath returns where a file of the given format imported as the
// entry lives. Registry names may hold "/" (timm/...), file names may not.
func (s *Store) importedPath(e Entry, f Format) string {
	return filepath.Join(s.Dir, strings.ReplaceAll(e.Name, "/", "--")+".imported"+string(f))
}

// Status returns the best file the cache holds for the entry and its state;
// for Missing the path is where the upstream file belongs, for Partial the
// .part file.
func (s *Store) Status(e Entry) (string, State) {
	if p := s.Path(e); isFile(p) {
		return p, Cached
	}
	for _, f := range []Format{Safetensors, PTH} {
		if p := s.importedPath(e, f); isFile(p) {
			return p, Imported
		}
	}
	if p := s.Path(e) + ".part"; isFile(p) {
		return p, Partial
	}
	return s.Path(e), Missing
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// NotCachedError says that a known backbone's weights are not in the cache,
// and how to put them there without this machine needing the network.
type NotCachedError struct {
	Entry Entry
	Dir   string
}

func (e *NotCachedError) Error() string {
	n := e.Entry.Name
	want := filepath.Join(e.Dir, e.Entry.File)
	return fmt.Sprintf("weights: %s is not in the cache: no %s; run \"mambaad weights download %s\", "+
		"or fetch %s on any machine and save it as %s (or run \"mambaad weights import FILE --name %s\")",
		n, want, n, e.Entry.URL, want, n)
}

// Resolve returns the local file for name: a known backbone's cached or
// imported weights, or else name itself when it is a path to an existing
// file. A known backbone that is not cached gives a *NotCachedError.
func (s *Store) Resolve(name string) (string, error) {
	e, err := s.Registry.Lookup(name)
	if err != nil {
		st, statErr := os.Stat(name)
		switch {
		case statErr == nil && st.Mode().IsRegular():
			return filepath.Abs(name)
		case statErr == nil:
			return "", fmt.Errorf("weights: %s is a directory, not a weights file", name)
		case looksLikePath(name) && errors.Is(statErr, fs.ErrNotExist):
			return "", fmt.Errorf("weights: %s: no such file, nor a known backbone (known: %s)",
				name, strings.Join(s.Registry.Names(), ", "))
		case looksLikePath(name):
			return "", fmt.Errorf("weights: %v", statErr)
		}
		return "", err
	}
	p, state := s.Status(e)
	if state == Cached || state == Imported {
		return p, nil
	}
	return "", &NotCachedError{Entry: e, Dir: s.Dir}
}

// looksLikePath tells a mistyped file path from a mistyped backbone name,
// so each gets the error that helps.
func looksLikePath(name string) bool {
	return strings.ContainsRune(name, os.PathSeparator) || strings.Contains(name, "/") ||
		strings.HasSuffix(name, string(PTH)) || strings.HasSuffix(name, ".pt") ||
		strings.HasSuffix(name, string(Safetensors))
}

// Resolve is Store.Resolve on the default cache.
func Resolve(name string) (string, error) {
	s, err := NewStore("")
	if err != nil {
		return "", err
	}
	return s.Resolve(name)
}
