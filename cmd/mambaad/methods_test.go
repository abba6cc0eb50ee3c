package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/format/checkpoint"
)

// ckptMethod reads a checkpoint's method and whether it holds a memory bank
// and the decoder (the reference name net_s).
func ckptMethod(t *testing.T, path string) (method string, bank, decoder bool) {
	t.Helper()
	f, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range f.Tensors {
		bank = bank || n.Name == detector.TensorBank
		decoder = decoder || strings.HasPrefix(n.Name, "net_s.")
	}
	return f.Meta[detector.KeyMethod], bank, decoder
}

// TestMethods runs each scoring method through the command line on the
// synthetic set: train writes what the method needs into model.ckpt (the
// memory method: encoder and bank only, nothing trained; combined: decoder,
// bank and fusion scales), test and predict use it without options, and a
// trained recon run gains a bank by resuming it with --method combined,
// without training again.
func TestMethods(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models")
	}
	data := tinyData(t)
	common := []string{"--preset", "demo", "--data", data, "--image-size", "64", "--batch-size", "4",
		"--epochs", "1", "--eval-every", "0", "--weights", "random", "--quiet"}
	runs := map[string]string{}
	for _, m := range []string{"recon", "memory", "combined"} {
		out := filepath.Join(t.TempDir(), m)
		runs[m] = out
		_, stderr, err := mambaad(t, append(append([]string{"train"}, common...), "--out", out, "--method", m)...)
		if err != nil {
			t.Fatalf("train --method %s: %v\n%s", m, err, stderr)
		}
		got, bank, dec := ckptMethod(t, filepath.Join(out, "model.ckpt"))
		if got != m || bank != (m != "recon") || dec != (m != "memory") {
			t.Errorf("--method %s: model.ckpt has method %q, bank %v, decoder %v", m, got, bank, dec)
		}
		if m == "memory" && strings.Contains(stderr, " steps of ") {
			t.Errorf("--method memory trained:\n%s", stderr)
		}
		ckpt := filepath.Join(out, "model.ckpt")
		if _, stderr, err := mambaad(t, "test", "--checkpoint", ckpt, "--out", filepath.Join(out, "test")); err != nil {
			t.Errorf("test of the %s model: %v\n%s", m, err, stderr)
		}
		stdout, stderr, err := mambaad(t, "predict", "--checkpoint", ckpt, "--no-images", filepath.Join(data, "nut", "test"))
		if err != nil || !strings.Contains(stdout, `"score":`) {
			t.Errorf("predict with the %s model: %v\n%s%s", m, err, stdout, stderr)
		}
	}
	// A trained recon model gains a bank: resume it with another method.
	out := filepath.Join(t.TempDir(), "recon+bank")
	stdout, stderr, err := mambaad(t, "train", "--resume", filepath.Join(runs["recon"], "last.ckpt"), "--method", "combined", "--out", out, "--quiet")
	if err != nil {
		t.Fatalf("resume with --method combined: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "trained 0 epochs") {
		t.Errorf("resuming a finished run trained again:\n%s%s", stdout, stderr)
	}
	if got, bank, dec := ckptMethod(t, filepath.Join(out, "model.ckpt")); got != "combined" || !bank || !dec {
		t.Errorf("recon + bank: method %q, bank %v, decoder %v", got, bank, dec)
	}
}
