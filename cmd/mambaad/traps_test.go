package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The command-line traps a first-hour user hit, each checked on the real
// binary.

// tinyRun is the flags of a tiny training run.
var tinyRun = []string{"--preset", "demo", "--image-size", "64", "--batch-size", "2", "--weights", "random", "--quiet"}

func TestTrapResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := tinyData(t)
	out := filepath.Join(t.TempDir(), "run")
	if _, stderr, err := mambaad(t, append([]string{"train", "--data", data, "--out", out, "--epochs", "2"}, tinyRun...)...); err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	// The same image size given again is no change; another one is refused
	// in one line.
	_, _, err := mambaad(t, "train", "--out", out, "--resume", "--image-size", "128", "--quiet")
	if err == nil || !strings.Contains(err.Error(), "image size 128") || !strings.Contains(err.Error(), "trained at 64") {
		t.Errorf("--image-size 128 on a 64-px run: %v", err)
	}
	// --resume FILE (with a space) and the summary counts only the epochs
	// this run trained, in good English.
	stdout, stderr, err := mambaad(t, "train", "--resume", filepath.Join(out, "last.ckpt"), "--image-size", "64", "--epochs", "3", "--quiet")
	if err != nil {
		t.Fatalf("resume with the same image size: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "trained 1 epoch (") {
		t.Errorf("summary after resuming 2 → 3 epochs:\n%s", stdout)
	}
}

func TestTrapSkipBad(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := tinyData(t)
	bad := filepath.Join(data, "nut", "test", "good", "999.png")
	if err := os.WriteFile(bad, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "run")
	// --skip-bad covers the evaluation after training too.
	_, stderr, err := mambaad(t, append([]string{"train", "--data", data, "--out", out, "--epochs", "1", "--skip-bad"}, tinyRun...)...)
	if err != nil {
		t.Fatalf("train --skip-bad with a bad test image: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "999.png") {
		t.Errorf("no warning names the skipped file:\n%s", stderr)
	}
	ckpt := filepath.Join(out, "model.ckpt")
	if _, _, err := mambaad(t, "test", "--checkpoint", ckpt, "--quiet", "--out", filepath.Join(t.TempDir(), "t")); err == nil ||
		!strings.Contains(err.Error(), "999.png") {
		t.Errorf("test without --skip-bad: %v", err)
	}
	if _, stderr, err := mambaad(t, "test", "--checkpoint", ckpt, "--skip-bad", "--quiet", "--out", filepath.Join(t.TempDir(), "t2")); err != nil {
		t.Errorf("test --skip-bad: %v\n%s", err, stderr)
	}
}

func TestTrapErrors(t *testing.T) {
	data := tinyData(t)
	dir := t.TempDir()
	// --lr -1 says what is wrong, not a Go struct.
	_, _, err := mambaad(t, append([]string{"train", "--data", data, "--out", filepath.Join(dir, "lr"), "--lr", "-1"}, tinyRun...)...)
	if err == nil || !strings.Contains(err.Error(), "lr") || strings.ContainsAny(err.Error(), "{}") {
		t.Errorf("--lr -1: %v", err)
	}
	// A run that fails leaves no empty output folder behind.
	empty := filepath.Join(dir, "empty-data")
	os.MkdirAll(filepath.Join(empty, "good"), 0o755)
	out := filepath.Join(dir, "failed")
	if _, _, err := mambaad(t, append([]string{"train", "--data", empty, "--dataset", "folder", "--out", out}, tinyRun...)...); err == nil {
		t.Error("training on a folder without images succeeded")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the failed run left %s behind", out)
	}
	// Offline downloads point to weights import.
	_, _, err = mambaad(t, "weights", "download", "resnet18", "--cache-dir", filepath.Join(dir, "cache"), "--url", "http://127.0.0.1:1", "--quiet")
	if err == nil || !strings.Contains(err.Error(), "weights import") {
		t.Errorf("offline download: %v", err)
	}
	// --version and version name the commit when the binary has one.
	stdout, _, err := mambaad(t, "--version")
	if err != nil || !strings.HasPrefix(stdout, "mambaad ") {
		t.Errorf("--version: %v %q", err, stdout)
	}
	if v, _, _ := mambaad(t, "version"); v != stdout {
		t.Errorf("version %q and --version %q differ", v, stdout)
	}
	if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		if c := strings.TrimSpace(string(head))[:12]; !strings.Contains(stdout, "commit "+c) {
			t.Errorf("built from commit %s, but --version says %q", c, stdout)
		}
	}
}

// TestRunsIgnored: the demo's output folder is ignored by git.
func TestRunsIgnored(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "/runs/") {
		t.Error(".gitignore does not ignore runs/")
	}
}
