package report

import (
	"errors"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return n
}

func TestSavePNGMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "no", "such", "dir", "x.png")
	err := SavePNG(path, image.NewGray(image.Rect(0, 0, 2, 2)))
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error %v should name %s and wrap ErrNotExist", err, path)
	}
	if n := dirNames(t, dir); len(n) != 0 {
		t.Errorf("left behind: %v", n)
	}
}

func TestWriteAtomicFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := writeAtomic(path, func(w io.Writer) error {
		io.WriteString(w, strings.Repeat("half-written ", 10000))
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("old file replaced by %d bytes", len(b))
	}
	if n := dirNames(t, dir); len(n) != 1 {
		t.Errorf("temporary files left: %v", n)
	}
}

func TestWriteAtomicSuccess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.png")
	if err := SavePNG(path, image.NewGray(image.Rect(0, 0, 3, 5))); err != nil {
		t.Fatal(err)
	}
	if b := decodePNG(t, path).Bounds(); b.Dx() != 3 || b.Dy() != 5 {
		t.Errorf("bounds %v", b)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if n := dirNames(t, dir); len(n) != 1 {
		t.Errorf("files %v, want only a.png", n)
	}
}
