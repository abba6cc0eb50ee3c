package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// predictScores parses predict's JSON lines into path → score.
func predictScores(t *testing.T, out string) map[string]float64 {
	t.Helper()
	scores := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Path  string
			Score *float64
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Score == nil {
			t.Fatalf("bad predict line %q: %v", line, err)
		}
		scores[r.Path] = *r.Score
	}
	return scores
}

// TestPredictPrecision: predict --precision bf16 scores every image within
// 1e-2 of fp32 (and differently, where AVX512_BF16 runs it); under
// MAMBAAD_ISA=avx512 it prints fp32's output byte for byte and says once
// that it runs as fp32; --precision fp16 is a one-line error; serve
// --precision bf16 answers.
func TestPredictPrecision(t *testing.T) {
	ckpt, dir, paths := servedImages(t)
	args := []string{"predict", "--checkpoint", ckpt, "--no-images", "--batch-size", "4", dir}
	ref, _, err := mambaad(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, err := mambaad(t, append(args, "--precision", "bf16")...)
	if err != nil {
		t.Fatalf("predict --precision bf16: %v\n%s", err, stderr)
	}
	want, got := predictScores(t, ref), predictScores(t, out)
	if len(got) != len(paths) || len(want) != len(paths) {
		t.Fatalf("%d bf16 and %d fp32 lines for %d images", len(got), len(want), len(paths))
	}
	for p, w := range want {
		if g, ok := got[p]; !ok || math.Abs(g-w) > 1e-2*math.Abs(w) {
			t.Errorf("%s: bf16 score %v, fp32 %v", p, g, w)
		}
	}
	if isa.BF16() {
		if out == ref {
			t.Errorf("on %v predict --precision bf16 printed fp32's output: bf16 did not run", isa.Best())
		}
		if strings.Contains(stderr, "runs as fp32") {
			t.Errorf("on %v: %q", isa.Best(), stderr)
		}
	}

	// Without AVX512_BF16: fp32 exactly, and one note.
	cmd := exec.Command(bin, append(args, "--precision", "bf16")...)
	cmd.Env = append(os.Environ(), isa.EnvVar+"=avx512")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("MAMBAAD_ISA=avx512 predict --precision bf16: %v\n%s", err, e.String())
	}
	if o.String() != ref {
		t.Errorf("MAMBAAD_ISA=avx512: bf16 output differs from fp32:\n%s\nvs\n%s", o.String(), ref)
	}
	if n := strings.Count(e.String(), "note: --precision bf16 runs as fp32"); n != 1 {
		t.Errorf("MAMBAAD_ISA=avx512: the fp32 note appears %d times in stderr:\n%s", n, e.String())
	}

	_, stderr, err = mambaad(t, append(args, "--precision", "fp16")...)
	if err == nil || err.Error() != `mambaad: --precision "fp16": want fp32 or bf16` || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("--precision fp16: %v; stderr %q", err, stderr)
	}

	srv := startServe(t, "--checkpoint", ckpt, "--precision", "bf16", "--max-batch", "1")
	img, _ := os.ReadFile(paths[0])
	code, b, err := srv.post(t, "/predict", "image/png", img)
	if err != nil || code != 200 {
		t.Fatalf("serve --precision bf16: %d %v %s", code, err, b)
	}
	var r struct{ Score float64 }
	if err := json.Unmarshal(b, &r); err != nil || math.Abs(r.Score-want[paths[0]]) > 1e-2*math.Abs(want[paths[0]]) {
		t.Errorf("serve --precision bf16: score %v (%v), predict fp32 %v", r.Score, err, want[paths[0]])
	}
}
