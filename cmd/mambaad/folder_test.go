package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// folderData rearranges the synthetic MVTec tree into plain folders, one
// class folder per class: fabric with good/, bad/ and masks/, nut with the
// other accepted names (ok/, defect/, ground_truth/) and one mask left
// out. Defect images are renamed <defect>_<name> so that they do not
// collide.
func folderData(t *testing.T) string {
	t.Helper()
	src := tinyData(t)
	dst := filepath.Join(t.TempDir(), "parts")
	names := map[string][3]string{"fabric": {"good", "bad", "masks"}, "nut": {"ok", "defect", "ground_truth"}}
	for class, n := range names {
		c := filepath.Join(src, class)
		copyDir(t, filepath.Join(c, "train", "good"), filepath.Join(dst, class, n[0]), "train_")
		defects, err := os.ReadDir(filepath.Join(c, "test"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range defects {
			if d.Name() == "good" {
				copyDir(t, filepath.Join(c, "test", "good"), filepath.Join(dst, class, n[0]), "test_")
				continue
			}
			copyDir(t, filepath.Join(c, "test", d.Name()), filepath.Join(dst, class, n[1]), d.Name()+"_")
			copyDir(t, filepath.Join(c, "ground_truth", d.Name()), filepath.Join(dst, class, n[2]), d.Name()+"_")
		}
	}
	masks, _ := os.ReadDir(filepath.Join(dst, "nut", "ground_truth"))
	if len(masks) == 0 {
		t.Fatal("no nut masks")
	}
	if err := os.Remove(filepath.Join(dst, "nut", "ground_truth", masks[0].Name())); err != nil {
		t.Fatal(err)
	}
	return dst
}

// copyDir copies the files of src into dst, prefixing their names.
func copyDir(t *testing.T, src, dst, prefix string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, prefix+e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFolderDatasetEndToEnd trains, tests and calibrates on plain folders:
// first by the conventional names (--dataset folder --data DIR), then with
// --folder classes, one of normal images only, which the checkpoint
// records so that test needs no --data.
func TestFolderDatasetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	parts := folderData(t)
	tiny := []string{"--preset", "demo", "--image-size", "64", "--batch-size", "2", "--weights", "random", "--epochs", "1", "--quiet"}

	// Conventional names, two class folders.
	run1 := filepath.Join(t.TempDir(), "run1")
	stdout, stderr, err := mambaad(t, append([]string{"train", "--dataset", "folder", "--data", parts, "--out", run1}, tiny...)...)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "note: folder class nut: 1 of 2 abnormal images have no mask") || strings.Contains(stderr, "warning") {
		t.Errorf("train stderr lacks the mask note:\n%s", stderr)
	}
	if !strings.Contains(stdout, "| fabric |") || !strings.Contains(stdout, "| nut |") {
		t.Errorf("train evaluation lacks the classes:\n%s", stdout)
	}
	ckpt := filepath.Join(run1, "model.ckpt")
	out := filepath.Join(t.TempDir(), "test1")
	stdout, stderr, err = mambaad(t, "test", "--checkpoint", ckpt, "--out", out, "--quiet")
	if err != nil {
		t.Fatalf("test: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "| fabric |") || !strings.Contains(stdout, "| nut |") {
		t.Errorf("test output lacks the classes:\n%s", stdout)
	}
	mustExist(t, filepath.Join(out, "metrics.json"), filepath.Join(out, "report.html"))
	if stdout, stderr, err := mambaad(t, "calibrate", "--checkpoint", ckpt, "--data", parts, "--dataset", "folder"); err != nil ||
		!strings.Contains(stdout, "threshold") || !regexp.MustCompile(`\(global\)\s+f1\s+\S+\s+6\s`).MatchString(stdout) {
		t.Fatalf("calibrate: %v\n%s%s", err, stdout, stderr)
	}
	// Auto-detection reads the same tree.
	if stdout, stderr, err := mambaad(t, "calibrate", "--checkpoint", ckpt, "--data", parts, "--out", filepath.Join(t.TempDir(), "c.ckpt")); err != nil ||
		!regexp.MustCompile(`\(global\)\s+f1\s+\S+\s+6\s`).MatchString(stdout) {
		t.Fatalf("calibrate (auto): %v\n%s%s", err, stdout, stderr)
	}

	// --folder classes: fabric's folders under --data, and a class of
	// normal images only elsewhere (absolute).
	plain := filepath.Join(t.TempDir(), "plain_imgs")
	copyDir(t, filepath.Join(parts, "nut", "ok"), plain, "")
	run2 := filepath.Join(t.TempDir(), "run2")
	folders := []string{"--folder", "class=fab,normal=fabric/good,abnormal=fabric/bad,mask=fabric/masks",
		"--folder", "class=plain,normal=" + plain}
	args := append([]string{"train", "--data", parts, "--out", run2}, folders...)
	stdout, stderr, err = mambaad(t, append(args, tiny...)...)
	if err != nil {
		t.Fatalf("train --folder: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "note: folder class plain: normal images only") || !strings.Contains(stdout, "| fab |") {
		t.Errorf("train --folder:\n%s\n%s", stdout, stderr)
	}
	ckpt2 := filepath.Join(run2, "model.ckpt")
	out2 := filepath.Join(t.TempDir(), "test2")
	stdout, stderr, err = mambaad(t, "test", "--checkpoint", ckpt2, "--out", out2, "--quiet")
	if err != nil {
		t.Fatalf("test (recorded folders): %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "| fab |") {
		t.Errorf("test output lacks class fab:\n%s", stdout)
	}
	// A class of normal images only has no test split.
	if _, _, err := mambaad(t, "test", "--checkpoint", ckpt2, "--classes", "plain", "--out", filepath.Join(t.TempDir(), "t3")); err == nil ||
		!strings.Contains(err.Error(), "no test split") {
		t.Errorf("test of a normal-only class: %v", err)
	}
	// Calibrate with --folder relative to the current directory.
	t.Chdir(parts)
	stdout, stderr, err = mambaad(t, "calibrate", "--checkpoint", ckpt2, "--folder", "class=fab,normal=fabric/good,abnormal=fabric/bad")
	if err != nil || !regexp.MustCompile(`\(global\)\s+f1\s+\S+\s+3\s`).MatchString(stdout) {
		t.Errorf("calibrate --folder: %v\n%s%s", err, stdout, stderr)
	}
}

// TestFolderFlagErrors checks the one-line errors for unusable folder
// datasets and --folder values.
func TestFolderFlagErrors(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	os.MkdirAll(filepath.Join(empty, "images"), 0o755)
	out := filepath.Join(t.TempDir(), "run")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--dataset", "folder", "--data", empty, "--out", out},
			"folder dataset " + empty + ": no class folders found; expected DIR/good/*.png"},
		{[]string{"train", "--folder", "class=a,normal=x,masks=y", "--out", out}, `unknown key "masks"`},
		{[]string{"test", "--checkpoint", "x.ckpt", "--folder", "class=a"}, "no normal=DIR"},
		{[]string{"calibrate", "--checkpoint", "x.ckpt", "--folder", "normal=x,bogus=1"}, `unknown key "bogus"`},
		{[]string{"train", "--dataset", "mvtec", "--folder", "normal=" + empty, "--out", out}, "--dataset folder"},
	}
	for _, c := range cases {
		_, stderr, err := mambaad(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q\n%s", c.args, err, c.want, stderr)
		}
	}
}
