package weights

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvCache, "/somewhere/cache")
	if d, err := DefaultDir(); err != nil || d != "/somewhere/cache" {
		t.Errorf("DefaultDir = %q, %v", d, err)
	}
	if s, err := NewStore(""); err != nil || s.Dir != "/somewhere/cache" || len(s.Registry) != len(Known()) {
		t.Errorf("NewStore: %+v, %v", s, err)
	}
	t.Setenv(EnvCache, "")
	base, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache dir here:", err)
	}
	if d, err := DefaultDir(); err != nil || d != filepath.Join(base, "mambaad", "weights") {
		t.Errorf("DefaultDir = %q, %v", d, err)
	}
}

// The offline message must say exactly where the file goes and where it
// comes from, on one line.
func TestResolveOffline(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvCache, dir)
	_, err := Resolve("resnet18")
	var nc *NotCachedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want *NotCachedError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		filepath.Join(dir, "resnet18-f37072fd.pth"),
		"https://download.pytorch.org/models/resnet18-f37072fd.pth",
		`"mambaad weights download resnet18"`,
		`"mambaad weights import FILE --name resnet18"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Error("message spans lines")
	}
	// A .part is not usable weights.
	writeFile(t, filepath.Join(dir, "resnet18-f37072fd.pth.part"), []byte("x"))
	if _, err := Resolve("resnet18"); !errors.As(err, &nc) {
		t.Errorf("with only a .part: %v", err)
	}
}

func TestResolveOrder(t *testing.T) {
	s := &Store{Dir: t.TempDir(), Registry: Known()}
	e, _ := s.Registry.Lookup("timm/resnet34.a1_in1k")
	imported := writeFile(t, filepath.Join(s.Dir, "timm--resnet34.a1_in1k.imported.pth"), []byte("x"))
	if p, err := s.Resolve(e.Name); err != nil || p != imported {
		t.Errorf("imported: %q, %v", p, err)
	}
	if _, st := s.Status(e); st != Imported {
		t.Errorf("Status = %s", st)
	}
	upstream := writeFile(t, s.Path(e), []byte("x"))
	if p, err := s.Resolve(e.Name); err != nil || p != upstream {
		t.Errorf("upstream file should win: %q, %v", p, err)
	}
}

func TestResolvePaths(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Dir: t.TempDir(), Registry: Known()}
	f := writeFile(t, filepath.Join(dir, "my.safetensors"), []byte("x"))
	if p, err := s.Resolve(f); err != nil || p != f {
		t.Errorf("a file path: %q, %v", p, err)
	}
	_, err := s.Resolve(filepath.Join(dir, "absent.pth"))
	if err == nil || !strings.Contains(err.Error(), "absent.pth: no such file, nor a known backbone (known: resnet18,") {
		t.Errorf("absent path: %v", err)
	}
	if _, err := s.Resolve(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	if _, err := s.Resolve("resnet101"); err == nil || !strings.Contains(err.Error(), `unknown backbone "resnet101"`) {
		t.Errorf("unknown name: %v", err)
	}
}

func TestStateStrings(t *testing.T) {
	for st, s := range map[State]string{Missing: "missing", Partial: "partial", Imported: "imported", Cached: "cached"} {
		if st.String() != s {
			t.Errorf("%d: %s", st, st)
		}
	}
}
