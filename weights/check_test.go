package weights

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckShapes(t *testing.T) {
	shapes := map[string][]int{}
	for _, p := range tinyArch.Trunk() {
		if !p.Optional { // num_batches_tracked may be absent
			shapes[p.Name] = p.Shape
		}
	}
	if err := CheckShapes(shapes, tinyArch); err != nil {
		t.Fatal(err)
	}

	delete(shapes, "layer3.0.conv1.weight")
	delete(shapes, "bn1.bias")
	shapes["layer1.0.conv1.weight"] = []int{2, 2, 1, 1}
	err := CheckShapes(shapes, tinyArch)
	if err == nil {
		t.Fatal("no error for missing and misshapen tensors")
	}
	for _, want := range []string{"2 trunk tensors missing", "bn1.bias", "layer3.0.conv1.weight",
		"1 with the wrong shape", "layer1.0.conv1.weight is [2 2 1 1], want [2 2 3 3]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	// A wrapped model: every key behind "module.".
	wrapped := map[string][]int{}
	for _, p := range tinyArch.Trunk() {
		wrapped["module."+p.Name] = p.Shape
	}
	err = CheckShapes(wrapped, tinyArch)
	if err == nil || !strings.Contains(err.Error(), `prefix "module."`) || !strings.Contains(err.Error(), "and ") {
		t.Errorf("wrapped model: %v", err)
	}
}

func TestSniffAndCheckFile(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, filepath.Join(dir, "good.bin"), trunkFile(t, tinyArch))
	if f, err := Sniff(good); err != nil || f != Safetensors {
		t.Fatalf("Sniff = %q, %v", f, err)
	}
	if err := CheckFile(good, tinyArch); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"zip.pth": []byte("PK\x03\x04rest"), "legacy.pt": {0x80, 2, 0x8a}} {
		if f, err := Sniff(writeFile(t, filepath.Join(dir, name), b)); err != nil || f != PTH {
			t.Errorf("%s: Sniff = %q, %v", name, f, err)
		}
	}
	junk := writeFile(t, filepath.Join(dir, "junk"), []byte("<html>not found</html>"))
	if err := CheckFile(junk, tinyArch); err == nil || !strings.Contains(err.Error(), junk) ||
		!strings.Contains(err.Error(), "neither") {
		t.Errorf("junk: %v", err)
	}
	broken := writeFile(t, filepath.Join(dir, "broken.pth"), []byte("PK\x03\x04 truncated"))
	if err := CheckFile(broken, tinyArch); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("broken zip: %v", err)
	}
	if err := CheckFile(filepath.Join(dir, "absent"), tinyArch); err == nil {
		t.Error("absent file: no error")
	}
	short := writeFile(t, filepath.Join(dir, "short"), trunkFile(t, tinyArch, "layer2.0.downsample.0.weight"))
	if err := CheckFile(short, tinyArch); err == nil || !strings.Contains(err.Error(), "layer2.0.downsample.0.weight") {
		t.Errorf("missing tensor: %v", err)
	}
}
