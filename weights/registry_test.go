package weights

import (
	"path"
	"strings"
	"testing"
)

func TestRegistryEntries(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Known() {
		if seen[e.Name] || seen[e.File] {
			t.Errorf("%s: name or file %s repeated", e.Name, e.File)
		}
		seen[e.Name], seen[e.File] = true, true
		if strings.ContainsAny(e.File, `/\`) {
			t.Errorf("%s: file name %q has a separator", e.Name, e.File)
		}
		switch e.Verification() {
		case Full, Prefix:
			// torch.hub's and timm's file names end in -<first 8 hex digits>.
			if tag := "-" + e.SHA256[:8] + ".pth"; !strings.HasSuffix(e.File, tag) || path.Base(e.URL) != e.File {
				t.Errorf("%s: %s / %s do not carry the digest tag %s", e.Name, e.URL, e.File, tag)
			}
			if strings.ToLower(e.SHA256) != e.SHA256 {
				t.Errorf("%s: digest should be lowercase", e.Name)
			}
		case Structural:
			if e.SHA256 != "" {
				t.Errorf("%s: digest %q has neither 8 nor 64 digits", e.Name, e.SHA256)
			}
		}
		if e.Arch.Stem != 64 {
			t.Errorf("%s: no architecture", e.Name)
		}
	}
	levels := map[string]Verification{"resnet18": Full, "resnet34": Full, "resnet50": Full,
		"wide_resnet50_2": Prefix, "resnet34.a1_in1k": Prefix, "timm/resnet34.a1_in1k": Structural}
	for name, v := range levels {
		e, err := Known().Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Verification() != v {
			t.Errorf("%s: verification %s, want %s", name, e.Verification(), v)
		}
	}
}

func TestLookupUnknownListsNames(t *testing.T) {
	_, err := Known().Lookup("resnet19")
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{`"resnet19"`, "resnet18", "wide_resnet50_2", "timm/resnet34.a1_in1k"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %s", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
}

func TestVerificationStrings(t *testing.T) {
	for v, s := range map[Verification]string{Full: "sha256", Prefix: "sha256 prefix", Structural: "structure only"} {
		if v.String() != s {
			t.Errorf("%d: %q", v, v.String())
		}
	}
}
