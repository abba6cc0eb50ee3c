package weights

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tinyStore(t *testing.T, sha string) *Store {
	return &Store{Dir: filepath.Join(t.TempDir(), "cache"), Registry: Registry{{
		Name: "tiny", Arch: tinyArch, URL: "https://example.invalid/tiny-0123abcd.safetensors",
		File: "tiny-0123abcd.safetensors", SHA256: sha}}}
}

func TestImport(t *testing.T) {
	b := trunkFile(t, tinyArch)
	src := writeFile(t, filepath.Join(t.TempDir(), "mine.st"), b)

	// Not the upstream file: stored under the imported name.
	s := tinyStore(t, strings.Repeat("0", 64))
	im, err := s.Import(src, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	if im.Upstream || im.Path != filepath.Join(s.Dir, "tiny.imported.safetensors") || im.SHA256 != sum256(b) {
		t.Errorf("import: %+v", im)
	}
	if got, _ := os.ReadFile(im.Path); string(got) != string(b) {
		t.Error("imported bytes differ")
	}
	if p, err := s.Resolve("tiny"); err != nil || p != im.Path {
		t.Errorf("Resolve = %q, %v", p, err)
	}
	// Importing the cached file onto itself is harmless.
	if _, err := s.Import(im.Path, "tiny"); err != nil {
		t.Errorf("re-import: %v", err)
	}

	// The upstream file (digest matches): stored under the upstream name.
	s = tinyStore(t, sum256(b)[:8])
	im, err = s.Import(src, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	if !im.Upstream || im.Path != s.Path(s.Registry[0]) {
		t.Errorf("upstream import: %+v", im)
	}
	if _, st := s.Status(s.Registry[0]); st != Cached {
		t.Errorf("Status = %s", st)
	}
}

func TestImportRejects(t *testing.T) {
	dir := t.TempDir()
	s := tinyStore(t, "")
	short := writeFile(t, filepath.Join(dir, "short.safetensors"), trunkFile(t, tinyArch, "conv1.weight", "layer3.0.bn2.running_var"))
	_, err := s.Import(short, "tiny")
	if err == nil {
		t.Fatal("no error for missing tensors")
	}
	for _, want := range []string{"import " + short + " as tiny", "2 trunk tensors missing", "conv1.weight", "layer3.0.bn2.running_var"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	other := tinyArch
	other.Stem = 3
	wrongArch := writeFile(t, filepath.Join(dir, "other.safetensors"), trunkFile(t, other))
	if _, err := s.Import(wrongArch, "tiny"); err == nil || !strings.Contains(err.Error(), "conv1.weight is [3 3 7 7], want [2 3 7 7]") {
		t.Errorf("other architecture: %v", err)
	}
	junk := writeFile(t, filepath.Join(dir, "junk.pth"), []byte("hello"))
	if _, err := s.Import(junk, "tiny"); err == nil || !strings.Contains(err.Error(), junk) {
		t.Errorf("junk: %v", err)
	}
	if _, err := s.Import(filepath.Join(dir, "absent.pth"), "tiny"); err == nil || !strings.Contains(err.Error(), "absent.pth") {
		t.Errorf("absent: %v", err)
	}
	if _, err := s.Import(short, "resnet18"); err == nil || !strings.Contains(err.Error(), "unknown backbone") {
		t.Errorf("unknown name: %v", err)
	}
	if entries, _ := os.ReadDir(s.Dir); len(entries) != 0 {
		t.Errorf("failed imports left %d files", len(entries))
	}
}

func TestImportDefaultStore(t *testing.T) {
	t.Setenv(EnvCache, t.TempDir())
	src := writeFile(t, filepath.Join(t.TempDir(), "x.safetensors"), trunkFile(t, tinyArch))
	if _, err := Import(src, "resnet18"); err == nil || !strings.Contains(err.Error(), "trunk tensors missing") {
		t.Errorf("tiny file as resnet18: %v", err)
	}
}
