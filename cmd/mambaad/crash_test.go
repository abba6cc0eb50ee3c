package main

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mambaad/mambaad/format/checkpoint"
)

// TestKillAndResume is the crash test of training: a real training process
// is killed with SIGKILL at random moments — several rounds, many of them
// while it writes its 140 MB last.ckpt every epoch — and resumed each time.
// Every resume must start from an intact checkpoint (checksum verified) no
// older than the last epoch the log recorded as checkpointed, no temporary
// file may survive a resume, and the run must finish with model.ckpt.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := tinyData(t)
	out := filepath.Join(t.TempDir(), "run")
	const epochs = 10
	args := []string{"train", "--preset", "demo", "--data", data, "--out", out, "--image-size", "64",
		"--batch-size", "2", "--epochs", strconv.Itoa(epochs), "--checkpoint-every", "1", "--eval-every", "0",
		"--weights", "random", "--quiet"}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	resumed := regexp.MustCompile(`resuming \S+ at epoch (\d+), step (\d+)`)
	kills, midWrite := 0, 0
	for round := 0; round < 12; round++ {
		a := args
		if _, err := os.Stat(filepath.Join(out, "last.ckpt")); err == nil {
			a = append(append([]string(nil), args...), "--resume")
		}
		logged := len(readLinesIfAny(filepath.Join(out, "train.jsonl")))
		cmd := exec.Command(bin, a...)
		var stderr syncBuffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill after the run has started training, at a random moment of
		// the next few epochs.
		deadline := time.Now().Add(2 * time.Minute)
		for !strings.Contains(stderr.String(), "training ") && time.Now().Before(deadline) {
			select {
			case err := <-done:
				t.Fatalf("round %d: the run ended before training (%v):\n%s", round, err, stderr.String())
			case <-time.After(10 * time.Millisecond):
			}
		}
		// Odd rounds kill while a checkpoint is being written (a temporary
		// file exists), after letting one or two whole checkpoints land;
		// even rounds at a random moment of the next few seconds.
		var trigger <-chan time.Time
		if round%2 == 1 {
			c := make(chan time.Time, 1)
			go func(writes int) {
				seen, was := 0, false
				for time.Now().Before(deadline) {
					now := tmpExists(out)
					if now && !was {
						seen++
						if seen > writes {
							c <- time.Now()
							return
						}
					}
					was = now
					time.Sleep(2 * time.Millisecond)
				}
			}(1 + r.IntN(2))
			trigger = c
		} else {
			trigger = time.After(time.Duration(r.IntN(4000)) * time.Millisecond)
		}
		var err error
		select {
		case err = <-done: // finished before the kill
		case <-trigger:
			if tmpExists(out) {
				midWrite++
			}
			cmd.Process.Signal(syscall.SIGKILL)
			err = <-done
			kills++
		}
		if m := resumed.FindStringSubmatch(stderr.String()); m != nil {
			ep, _ := strconv.Atoi(m[1])
			// Epoch ep is the one being resumed: ep-1 were complete, and
			// every logged epoch had its checkpoint written first.
			if ep-1 < logged {
				t.Errorf("round %d: resumed at epoch %d but %d epochs were logged (lost more than one interval)", round, ep, logged)
			}
		}
		if err == nil {
			if _, err := os.Stat(filepath.Join(out, "model.ckpt")); err != nil {
				t.Fatalf("round %d: finished without model.ckpt", round)
			}
			t.Logf("finished after %d kills (%d while a checkpoint was being written)", kills, midWrite)
			if kills < 3 || midWrite < 1 {
				t.Errorf("only %d kills (%d mid-write) before the run finished", kills, midWrite)
			}
			if _, err := checkpoint.Load(filepath.Join(out, "model.ckpt")); err != nil {
				t.Error(err)
			}
			checkLogOnce(t, filepath.Join(out, "train.jsonl"), epochs)
			return
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("round %d: %v", round, err)
		}
		if st, ok := ee.Sys().(syscall.WaitStatus); !ok || !st.Signaled() {
			t.Fatalf("round %d: the run failed by itself (%v):\n%s", round, err, stderr.String())
		}
		// Whatever moment the kill hit, last.ckpt (if any) is whole.
		if _, err := os.Stat(filepath.Join(out, "last.ckpt")); err == nil {
			if _, err := checkpoint.Load(filepath.Join(out, "last.ckpt")); err != nil {
				t.Fatalf("round %d: killed run left a damaged checkpoint: %v", round, err)
			}
		}
	}
	// Let the last round finish.
	if _, stderr, err := mambaad(t, append(args, "--resume")...); err != nil {
		t.Fatalf("final resume: %v\n%s", err, stderr)
	}
	if tmpExists(out) {
		t.Error("temporary files survived the resumes")
	}
	if _, err := checkpoint.Load(filepath.Join(out, "model.ckpt")); err != nil {
		t.Error(err)
	}
	checkLogOnce(t, filepath.Join(out, "train.jsonl"), epochs)
	t.Logf("%d kills, %d while a checkpoint was being written", kills, midWrite)
}

// checkLogOnce asserts that the train.jsonl at path logs epochs 1…n once
// each, in order, however often the run was killed and resumed.
func checkLogOnce(t *testing.T, path string, n int) {
	t.Helper()
	lines := readLinesIfAny(path)
	if len(lines) != n {
		t.Errorf("%s: %d lines after the resumes, want one per epoch (%d)", path, len(lines), n)
	}
	for i, l := range lines {
		var e struct {
			Epoch int `json:"epoch"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Epoch != i+1 {
			t.Errorf("%s: line %d is %q, want epoch %d", path, i+1, l, i+1)
		}
	}
}

func readLinesIfAny(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// tmpExists reports an atomic write in progress (or left by a kill).
func tmpExists(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	return len(m) > 0
}
