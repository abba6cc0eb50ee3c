package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mambaad/mambaad/internal/run"

	"github.com/mambaad/mambaad/data/synth"
)

// bin is the mambaad binary built once for the tests (TestMain), so that
// the command-line tests run the real program: its flag parsing, exit
// status, signal handling and output streams.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mambaad-test")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "mambaad")
	if out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building mambaad: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mambaad runs the binary and returns stdout, stderr and an error that is
// nil for exit status 0 and otherwise carries stderr's last line (the
// one-line error the command prints) and the status.
func mambaad(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("running mambaad %v: %v", args, err)
		}
		return out.String(), errb.String(), &exitError{code: ee.ExitCode(), msg: lastLine(errb.String())}
	}
	return out.String(), errb.String(), nil
}

type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
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
	runDir := filepath.Join(t.TempDir(), "run")
	tiny := []string{"--preset", "demo", "--image-size", "64", "--batch-size", "2", "--weights", "random", "--quiet"}
	_, stderr, err := mambaad(t, append([]string{"train", "--data", data, "--out", runDir, "--epochs", "2"}, tiny...)...)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	mustExist(t, filepath.Join(runDir, "model.ckpt"), filepath.Join(runDir, "last.ckpt"), filepath.Join(runDir, "config.yaml"),
		filepath.Join(runDir, "eval", "metrics.json"), filepath.Join(runDir, "eval", "report.html"), filepath.Join(runDir, "eval", "curves.png"))
	if !strings.Contains(stderr, "RANDOM") && !strings.Contains(stderr, "training 2 epochs") {
		t.Errorf("train stderr does not describe the runDir:\n%s", stderr)
	}
	logLines := readLines(t, filepath.Join(runDir, "train.jsonl"))
	if len(logLines) != 2 {
		t.Fatalf("train.jsonl has %d lines, want 2", len(logLines))
	}
	var first run.EpochLine
	if err := json.Unmarshal([]byte(logLines[0]), &first); err != nil || first.Epoch != 1 || first.Loss <= 0 {
		t.Fatalf("bad epoch line %q: %v", logLines[0], err)
	}

	// Training again into the same directory must not clobber the runDir.
	if _, _, err := mambaad(t, append([]string{"train", "--data", data, "--out", runDir, "--epochs", "2"}, tiny...)...); err == nil ||
		!strings.Contains(err.Error(), "--resume") {
		t.Errorf("second train into %s: %v", runDir, err)
	}
	// Resuming a finished runDir continues from its own configuration.
	if _, stderr, err := mambaad(t, "train", "--out", runDir, "--resume", "--epochs", "3", "--quiet"); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	if n := len(readLines(t, filepath.Join(runDir, "train.jsonl"))); n != 3 {
		t.Errorf("after resuming to 3 epochs train.jsonl has %d lines", n)
	}

	ckpt := filepath.Join(runDir, "model.ckpt")
	ref := filepath.Join(t.TempDir(), "ref")
	stdout, _, err := mambaad(t, "test", "--checkpoint", ckpt, "--mode", "reference", "--out", ref, "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "| fabric |") || !strings.Contains(stdout, "reference") {
		t.Errorf("test output lacks the table:\n%s", stdout)
	}
	if !regexp.MustCompile(`\| nut \| \w+ \| 1 \|`).MatchString(stdout) {
		t.Errorf("test output lacks the per-defect table:\n%s", stdout)
	}
	mustExist(t, filepath.Join(ref, "defects.md"), filepath.Join(ref, "defects.csv"))
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
		{[]string{"predict", "--checkpoint", corrupt, "--no-images", filepath.Join(dir, "none.png")}, "none.png"},
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

func TestExitCodes(t *testing.T) {
	if _, _, err := mambaad(t, "version"); err != nil {
		t.Fatalf("version: %v", err)
	}
	_, stderr, err := mambaad(t, "train")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("bad train: %v, stderr %q", err, stderr)
	}
}

// TestInterruptSavesAndResumes interrupts a real training process with
// SIGINT (as Ctrl-C does) and checks that it saved a checkpoint, exited with
// status 130 and said how to resume, and that --resume then finishes the run.
func TestInterruptSavesAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := tinyData(t)
	out := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(bin, "train", "--preset", "demo", "--data", data, "--out", out, "--image-size", "64",
		"--batch-size", "2", "--epochs", "12", "--weights", "random", "--quiet")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(stderr.String(), "training 12 epochs") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("training did not start:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("interrupted run: %v\n%s", err, stderr.String())
	}
	mustExist(t, filepath.Join(out, "last.ckpt"))
	if !strings.Contains(stderr.String(), "--resume") {
		t.Errorf("the interruption message does not say how to resume:\n%s", stderr.String())
	}
	if _, errOut, err := mambaad(t, "train", "--resume", filepath.Join(out, "last.ckpt"), "--quiet"); err != nil {
		t.Fatalf("resume after interruption: %v\n%s", err, errOut)
	}
	mustExist(t, filepath.Join(out, "model.ckpt"))
	if n := len(readLines(t, filepath.Join(out, "train.jsonl"))); n != 12 {
		t.Errorf("train.jsonl has %d epochs after resuming, want 12", n)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestImageBudget: train.image_budget chooses the epochs from the number of
// training images (8 here: 24 images = 3 epochs), and --epochs overrides it.
func TestImageBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := tinyData(t)
	cfg := filepath.Join(t.TempDir(), "budget.yaml")
	if err := os.WriteFile(cfg, []byte("train:\n  image_budget: 24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"train", "--preset", "demo", "--config", cfg, "--data", data, "--image-size", "64",
		"--batch-size", "4", "--eval-every", "0", "--weights", "random", "--quiet"}
	for _, tc := range []struct {
		extra  []string
		epochs int
	}{{nil, 3}, {[]string{"--epochs", "1"}, 1}, {[]string{"--image-budget", "16"}, 2}} {
		out := filepath.Join(t.TempDir(), "run")
		_, stderr, err := mambaad(t, append(append(common, "--out", out), tc.extra...)...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if n := len(readLinesIfAny(filepath.Join(out, "train.jsonl"))); n != tc.epochs {
			t.Errorf("%v: %d epochs logged, want %d\n%s", tc.extra, n, tc.epochs, stderr)
		}
	}
	_, stderr, err := mambaad(t, append(common, "--out", t.TempDir(), "--epochs", "2", "--image-budget", "16")...)
	if err == nil || !strings.Contains(stderr, "not both") {
		t.Errorf("--epochs with --image-budget: %v\n%s", err, stderr)
	}
}
