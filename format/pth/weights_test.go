package pth

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
)

// weightsFile locates a file of the shared test weights: $MAMBAAD_WEIGHTS_DIR,
// else ../shared/weights next to the module root. It skips the test when the
// file is absent (failing instead when MAMBAAD_REQUIRE_GOLDEN=1, as the
// golden files do).
func weightsFile(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("MAMBAAD_WEIGHTS_DIR")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "..", "shared", "weights")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); dir == "" || err != nil {
		msg := "weights file " + p + " not found (set MAMBAAD_WEIGHTS_DIR)"
		if os.Getenv("MAMBAAD_REQUIRE_GOLDEN") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping")
	}
	return p
}

// The torchvision ResNet18 weights exist as .pth and .safetensors; the two
// readers must agree exactly, including order and dtypes.
func TestResNet18PthMatchesSafetensors(t *testing.T) {
	fromPth, err := Load(weightsFile(t, "resnet18_imagenet_to_layer3.pth"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := safetensors.Open(weightsFile(t, "resnet18_imagenet_to_layer3.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	fromST, err := st.Tensors()
	if err != nil {
		t.Fatal(err)
	}
	if len(fromPth) != 90 || len(fromST) != 90 {
		t.Fatalf("%d tensors from .pth, %d from .safetensors, want 90", len(fromPth), len(fromST))
	}
	for i, a := range fromPth {
		b := fromST[i]
		if a.Name != b.Name || a.DType != b.DType || !slices.Equal(a.Shape, b.Shape) ||
			!slices.Equal(a.F32, b.F32) || !slices.Equal(a.I64, b.I64) {
			t.Fatalf("tensor %d: .pth %s %s %v vs .safetensors %s %s %v (or values differ)",
				i, a.Name, a.DType, a.Shape, b.Name, b.DType, b.Shape)
		}
	}
	if b, _ := st.Info("bn1.num_batches_tracked"); b.DType != safetensors.I64 || len(b.Shape) != 0 {
		t.Errorf("num_batches_tracked is %s %v, want a scalar I64", b.DType, b.Shape)
	}
	// Rewriting the imported weights reproduces the reference data section.
	var out bytes.Buffer
	if err := safetensors.Encode(&out, fromPth, nil); err != nil {
		t.Fatal(err)
	}
	again, err := safetensors.Parse("r18.safetensors", out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Data(), st.Data()) {
		t.Fatal("re-encoded data section differs from the reference file")
	}
}
