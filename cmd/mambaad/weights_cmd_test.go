package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
	"github.com/mambaad/mambaad/weights"
	"github.com/spf13/cobra"
)

// tinyTrunk is a valid safetensors trunk of a tiny ResNet, the payload the
// fake server hands out.
func tinyTrunk(t *testing.T, a weights.Arch) []byte {
	t.Helper()
	var ts []safetensors.Tensor
	for _, p := range a.Trunk() {
		tn := safetensors.Tensor{Name: p.Name, Shape: p.Shape, DType: safetensors.F32}
		tn.F32 = make([]float32, tn.Numel())
		ts = append(ts, tn)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, ts, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// runWeights runs `mambaad weights args...` as main would, and returns
// stdout, stderr and the error main would print.
func runWeights(t *testing.T, reg weights.Registry, args ...string) (string, string, error) {
	t.Helper()
	root := &cobra.Command{Use: "mambaad", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(weightsCmd(reg))
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"weights"}, args...))
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func TestWeightsCommands(t *testing.T) {
	arch := weights.Arch{Blocks: [4]int{1, 1, 1, 1}, Stem: 2, Planes: [4]int{2, 4, 4, 8}, Width: 1}
	payload := tinyTrunk(t, arch)
	sum := sha256.Sum256(payload)
	var gets int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tiny-0123abcd.safetensors" {
			http.NotFound(w, r)
			return
		}
		gets++
		w.Write(payload)
	}))
	defer srv.Close()
	t.Setenv(weights.EnvURL, "")
	reg := weights.Registry{{Name: "tiny", Arch: arch, URL: "http://127.0.0.1:1/unreachable",
		File: "tiny-0123abcd.safetensors", SHA256: hex.EncodeToString(sum[:]), MiB: 1.5}}
	reg = append(reg, weights.Known()...)
	cache := t.TempDir()

	out, _, err := runWeights(t, reg, "list", "--cache-dir", cache)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(reg)+1 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("list:\n%s", out)
	}
	for _, want := range []string{"tiny", "tiny-0123abcd.safetensors", "1.5 MiB", "sha256", "missing", filepath.Join(cache, "tiny-0123abcd.safetensors")} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("list line %q lacks %q", lines[1], want)
		}
	}
	if !strings.Contains(out, "sha256 prefix") || !strings.Contains(out, "structure only") {
		t.Errorf("list does not show the verification levels:\n%s", out)
	}

	// Offline: path says where to put the file and where to get it.
	_, _, err = runWeights(t, reg, "path", "resnet18", "--cache-dir", cache)
	if err == nil || !strings.Contains(err.Error(), "https://download.pytorch.org/models/resnet18-f37072fd.pth") ||
		!strings.Contains(err.Error(), filepath.Join(cache, "resnet18-f37072fd.pth")) {
		t.Errorf("path of a missing backbone: %v", err)
	}

	// Download from a mirror given by flag, then by environment.
	out, stderr, err := runWeights(t, reg, "download", "tiny", "--cache-dir", cache, "--url", srv.URL, "--quiet")
	want := "tiny: " + filepath.Join(cache, "tiny-0123abcd.safetensors") + " (verified: sha256)\n"
	if err != nil || out != want || stderr != "" {
		t.Fatalf("download: %q, %q, %v; want %q", out, stderr, err, want)
	}
	out, _, err = runWeights(t, reg, "download", "tiny", "--cache-dir", cache)
	if err != nil || !strings.Contains(out, "already cached") || gets != 1 {
		t.Errorf("second download: %q, %v, %d GETs", out, err, gets)
	}
	t.Setenv(weights.EnvURL, srv.URL)
	other := t.TempDir()
	if out, _, err := runWeights(t, reg, "download", "tiny", "--cache-dir", other); err != nil || !strings.Contains(out, other) {
		t.Errorf("download via %s: %q, %v", weights.EnvURL, out, err)
	}

	out, _, err = runWeights(t, reg, "path", "tiny", "--cache-dir", cache)
	if err != nil || out != filepath.Join(cache, "tiny-0123abcd.safetensors")+"\n" {
		t.Errorf("path: %q, %v", out, err)
	}
	out, _, _ = runWeights(t, reg, "list", "--cache-dir", cache)
	if line := strings.Split(out, "\n")[1]; !strings.Contains(line, "cached") {
		t.Errorf("list after download: %q", line)
	}

	// The mirror has no resnet18: a one-line error naming the URL.
	_, _, err = runWeights(t, reg, "download", "resnet18", "--cache-dir", cache, "-q")
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/resnet18-f37072fd.pth: server answered 404 Not Found") {
		t.Errorf("download of a missing file: %v", err)
	}
}

func TestWeightsImportCommand(t *testing.T) {
	arch := weights.Arch{Blocks: [4]int{1, 1, 1, 1}, Stem: 2, Planes: [4]int{2, 4, 4, 8}, Width: 1}
	reg := weights.Registry{{Name: "tiny", Arch: arch, File: "tiny-0123abcd.safetensors", SHA256: "0123abcd"},
		{Name: "tiny2", Arch: arch, File: "tiny2.safetensors"}}
	cache := t.TempDir()
	src := filepath.Join(t.TempDir(), "mine.safetensors")
	if err := os.WriteFile(src, tinyTrunk(t, arch), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runWeights(t, reg, "import", src, "--name", "tiny", "--cache-dir", cache)
	if err != nil || !strings.Contains(out, "imported "+src+" as tiny: "+filepath.Join(cache, "tiny.imported.safetensors")) ||
		!strings.Contains(out, "not the upstream file") {
		t.Errorf("import: %q, %v", out, err)
	}
	out, _, err = runWeights(t, reg, "import", src, "--name", "tiny2", "--cache-dir", cache)
	if err != nil || !strings.Contains(out, "no published digest") {
		t.Errorf("import of a structural entry: %q, %v", out, err)
	}
	if _, _, err := runWeights(t, reg, "import", src, "--cache-dir", cache); err == nil || !strings.Contains(err.Error(), `"name" not set`) {
		t.Errorf("import without --name: %v", err)
	}
	if _, _, err := runWeights(t, weights.Known(), "import", src, "--name", "resnet18", "--cache-dir", cache); err == nil ||
		!strings.Contains(err.Error(), "trunk tensors missing") {
		t.Errorf("import of a tiny file as resnet18: %v", err)
	}
}

// A wrong backbone name is one line that lists the known names, for every
// subcommand that takes one.
func TestWeightsUnknownName(t *testing.T) {
	cache := t.TempDir()
	for _, args := range [][]string{
		{"download", "resnet19"},
		{"path", "resnet19"},
		{"import", "x.pth", "--name", "resnet19"},
	} {
		_, _, err := runWeights(t, weights.Known(), append(args, "--cache-dir", cache)...)
		if err == nil {
			t.Errorf("%v: no error", args)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.Contains(msg, `unknown backbone "resnet19"`) ||
			!strings.Contains(msg, "resnet18, resnet34, resnet50, wide_resnet50_2") {
			t.Errorf("%v: %q", args, msg)
		}
	}
}

func TestWeightsHelp(t *testing.T) {
	cmd := newWeightsCmd()
	if cmd.Example == "" {
		t.Error("weights has no examples")
	}
	names := map[string]bool{}
	for _, c := range cmd.Commands() {
		names[c.Name()] = true
		if c.Example == "" || c.Short == "" || c.Long == "" {
			t.Errorf("%s lacks help text or examples", c.Name())
		}
	}
	for _, n := range []string{"list", "download", "import", "path"} {
		if !names[n] {
			t.Errorf("no %s subcommand", n)
		}
	}
	out, _, err := runWeights(t, weights.Known(), "download", "--help")
	if err != nil || !strings.Contains(out, "--cache-dir") || !strings.Contains(out, "--quiet") || !strings.Contains(out, "resume") {
		t.Errorf("download --help: %v\n%s", err, out)
	}
}
