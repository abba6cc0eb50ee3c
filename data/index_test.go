package data

import (
	"slices"
	"strings"
	"testing"
)

func TestVisA(t *testing.T) {
	root := t.TempDir()
	put(t, root, "split_csv/1cls.csv", []byte("\ufeffobject,split,label,image,mask\n"+
		"candle,train,normal,candle/Data/Images/Normal/0000.JPG,\n"+
		"candle,test,normal,candle/Data/Images/Normal/0001.JPG,\n"+
		"candle,test,anomaly,candle/Data/Images/Anomaly/000.JPG,candle/Data/Masks/Anomaly/000.png\n"+
		"pcb1,train,normal,pcb1/Data/Images/Normal/0000.JPG,\n"))
	if name, _ := Detect(root); name != "visa" {
		t.Fatalf("Detect = %q", name)
	}
	d := open(t, "visa", root, Options{})
	if !slices.Equal(d.Classes(), []string{"candle", "pcb1"}) {
		t.Fatalf("classes %v", d.Classes())
	}
	expect(t, "visa test", summarize(root, samples(t, d, Test)), []summary{
		{rel: "candle/Data/Images/Normal/0001.JPG", class: "candle", defect: "good"},
		{rel: "candle/Data/Images/Anomaly/000.JPG", class: "candle", defect: "anomaly", label: 1, mask: "candle/Data/Masks/Anomaly/000.png"},
	})
	if n := len(samples(t, d, Train)); n != 2 {
		t.Errorf("train union has %d images, want 2", n)
	}
	put(t, root, "split_csv/1cls.csv", []byte("object,split,label,image,mask\ncandle,train,weird,a.png,\n"))
	if _, err := Open("visa", root, Options{}); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad label: %v", err)
	}
	put(t, root, "split_csv/1cls.csv", []byte("object,split,image\n"))
	if _, err := Open("visa", root, Options{}); err == nil || !strings.Contains(err.Error(), `"label"`) {
		t.Errorf("bad header: %v", err)
	}
}

const realIADJSON = `{"meta": {"prefix": "", "normal_class": "OK", "pre_transform": null},
 "train": [
  {"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0001/audiojack_0001_OK_C1_20230922093358.jpg", "mask_path": null},
  {"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0001/audiojack_0001_OK_C2_20230922093358.jpg", "mask_path": null}],
 "test": [
  {"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0002/audiojack_0002_OK_C1_20230922093400.jpg", "mask_path": null},
  {"category": "audiojack", "anomaly_class": "AK", "image_path": "NG/AK/S0100/audiojack_0100_NG_AK_C1_20230922.jpg",
   "mask_path": "NG/AK/S0100/audiojack_0100_NG_AK_C1_20230922.png"},
  {"category": "audiojack", "anomaly_class": "AK", "image_path": "NG/AK/S0100/audiojack_0100_NG_AK_C2_20230922.jpg",
   "mask_path": "NG/AK/S0100/audiojack_0100_NG_AK_C2_20230922.png"}]}`

func TestRealIAD(t *testing.T) {
	root := t.TempDir()
	put(t, root, "realiad_jsons/realiad_jsons/audiojack.json", []byte(realIADJSON))
	put(t, root, "realiad_jsons/realiad_jsons_sv/audiojack.json", []byte(strings.Replace(realIADJSON, `"AK"`, `"QS"`, 2)))
	touch(t, root, "realiad_256/audiojack/OK/S0001/x.jpg")
	if name, _ := Detect(root); name != "realiad" {
		t.Fatalf("Detect = %q", name)
	}
	d := open(t, "realiad", root, Options{})
	expect(t, "realiad test", summarize(root, samples(t, d, Test)), []summary{
		{rel: "realiad_256/audiojack/OK/S0002/audiojack_0002_OK_C1_20230922093400.jpg", class: "audiojack",
			defect: "good", group: "audiojack/OK/S0002"},
		{rel: "realiad_256/audiojack/NG/AK/S0100/audiojack_0100_NG_AK_C1_20230922.jpg", class: "audiojack", defect: "AK", label: 1,
			mask: "realiad_256/audiojack/NG/AK/S0100/audiojack_0100_NG_AK_C1_20230922.png", group: "audiojack/NG/AK/S0100"},
		{rel: "realiad_256/audiojack/NG/AK/S0100/audiojack_0100_NG_AK_C2_20230922.jpg", class: "audiojack", defect: "AK", label: 1,
			mask: "realiad_256/audiojack/NG/AK/S0100/audiojack_0100_NG_AK_C2_20230922.png", group: "audiojack/NG/AK/S0100"},
	})
	c1 := open(t, "realiad", root, Options{Views: []string{"C1"}})
	if n, m := len(samples(t, c1, Train)), len(samples(t, c1, Test)); n != 1 || m != 2 {
		t.Errorf("view C1: %d train, %d test; want 1, 2", n, m)
	}
	sv := samples(t, open(t, "realiad", root, Options{RealIADJSON: "realiad_jsons_sv"}), Test)
	if sv[1].Defect != "QS" {
		t.Errorf("single-view split not used: %+v", sv[1])
	}
	if _, err := Open("realiad", root, Options{RealIADJSON: "realiad_jsons_fuiad_0.4"}); err == nil ||
		!strings.Contains(err.Error(), "realiad_jsons_fuiad_0.4") {
		t.Errorf("missing split folder: %v", err)
	}
}

func TestMetaAndCOCOAD(t *testing.T) {
	root := t.TempDir()
	put(t, root, "meta.json", []byte(`{"train": {"bottle": [
	  {"img_path": "bottle/train/good/000.png", "mask_path": "", "cls_name": "bottle", "specie_name": "good", "anomaly": 0}]},
	 "test": {"bottle": [
	  {"img_path": "bottle/test/broken/000.png", "mask_path": "bottle/ground_truth/broken/000_mask.png", "cls_name": "bottle", "specie_name": "broken", "anomaly": 1},
	  {"img_path": "bottle/test/good/000.png", "mask_path": "", "cls_name": "bottle", "specie_name": "good", "anomaly": false}]}}`))
	if name, _ := Detect(root); name != "meta" {
		t.Fatalf("Detect = %q", name)
	}
	expect(t, "meta test", summarize(root, samples(t, open(t, "meta", root, Options{}), Test)), []summary{
		{rel: "bottle/test/broken/000.png", class: "bottle", defect: "broken", label: 1, mask: "bottle/ground_truth/broken/000_mask.png"},
		{rel: "bottle/test/good/000.png", class: "bottle", defect: "good"},
	})
	put(t, root, "bad.json", []byte(`{"train": {"c": [{"img_path": "a.png", "anomaly": 1}]}}`))
	if _, err := Open("meta", root, Options{Meta: "bad.json"}); err == nil || !strings.Contains(err.Error(), "training split") {
		t.Errorf("anomaly in train: %v", err)
	}
	put(t, root, "bad.json", []byte(`{"test": {"c": [{"img_path": "a.png", "anomaly": 2}]}}`))
	if _, err := Open("meta", root, Options{Meta: "bad.json"}); err == nil || !strings.Contains(err.Error(), `test["c"][0]`) {
		t.Errorf("anomaly 2: %v", err)
	}

	coco := t.TempDir()
	for i, n := range []string{"0", "1"} {
		put(t, coco, "meta_20_"+n+".json", []byte(`{"train": {"coco": [{"img_path": "train2017/a.jpg", "mask_path": "", "cls_name": "coco", "specie_name": "", "anomaly": 0}]},
		 "test": {"coco": [{"img_path": "val2017/b.jpg", "mask_path": "val2017_mask_ad_20_`+n+`/b.png", "cls_name": "coco", "specie_name": "", "anomaly": 1}]}}`))
		s := samples(t, open(t, "cocoad", coco, Options{COCOSplit: i}), Test)
		if len(s) != 1 || s[0].Defect != "anomaly" || !strings.Contains(s[0].MaskPath, "ad_20_"+n) {
			t.Errorf("coco split %d: %+v", i, s)
		}
	}
	if name, _ := Detect(coco); name != "cocoad" {
		t.Errorf("Detect = %q", name)
	}
	if _, err := Open("cocoad", coco, Options{COCOSplit: 2}); err == nil || !strings.Contains(err.Error(), "meta_20_2.json") {
		t.Errorf("absent split: %v", err)
	}
	if _, err := Open("cocoad", coco, Options{COCOSplit: 4}); err == nil {
		t.Error("split 4 accepted")
	}
}

func TestFolder(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 10; i++ {
		touch(t, root, "ok/"+string(rune('a'+i))+".png")
	}
	touch(t, root, "bad/x.png", "bad/y.png", "masks/x_mask.png", "masks/y_mask.png")
	d := open(t, "folder", root, Options{Folders: []FolderOptions{{Class: "widget", Normal: "ok", Abnormal: "bad", Mask: "masks"}}})
	train, test := samples(t, d, Train), samples(t, d, Test)
	if len(train) != 8 || len(test) != 4 {
		t.Fatalf("train %d, test %d; want 8 and 2+2", len(train), len(test))
	}
	if test[0].Label != 0 || test[2].Label != 1 || test[2].MaskPath == "" || test[2].Class != "widget" {
		t.Errorf("test samples %+v", test)
	}
	if _, err := Open("folder", root, Options{Folders: []FolderOptions{{Normal: "ok", Mask: "nowhere"}}}); err == nil ||
		!strings.Contains(err.Error(), "nowhere") {
		t.Errorf("missing folder: %v", err)
	}
	if _, err := Open("folder", root, Options{Folders: []FolderOptions{{Abnormal: "bad"}}}); err == nil {
		t.Error("folder without a normal folder accepted")
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("mvtec", "/does/not/exist", Options{}); err == nil || !strings.Contains(err.Error(), "/does/not/exist") {
		t.Errorf("missing root: %v", err)
	}
	root := t.TempDir()
	if _, err := Open("imagenet", root, Options{}); err == nil || !strings.Contains(err.Error(), "mvtecloco") {
		t.Errorf("unknown layout: %v", err)
	}
	if _, err := Open("", root, Options{}); err == nil || !strings.Contains(err.Error(), "cannot tell") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := Open("mvtec", root, Options{}); err == nil || !strings.Contains(err.Error(), "no class folders") {
		t.Errorf("mvtec on empty folder: %v", err)
	}
	touch(t, root, "train/good/0.png", "test/good/0.png")
	if _, err := Detect(root); err == nil || !strings.Contains(err.Error(), "single class") {
		t.Errorf("class folder as root: %v", err)
	}
	if len(Names()) != 11 {
		t.Errorf("Names() = %v", Names())
	}
}

func TestSelectClasses(t *testing.T) {
	if SelectClasses("all") != nil || SelectClasses(" ") != nil {
		t.Error("all/empty must mean every class")
	}
	if got := SelectClasses("bottle, cable,,"); !slices.Equal(got, []string{"bottle", "cable"}) {
		t.Errorf("got %v", got)
	}
}
