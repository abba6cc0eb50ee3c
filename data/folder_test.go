package data

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// noteLog collects Options.Note messages.
type noteLog []string

func (n *noteLog) note(s string) { *n = append(*n, s) }

func touchN(t *testing.T, root, dir string, n int) {
	t.Helper()
	for i := range n {
		touch(t, root, fmt.Sprintf("%s/%03d.png", dir, i))
	}
}

// One class by the conventional names: DIR/good, DIR/bad, DIR/masks.
func TestFolderConventionOneClass(t *testing.T) {
	root := filepath.Join(t.TempDir(), "parts")
	touchN(t, root, "good", 10)
	touch(t, root, "bad/x.png", "bad/y.png", "bad/z.png", "masks/x_mask.png", "masks/y.png")
	if name, err := Detect(root); err != nil || name != "folder" {
		t.Fatalf("Detect = %q, %v", name, err)
	}
	var notes noteLog
	d := open(t, "auto", root, Options{Note: notes.note})
	if d.Name() != "folder" || !slices.Equal(d.Classes(), []string{"parts"}) {
		t.Fatalf("%s classes %v", d.Name(), d.Classes())
	}
	train, test := samples(t, d, Train), samples(t, d, Test)
	if len(train) != 8 || len(test) != 5 {
		t.Fatalf("train %d, test %d; want 8 and 2 held-out normals + 3 abnormal", len(train), len(test))
	}
	expect(t, "test", summarize(root, test), []summary{
		{rel: "good/004.png", class: "parts", defect: "good"},
		{rel: "good/009.png", class: "parts", defect: "good"},
		{rel: "bad/x.png", class: "parts", defect: "anomaly", label: 1, mask: "masks/x_mask.png"},
		{rel: "bad/y.png", class: "parts", defect: "anomaly", label: 1, mask: "masks/y.png"},
		{rel: "bad/z.png", class: "parts", defect: "anomaly", label: 1},
	})
	samples(t, d, Test) // a second read must not repeat the note
	if len(notes) != 1 || !strings.Contains(notes[0], "parts: 1 of 3 abnormal images have no mask") {
		t.Errorf("notes %q", notes)
	}
	// The layout named explicitly reads the same.
	if d := open(t, "folder", root, Options{}); len(samples(t, d, Test)) != 5 {
		t.Error("explicit folder layout differs")
	}
}

// The other accepted names, and test_good instead of a held-out share.
func TestFolderConventionAliases(t *testing.T) {
	root := t.TempDir()
	touchN(t, root, "Normal", 4)
	touchN(t, root, "test_good", 2)
	touch(t, root, "defect/a.png", "ground_truth/a_mask.png")
	var notes noteLog
	d := open(t, "folder", root, Options{Note: notes.note})
	train, test := samples(t, d, Train), samples(t, d, Test)
	if len(train) != 4 || len(test) != 3 || test[2].MaskPath == "" || test[0].Label != 0 {
		t.Fatalf("train %d, test %v", len(train), test)
	}
	if len(notes) != 0 {
		t.Errorf("notes %q", notes)
	}
	for _, names := range [][]string{FolderNormalNames, FolderAbnormalNames, FolderMaskNames} {
		if len(names) < 3 {
			t.Errorf("names %v", names)
		}
	}
}

// Normal images only: everything trains and there is no test split unless
// a share is asked for.
func TestFolderNormalOnly(t *testing.T) {
	root := filepath.Join(t.TempDir(), "screws")
	touchN(t, root, "ok", 5)
	var notes noteLog
	d := open(t, "", root, Options{Note: notes.note})
	if train, test := samples(t, d, Train), samples(t, d, Test); len(train) != 5 || len(test) != 0 {
		t.Fatalf("train %d, test %d", len(train), len(test))
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "no test split") {
		t.Errorf("notes %q", notes)
	}
	d = open(t, "folder", root, Options{Folders: []FolderOptions{{Normal: "ok", TestShare: 0.4}}})
	if d.Classes()[0] != "screws" || len(samples(t, d, Train)) != 3 || len(samples(t, d, Test)) != 2 {
		t.Errorf("share 0.4: %v", summarize(root, samples(t, d, Test)))
	}
}

// DIR/<class>/good per class; sub-folders without any conventional folder
// are ignored.
func TestFolderConventionClasses(t *testing.T) {
	root := t.TempDir()
	touchN(t, root, "bolt/good", 5)
	touch(t, root, "bolt/bad/0.png", "bolt/masks/0_mask.png")
	touchN(t, root, "washer/ok", 3)
	touch(t, root, "docs/readme.png")
	if name, err := Detect(root); err != nil || name != "folder" {
		t.Fatalf("Detect = %q, %v", name, err)
	}
	var notes noteLog
	d := open(t, "", root, Options{Note: notes.note})
	if !slices.Equal(d.Classes(), []string{"bolt", "washer"}) {
		t.Fatalf("classes %v", d.Classes())
	}
	if n := len(samples(t, d, Train)); n != 4+3 {
		t.Errorf("train %d", n)
	}
	expect(t, "test", summarize(root, samples(t, d, Test)), []summary{
		{rel: "bolt/good/004.png", class: "bolt", defect: "good"},
		{rel: "bolt/bad/0.png", class: "bolt", defect: "anomaly", label: 1, mask: "bolt/masks/0_mask.png"},
	})
	if len(notes) != 1 || !strings.Contains(notes[0], "washer") {
		t.Errorf("notes %q", notes)
	}
}

// Explicit classes, each with its own folders, relative to the root or
// absolute.
func TestFolderExplicitClasses(t *testing.T) {
	root := t.TempDir()
	other := t.TempDir()
	touchN(t, root, "line1/normal_imgs", 5)
	touch(t, root, "line1/defects/a.png", "line1/defects/b.png", "line1/gt/a_mask.png", "line1/gt/b_mask.png")
	touchN(t, other, "train", 3)
	touchN(t, other, "holdout", 2)
	touch(t, other, "ng/q.png")
	d := open(t, "auto", root, Options{Folders: []FolderOptions{
		{Class: "l1", Normal: "line1/normal_imgs", Abnormal: "line1/defects", Mask: "line1/gt", TestShare: NoTestShare},
		{Class: "l2", Normal: filepath.Join(other, "train"), NormalTest: filepath.Join(other, "holdout"), Abnormal: filepath.Join(other, "ng")},
	}})
	if d.Name() != "folder" || !slices.Equal(d.Classes(), []string{"l1", "l2"}) {
		t.Fatalf("%s %v", d.Name(), d.Classes())
	}
	if n := len(samples(t, d, Train, "l1")); n != 5 {
		t.Errorf("l1 train %d (no share held out)", n)
	}
	if s := samples(t, d, Test, "l1"); len(s) != 2 || s[1].MaskPath != filepath.Join(root, "line1/gt/b_mask.png") {
		t.Errorf("l1 test %+v", s)
	}
	if tr, te := samples(t, d, Train, "l2"), samples(t, d, Test, "l2"); len(tr) != 3 || len(te) != 3 {
		t.Errorf("l2 train %d test %d", len(tr), len(te))
	}

	for _, c := range []struct {
		f    []FolderOptions
		want string
	}{
		{[]FolderOptions{{Normal: "line1/normal_imgs"}, {Class: "b", Normal: "line1/normal_imgs"}}, "each needs a class name"},
		{[]FolderOptions{{Class: "a", Normal: "line1/normal_imgs"}, {Class: "a", Normal: "line1/defects"}}, `class "a" given twice`},
		{[]FolderOptions{{Class: "a", Normal: "line1/normal_imgs", TestShare: 1}}, "test share 1"},
		{[]FolderOptions{{Class: "a", Normal: "line1/normal_imgs", NormalTest: "line1/defects", TestShare: 0.3}}, "not both"},
		{[]FolderOptions{{Class: "a", Normal: "line1/nope"}}, "line1/nope does not exist"},
		{[]FolderOptions{{Class: "a", Abnormal: "line1/defects"}}, `class "a": no normal-image folder`},
	} {
		if _, err := Open("folder", root, Options{Folders: c.f}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
	if _, err := Open("mvtec", root, Options{Folders: []FolderOptions{{Normal: "x"}}}); err == nil ||
		!strings.Contains(err.Error(), "only for the folder layout") {
		t.Errorf("folders with mvtec: %v", err)
	}
}

// An unusable tree gives one line naming the folder and the accepted
// layouts.
func TestFolderLayoutErrors(t *testing.T) {
	root := filepath.Join(t.TempDir(), "parts")
	touch(t, root, "images/0.png")
	_, err := Open("folder", root, Options{})
	want := "folder dataset " + root + ": no class folders found; expected DIR/good/*.png [DIR/bad/*.png DIR/masks/*.png DIR/test_good/*.png] " +
		"or DIR/<class>/good/… per class (see mambaad train --help)"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if _, err := Open("", root, Options{}); err == nil || !strings.Contains(err.Error(), "cannot tell") ||
		!strings.Contains(err.Error(), "DIR/<class>/good/") {
		t.Errorf("auto: %v", err)
	}
	touch(t, root, "bad/0.png")
	for _, name := range []string{"folder", "auto"} {
		if _, err := Open(name, root, Options{}); err == nil || !strings.Contains(err.Error(), "bad/ but no good/") ||
			!strings.Contains(err.Error(), "expected DIR/good/") {
			t.Errorf("%s, bad only: %v", name, err)
		}
	}
	two := t.TempDir()
	touch(t, two, "a/good/0.png", "a/OK/0.png")
	if _, err := Open("folder", two, Options{}); err == nil || !strings.Contains(err.Error(), "keep one") {
		t.Errorf("two normal folders: %v", err)
	}
	if _, err := Detect(two); err == nil || !strings.Contains(err.Error(), "keep one") {
		t.Errorf("ambiguous tree detected: %v", err)
	}
	empty := t.TempDir()
	put(t, empty, "c/good/notes.txt", []byte("x"))
	d := open(t, "folder", empty, Options{})
	if _, err := d.Samples(Train, nil); err == nil || !strings.Contains(err.Error(), "no training images in "+filepath.Join(empty, "c", "good")) {
		t.Errorf("empty good/: %v", err)
	}
}

// MVTec-like trees keep their own layouts even where a class folder also
// has a good/ folder.
func TestFolderDetectLeavesMVTec(t *testing.T) {
	root := mvtecTree(t)
	touch(t, root, "bottle/good/0.png")
	if name, err := Detect(root); err != nil || name != "mvtec" {
		t.Errorf("Detect = %q, %v", name, err)
	}
	odd := t.TempDir()
	touch(t, odd, "c/good/0.png", "c/train/0.png")
	if name, err := Detect(odd); err == nil {
		t.Errorf("class with good/ and train/ detected as %q", name)
	}
	btad := t.TempDir()
	touch(t, btad, "01/train/ok/0.png", "01/test/ok/0.png")
	if name, _ := Detect(btad); name != "btad" {
		t.Errorf("btad detected as %q", name)
	}
}
