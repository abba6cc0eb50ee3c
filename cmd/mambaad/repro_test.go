package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The reproducibility tests run the real binary: the same command with the
// same seed must write byte-identical checkpoints, metrics and scores, and
// an interrupted and resumed run must end where an uninterrupted one does.
// Each run works in its own folder with the same relative --out, so that
// the run configuration stored in the checkpoints (which names the output
// folder) is the same too.

// reproTrain is a tiny training run with drop-path on (the demo preset's
// default) and batches of four (so that the batch sums combine more than
// two images, where the order starts to matter).
func reproTrain(data string, epochs string, extra ...string) []string {
	return append([]string{"train", "--preset", "demo", "--data", data, "--out", "run", "--image-size", "64",
		"--batch-size", "4", "--epochs", epochs, "--weights", "random", "--seed", "5"}, extra...)
}

// mambaadIn runs the binary in dir and fails the test on a non-zero exit.
func mambaadIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mambaad %v in %s: %v\n%s", args, dir, err, out)
	}
}

// workDir makes an empty folder for one run.
func workDir(t *testing.T, name string) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// sameFiles fails unless every named file (relative to the run folders) is
// byte-identical in a and b.
func sameFiles(t *testing.T, what, a, b string, names ...string) {
	t.Helper()
	for _, n := range names {
		x, errA := os.ReadFile(filepath.Join(a, "run", n))
		y, errB := os.ReadFile(filepath.Join(b, "run", n))
		if errA != nil || errB != nil {
			t.Fatalf("%s: %v, %v", what, errA, errB)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s: %s differs (%d and %d bytes)", what, n, len(x), len(y))
		}
	}
}

// tensorData returns a checkpoint's data section: every tensor, without
// the header and its metadata.
func tensorData(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 || uint64(len(b)-8) < binary.LittleEndian.Uint64(b) {
		t.Fatalf("%s: not a safetensors file", path)
	}
	return b[8+binary.LittleEndian.Uint64(b):]
}

// TestSameSeedSameFiles trains the same tiny run twice into two folders and
// requires byte-identical checkpoints (model.ckpt, and last.ckpt with the
// optimiser state), metrics and scores; then once more with one thread and
// once with three, whose stored configuration differs (threads) but whose
// weights, metrics and scores must not.
func TestSameSeedSameFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four models")
	}
	data := tinyData(t)
	a, b := workDir(t, "a"), workDir(t, "b")
	mambaadIn(t, a, reproTrain(data, "2", "--quiet")...)
	mambaadIn(t, b, reproTrain(data, "2", "--quiet")...)
	outputs := []string{"eval/metrics.json", "eval/metrics.csv", "eval/scores.csv"}
	sameFiles(t, "same command twice", a, b, append([]string{"model.ckpt", "last.ckpt"}, outputs...)...)
	for _, threads := range []string{"1", "3"} {
		c := workDir(t, "threads"+threads)
		mambaadIn(t, c, reproTrain(data, "2", "--quiet", "--threads", threads)...)
		sameFiles(t, "--threads "+threads, a, c, outputs...)
		for _, ck := range []string{"model.ckpt", "last.ckpt"} {
			if !bytes.Equal(tensorData(t, filepath.Join(a, "run", ck)), tensorData(t, filepath.Join(c, "run", ck))) {
				t.Errorf("--threads %s: the tensors of %s differ from the default thread count's", threads, ck)
			}
		}
	}
}

// TestInterruptedRunEndsLikeUninterrupted interrupts a run (SIGINT, as
// Ctrl-C) during training, resumes it, and requires the final checkpoints
// to be byte-identical to an uninterrupted run's.
func TestInterruptedRunEndsLikeUninterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model twice")
	}
	data := tinyData(t)
	straight, stopped := workDir(t, "straight"), workDir(t, "stopped")
	mambaadIn(t, straight, reproTrain(data, "8", "--quiet")...)

	cmd := exec.Command(bin, reproTrain(data, "8")...)
	cmd.Dir = stopped
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(stderr.String(), "training 8 epochs") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("training did not start:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a few steps in, most likely mid-epoch
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted at epoch") {
		t.Fatalf("the run was not interrupted during training: %v\n%s", err, stderr.String())
	}
	t.Logf("%s", lastLine(strings.Split(stderr.String(), "\ncontinue")[0]))
	if _, err := os.Stat(filepath.Join(stopped, "run", "model.ckpt")); err == nil {
		t.Fatal("the interrupted run wrote model.ckpt")
	}
	mambaadIn(t, stopped, "train", "--resume", filepath.Join("run", "last.ckpt"), "--quiet")
	sameFiles(t, "interrupted and resumed", straight, stopped, "model.ckpt", "last.ckpt", "eval/metrics.json", "eval/scores.csv")
}
