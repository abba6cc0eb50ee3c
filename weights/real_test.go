package weights

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// The shared ResNet18 files are an ONNX re-export of torchvision's
// IMAGENET1K_V1 weights cut after layer3 (see their README), not the
// upstream resnet18-f37072fd.pth: their tensors fit the trunk exactly, but
// their bytes, and so their SHA-256, differ. The registry must say so
// rather than accept them as the upstream file, and Import must still take
// them, as a non-upstream file.
func TestSharedResNet18(t *testing.T) {
	pthFile := sharedWeights(t, "resnet18_imagenet_to_layer3.pth")
	stFile := sharedWeights(t, "resnet18_imagenet_to_layer3.safetensors")
	r18, _ := Known().Lookup("resnet18")
	r34, _ := Known().Lookup("resnet34")
	r50, _ := Known().Lookup("resnet50")
	for _, f := range []string{pthFile, stFile} {
		if err := CheckFile(f, r18.Arch); err != nil {
			t.Errorf("resnet18 trunk: %v", err)
		}
		if err := CheckFile(f, r34.Arch); err == nil || !strings.Contains(err.Error(), "layer1.2.conv1.weight") {
			t.Errorf("as resnet34: %v", err)
		}
		if err := CheckFile(f, r50.Arch); err == nil || !strings.Contains(err.Error(), "wrong shape") {
			t.Errorf("as resnet50: %v", err)
		}
		var de *DigestError
		if err := r18.VerifyFile(f, f); !errors.As(err, &de) || !strings.HasPrefix(r18.SHA256, de.Want) {
			t.Errorf("VerifyFile against the upstream digest: %v", err)
		}
	}

	s := &Store{Dir: t.TempDir(), Registry: Known()}
	im, err := s.Import(pthFile, "resnet18")
	if err != nil {
		t.Fatal(err)
	}
	if im.Upstream || filepath.Base(im.Path) != "resnet18.imported.pth" || len(im.SHA256) != 64 {
		t.Errorf("import .pth: %+v", im)
	}
	im, err = s.Import(stFile, "resnet18")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(im.Path) != "resnet18.imported.safetensors" || isFile(filepath.Join(s.Dir, "resnet18.imported.pth")) {
		t.Errorf("import .safetensors did not replace the .pth import: %+v", im)
	}
	if p, err := s.Resolve("resnet18"); err != nil || p != im.Path {
		t.Errorf("Resolve = %q, %v; want %s", p, err, im.Path)
	}
	if _, err := s.Import(stFile, "resnet50"); err == nil || !strings.Contains(err.Error(), "import "+stFile+" as resnet50") {
		t.Errorf("import as resnet50: %v", err)
	}
}
