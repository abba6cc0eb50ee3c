package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/data/synth"
)

// mambaad runs the command line in-process and returns stdout, stderr and
// the error Execute returned.
func mambaad(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

// tinyData writes a two-class synthetic dataset small enough for a test.
func tinyData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := synth.Generate(dir, synth.Options{Size: 64, Train: 4, TestGood: 2, TestDefect: 2, Classes: []string{"fabric", "nut"}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustExist(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty (%v)", p, err)
		}
	}
}

// TestTrainTestPredictEndToEnd runs the product commands on a tiny
// synthetic set: train (with the final evaluation), test in reference mode,
// calibrate, predict; then checks their files and outputs.
func TestTrainTestPredictEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := tinyData(t)
	run := filepath.Join(t.TempDir(), "run")
	tiny := []string{"--preset", "demo", "--image-size", "64", "--batch-size", "2", "--weights", "random", "--quiet"}
	_, stderr, err := mambaad(t, append([]string{"train", "--data", data, "--out", run, "--epochs", "2"}, tiny...)...)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	mustExist(t, filepath.Join(run, "model.ckpt"), filepath.Join(run, "last.ckpt"), filepath.Join(run, "config.yaml"),
		filepath.Join(run, "eval", "metrics.json"), filepath.Join(run, "eval", "report.html"), filepath.Join(run, "eval", "curves.png"))
	if !strings.Contains(stderr, "RANDOM") && !strings.Contains(stderr, "training 2 epochs") {
		t.Errorf("train stderr does not describe the run:\n%s", stderr)
	}
	logLines := readLines(t, filepath.Join(run, "train.jsonl"))
	if len(logLines) != 2 {
		t.Fatalf("train.jsonl has %d lines, want 2", len(logLines))
	}
	var first epochLine
	if err := json.Unmarshal([]byte(logLines[0]), &first); err != nil || first.Epoch != 1 || first.Loss <= 0 {
		t.Fatalf("bad epoch line %q: %v", logLines[0], err)
	}

	// Training again into the same directory must not clobber the run.
	if _, _, err := mambaad(t, append([]string{"train", "--data", data, "--out", run, "--epochs", "2"}, tiny...)...); err == nil ||
		!strings.Contains(err.Error(), "--resume") {
		t.Errorf("second train into %s: %v", run, err)
	}
	// Resuming a finished run continues from its own configuration.
	if _, stderr, err := mambaad(t, "train", "--out", run, "--resume", "--epochs", "3", "--quiet"); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	if n := len(readLines(t, filepath.Join(run, "train.jsonl"))); n != 3 {
		t.Errorf("after resuming to 3 epochs train.jsonl has %d lines", n)
	}

	ckpt := filepath.Join(run, "model.ckpt")
	ref := filepath.Join(t.TempDir(), "ref")
	stdout, _, err := mambaad(t, "test", "--checkpoint", ckpt, "--mode", "reference", "--out", ref, "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "| fabric |") || !strings.Contains(stdout, "reference") {
		t.Errorf("test output lacks the table:\n%s", stdout)
	}
	mustExist(t, filepath.Join(ref, "metrics.md"), filepath.Join(ref, "metrics.csv"), filepath.Join(ref, "scores.csv"),
		filepath.Join(ref, "gallery_nut.png"), filepath.Join(ref, "curves_fabric.png"))

	if out, _, err := mambaad(t, "calibrate", "--checkpoint", ckpt, "--data", data); err != nil || !strings.Contains(out, "threshold") {
		t.Fatalf("calibrate: %v %s", err, out)
	}
	preds := filepath.Join(t.TempDir(), "preds")
	stdout, _, err = mambaad(t, "predict", "--checkpoint", ckpt, "--out", preds, filepath.Join(data, "nut", "test"))
	if err != nil {
		t.Fatal(err)
	}
	results := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(results) != 4 {
		t.Fatalf("predict printed %d lines for 4 images:\n%s", len(results), stdout)
	}
	for _, l := range results {
		var r struct {
			Path      string
			Score     *float64
			Anomalous *bool
			Heatmap   string
			Mask      string
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Score == nil || r.Anomalous == nil {
			t.Fatalf("bad prediction line %q (%v)", l, err)
		}
		mustExist(t, r.Heatmap, r.Mask)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestBadInputErrors checks that each kind of bad input gives one clear
// error line, not a panic.
func TestBadInputErrors(t *testing.T) {
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badYAML, []byte("train:\n  epochz: 3\n"), 0o644)
	corrupt := filepath.Join(dir, "corrupt.ckpt")
	os.WriteFile(corrupt, []byte("not a checkpoint at all"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--out", dir}, "no dataset"},
		{[]string{"train", "--data", filepath.Join(dir, "nope"), "--out", dir}, "nope"},
		{[]string{"train", "--preset", "gpu-9000", "--data", dir}, "unknown preset"},
		{[]string{"train", "--config", badYAML, "--data", dir}, "epochz"},
		{[]string{"test", "--checkpoint", corrupt}, "corrupt.ckpt"},
		{[]string{"test", "--checkpoint", filepath.Join(dir, "missing.ckpt")}, "missing.ckpt"},
		{[]string{"predict", "--checkpoint", corrupt, filepath.Join(dir, "none.png")}, "none.png"},
		{[]string{"bench", "gpu"}, "unknown bench section"},
		{[]string{"calibrate", "--checkpoint", corrupt}, "exactly one of"},
	}
	for _, c := range cases {
		_, _, err := mambaad(t, c.args...)
		if err == nil {
			t.Errorf("%v: no error", c.args)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%v: error %q, want one line mentioning %q", c.args, msg, c.want)
		}
	}
}

func TestRunExitCodes(t *testing.T) {
	if code := run([]string{"version"}); code != 0 {
		t.Fatalf("version exit %d", code)
	}
	if code := run([]string{"train"}); code != 1 {
		t.Fatalf("bad train exit %d", code)
	}
}

// TestInterruptSavesAndResumes cancels a run (as Ctrl-C does) and checks
// that it saved a checkpoint, exits with status 130's error, and that
// --resume then finishes the run.
func TestInterruptSavesAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := tinyData(t)
	out := filepath.Join(t.TempDir(), "run")
	cfg := demoPreset()
	cfg.Data.Root, cfg.Out = data, out
	cfg.Model.ImageSize, cfg.Model.Weights = 64, "random"
	cfg.Train.BatchSize, cfg.Train.Epochs = 2, 2
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // interrupted before the first step
	var stderr bytes.Buffer
	if err := runTrain(ctx, cfg, "", true, io.Discard, &stderr); !errors.Is(err, errInterrupted) {
		t.Fatalf("interrupted run returned %v", err)
	}
	mustExist(t, filepath.Join(out, "last.ckpt"))
	if !strings.Contains(stderr.String(), "--resume") {
		t.Errorf("the interruption message does not say how to resume:\n%s", stderr.String())
	}
	if _, errOut, err := mambaad(t, "train", "--out", out, "--resume", "--quiet"); err != nil {
		t.Fatalf("resume after interruption: %v\n%s", err, errOut)
	}
	mustExist(t, filepath.Join(out, "model.ckpt"))
	if n := len(readLines(t, filepath.Join(out, "train.jsonl"))); n != 2 {
		t.Errorf("train.jsonl has %d epochs after resuming, want 2", n)
	}
}
