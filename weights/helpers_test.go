package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
)

// tinyArch is a ResNet small enough to write in a test: one BasicBlock per
// stage, 2-4 channels.
var tinyArch = Arch{Blocks: [4]int{1, 1, 1, 1}, Stem: 2, Planes: [4]int{2, 4, 4, 8}, Width: 1}

// trunkFile encodes the trunk of a as a safetensors file, dropping the
// tensors named in skip.
func trunkFile(t *testing.T, a Arch, skip ...string) []byte {
	t.Helper()
	var ts []safetensors.Tensor
next:
	for _, p := range a.Trunk() {
		for _, s := range skip {
			if p.Name == s {
				continue next
			}
		}
		tn := safetensors.Tensor{Name: p.Name, Shape: p.Shape}
		n := tn.Numel()
		if p.Optional {
			tn.DType, tn.I64 = safetensors.I64, make([]int64, n)
		} else {
			tn.DType, tn.F32 = safetensors.F32, make([]float32, n)
		}
		ts = append(ts, tn)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, ts, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// randomPayload returns n reproducible bytes.
func randomPayload(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sum256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sharedWeights locates a file of the shared test weights: $MAMBAAD_WEIGHTS_DIR,
// else ../shared/weights next to the module root. It skips when absent
// (fails instead under MAMBAAD_REQUIRE_GOLDEN=1, as the golden tests do).
func sharedWeights(t *testing.T, name string) string {
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
