package data

import (
	"slices"
	"strings"
	"testing"
)

func mvtecTree(t *testing.T) string {
	root := t.TempDir()
	touch(t, root,
		"bottle/train/good/000.png", "bottle/train/good/001.png",
		"bottle/test/good/000.png",
		"bottle/test/broken/000.png", "bottle/test/broken/001.png",
		"bottle/ground_truth/broken/000_mask.png", "bottle/ground_truth/broken/001_mask.png",
		"cable/train/good/a.jpg", "cable/test/cut/x.png", "cable/ground_truth/cut/x_mask.png",
		"license.txt", "meta.json")
	put(t, root, "bottle/train/good/notes.txt", []byte("ignored"))
	put(t, root, "bottle/train/good/.DS_Store", []byte("ignored"))
	return root
}

func TestMVTec(t *testing.T) {
	root := mvtecTree(t)
	if name, err := Detect(root); err != nil || name != "mvtec" {
		t.Fatalf("Detect = %q, %v", name, err)
	}
	d := open(t, "", root, Options{})
	if !slices.Equal(d.Classes(), []string{"bottle", "cable"}) {
		t.Fatalf("classes %v", d.Classes())
	}
	expect(t, "train", summarize(root, samples(t, d, Train)), []summary{
		{rel: "bottle/train/good/000.png", class: "bottle", defect: "good"},
		{rel: "bottle/train/good/001.png", class: "bottle", defect: "good"},
		{rel: "cable/train/good/a.jpg", class: "cable", defect: "good"},
	})
	expect(t, "test bottle", summarize(root, samples(t, d, Test, "bottle")), []summary{
		{rel: "bottle/test/broken/000.png", class: "bottle", defect: "broken", label: 1, mask: "bottle/ground_truth/broken/000_mask.png"},
		{rel: "bottle/test/broken/001.png", class: "bottle", defect: "broken", label: 1, mask: "bottle/ground_truth/broken/001_mask.png"},
		{rel: "bottle/test/good/000.png", class: "bottle", defect: "good"},
	})
	if _, err := d.Samples(Test, []string{"bottle", "carpet"}); err == nil || !strings.Contains(err.Error(), `"carpet"`) {
		t.Errorf("unknown class: %v", err)
	}
}

// MPDD and Uni-Medical read the MVTec layout; Uni-Medical's masks may be
// named like their images, or unrelated names paired in sorted order.
func TestMPDDAndUniMedical(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "brain/train/good/1.png", "brain/test/good/2.png",
		"brain/test/ungood/5.png", "brain/test/ungood/6.png",
		"brain/ground_truth/ungood/5.png", "brain/ground_truth/ungood/6.png",
		"liver/train/good/1.png", "liver/test/ungood/a.png", "liver/test/ungood/b.png",
		"liver/ground_truth/ungood/m1.png", "liver/ground_truth/ungood/m2.png")
	d := open(t, "unimedical", root, Options{})
	got := summarize(root, samples(t, d, Test))
	want := []summary{
		{rel: "brain/test/good/2.png", class: "brain", defect: "good"},
		{rel: "brain/test/ungood/5.png", class: "brain", defect: "ungood", label: 1, mask: "brain/ground_truth/ungood/5.png"},
		{rel: "brain/test/ungood/6.png", class: "brain", defect: "ungood", label: 1, mask: "brain/ground_truth/ungood/6.png"},
		{rel: "liver/test/ungood/a.png", class: "liver", defect: "ungood", label: 1, mask: "liver/ground_truth/ungood/m1.png"},
		{rel: "liver/test/ungood/b.png", class: "liver", defect: "ungood", label: 1, mask: "liver/ground_truth/ungood/m2.png"},
	}
	expect(t, "unimedical test", got, want)
	if d := open(t, "mpdd", root, Options{}); d.Name() != "mpdd" || len(samples(t, d, Train)) != 2 {
		t.Errorf("mpdd: %s", d.Name())
	}
}

func TestTreeMaskProblems(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "c/train/good/0.png", "c/test/bad/0.png", "c/test/bad/1.png",
		"c/ground_truth/bad/0_mask.png")
	d := open(t, "mvtec", root, Options{})
	if _, err := d.Samples(Test, nil); err == nil || !strings.Contains(err.Error(), "no mask for image 1.png") {
		t.Errorf("missing mask: %v", err)
	}
	// No ground_truth folder at all: image-level labels only.
	root2 := t.TempDir()
	touch(t, root2, "c/train/good/0.png", "c/test/bad/0.png")
	s := samples(t, open(t, "mvtec", root2, Options{}), Test)
	if len(s) != 1 || s[0].Label != 1 || s[0].MaskPath != "" {
		t.Errorf("no ground truth: %+v", s)
	}
	// A class without training images is an error naming the folder.
	root3 := t.TempDir()
	touch(t, root3, "c/test/good/0.png")
	put(t, root3, "c/train/readme.txt", nil)
	if _, err := open(t, "mvtec", root3, Options{}).Samples(Train, nil); err == nil || !strings.Contains(err.Error(), "train/good") {
		t.Errorf("empty train: %v", err)
	}
}

func TestBTAD(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "01/train/ok/0000.bmp", "01/test/ok/0000.bmp", "01/test/ko/0000.bmp",
		"01/ground_truth/ko/0000.png",
		"03/train/ok/0000.bmp", "03/test/ko/0001.bmp", "03/ground_truth/ko/0001.bmp")
	if name, _ := Detect(root); name != "btad" {
		t.Fatalf("Detect = %q", name)
	}
	d := open(t, "btad", root, Options{})
	expect(t, "btad test", summarize(root, samples(t, d, Test)), []summary{
		{rel: "01/test/ko/0000.bmp", class: "01", defect: "ko", label: 1, mask: "01/ground_truth/ko/0000.png"},
		{rel: "01/test/ok/0000.bmp", class: "01", defect: "good"},
		{rel: "03/test/ko/0001.bmp", class: "03", defect: "ko", label: 1, mask: "03/ground_truth/ko/0001.bmp"},
	})
}

func TestMVTec3D(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "bagel/train/good/rgb/000.png", "bagel/train/good/xyz/000.png",
		"bagel/validation/good/rgb/000.png",
		"bagel/test/good/rgb/000.png", "bagel/test/good/gt/000.png",
		"bagel/test/crack/rgb/000.png", "bagel/test/crack/gt/000.png")
	if name, _ := Detect(root); name != "mvtec3d" {
		t.Fatalf("Detect = %q", name)
	}
	d := open(t, "mvtec3d", root, Options{})
	expect(t, "train (train + validation, as the reference)", summarize(root, samples(t, d, Train)), []summary{
		{rel: "bagel/train/good/rgb/000.png", class: "bagel", defect: "good"},
		{rel: "bagel/validation/good/rgb/000.png", class: "bagel", defect: "good"},
	})
	expect(t, "test", summarize(root, samples(t, d, Test)), []summary{
		{rel: "bagel/test/crack/rgb/000.png", class: "bagel", defect: "crack", label: 1, mask: "bagel/test/crack/gt/000.png"},
		{rel: "bagel/test/good/rgb/000.png", class: "bagel", defect: "good"},
	})
}

func TestMVTecLOCO(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "juice_bottle/train/good/000.png", "juice_bottle/validation/good/000.png",
		"juice_bottle/test/good/000.png",
		"juice_bottle/test/logical_anomalies/000.png",
		"juice_bottle/ground_truth/logical_anomalies/000/000.png",
		"juice_bottle/ground_truth/logical_anomalies/000/001.png",
		"juice_bottle/test/structural_anomalies/007.png",
		"juice_bottle/ground_truth/structural_anomalies/007/000.png")
	if name, _ := Detect(root); name != "mvtecloco" {
		t.Fatalf("Detect = %q", name)
	}
	d := open(t, "mvtecloco", root, Options{})
	if n := len(samples(t, d, Train)); n != 1 {
		t.Errorf("train has %d images, want 1 (validation is not training data)", n)
	}
	s := samples(t, d, Test)
	expect(t, "loco test", summarize(root, s), []summary{
		{rel: "juice_bottle/test/good/000.png", class: "juice_bottle", defect: "good"},
		{rel: "juice_bottle/test/logical_anomalies/000.png", class: "juice_bottle", defect: "logical_anomalies", label: 1,
			mask: "juice_bottle/ground_truth/logical_anomalies/000/000.png", extra: 1},
		{rel: "juice_bottle/test/structural_anomalies/007.png", class: "juice_bottle", defect: "structural_anomalies", label: 1,
			mask: "juice_bottle/ground_truth/structural_anomalies/007/000.png"},
	})
	if m := s[1].Masks(); len(m) != 2 || !strings.HasSuffix(m[1], "000/001.png") {
		t.Errorf("Masks() = %v", m)
	}
}
