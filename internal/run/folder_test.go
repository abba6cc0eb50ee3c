package run

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
)

func writePNGs(t *testing.T, dir string, names ...string) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A YAML data.folders list: relative folders are taken from the file's
// directory when the file gives no root, from data.root otherwise.
func TestYAMLFolders(t *testing.T) {
	dir := t.TempDir()
	writePNGs(t, filepath.Join(dir, "imgs", "bolt_ok"), "0.png", "1.png", "2.png", "3.png", "4.png")
	writePNGs(t, filepath.Join(dir, "imgs", "bolt_ng"), "a.png", "b.png")
	writePNGs(t, filepath.Join(dir, "imgs", "bolt_gt"), "a_mask.png")
	writePNGs(t, filepath.Join(dir, "imgs", "nut_ok"), "0.png", "1.png")
	writePNGs(t, filepath.Join(dir, "imgs", "nut_test"), "9.png")
	cfgFile := filepath.Join(dir, "imgs", "run.yaml")
	writeFile(t, cfgFile, `data:
  dataset: folder
  folders:
    - {class: bolt, normal: bolt_ok, abnormal: bolt_ng, mask: bolt_gt, test_share: 0}
    - class: nut
      normal: nut_ok
      normal_test: nut_test
train: {epochs: 1}
`)
	c, err := LoadConfig("demo", cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "imgs")
	if len(c.Data.Folders) != 2 || c.Data.Folders[0].Normal != filepath.Join(base, "bolt_ok") ||
		c.Data.Folders[0].TestShare == nil || *c.Data.Folders[0].TestShare != 0 || c.Data.Folders[1].TestShare != nil {
		t.Fatalf("folders %+v", c.Data.Folders)
	}
	c.Data.defaultRoot()
	if !filepath.IsAbs(c.Data.Root) {
		t.Errorf("root %q", c.Data.Root)
	}
	var notes bytes.Buffer
	ds, err := openData(c.Data.Dataset, c.Data.Root, c.Data.Folders, &notes)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Classes(), []string{"bolt", "nut"}) {
		t.Fatalf("classes %v", ds.Classes())
	}
	train, _ := ds.Samples(data.Train, nil)
	test, _ := ds.Samples(data.Test, nil)
	if len(train) != 5+2 || len(test) != 2+1 {
		t.Errorf("train %d test %d (test_share 0 holds nothing out)", len(train), len(test))
	}
	if !strings.Contains(notes.String(), "note: folder class bolt: 1 of 2 abnormal images have no mask") {
		t.Errorf("notes %q", notes.String())
	}
	// The run's config.yaml carries the folders and reads back the same.
	var back Config
	if err := decodeYAML([]byte(c.YAML()), &back); err != nil || !reflect.DeepEqual(back.Data.Folders, c.Data.Folders) {
		t.Errorf("round trip: %v\n%s", err, c.YAML())
	}

	// With a root, folders stay relative to it.
	withRoot := filepath.Join(dir, "with_root.yaml")
	writeFile(t, withRoot, "data:\n  root: "+base+"\n  folders:\n    - {class: nut, normal: nut_ok}\n")
	c, err = LoadConfig("demo", withRoot)
	if err != nil || c.Data.Folders[0].Normal != "nut_ok" {
		t.Fatalf("%v %+v", err, c.Data.Folders)
	}
	if ds, err := openData("auto", c.Data.Root, c.Data.Folders, &notes); err != nil || ds.Name() != "folder" {
		t.Errorf("auto with folders: %v", err)
	}
	if _, err := openData("mvtec", c.Data.Root, c.Data.Folders, &notes); err == nil || !strings.Contains(err.Error(), "--dataset folder") {
		t.Errorf("mvtec with folders: %v", err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "data:\n  folders:\n    - {class: a, normal: x, masks: y}\n")
	if _, err := LoadConfig("demo", bad); err == nil || !strings.Contains(err.Error(), "masks") || strings.Contains(err.Error(), "\n") {
		t.Errorf("unknown key: %v", err)
	}
	writeFile(t, bad, "data:\n  folders:\n    - {class: a, normal: x, test_share: 1.5}\n")
	if c, err := LoadConfig("demo", bad); err != nil {
		t.Fatal(err)
	} else if _, err := openData("", base, c.Data.Folders, &notes); err == nil || !strings.Contains(err.Error(), "test_share 1.5") {
		t.Errorf("test_share 1.5: %v", err)
	}
}

func TestParseFolderFlags(t *testing.T) {
	got, err := ParseFolderFlags([]string{
		"class=bolt,normal=a/ok,abnormal=a/ng,mask=a/gt,normal_test=a/t,test_share=0.3",
		"normal=b",
	})
	share := 0.3
	want := []FolderConfig{{Class: "bolt", Normal: "a/ok", Abnormal: "a/ng", Mask: "a/gt", NormalTest: "a/t", TestShare: &share}, {Normal: "b"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if got, err := ParseFolderFlags(nil); err != nil || got != nil {
		t.Errorf("no flags: %v %v", got, err)
	}
	for _, c := range []struct{ in, want string }{
		{"class=a,normal=x,masks=y", `unknown key "masks" (known: class, normal, abnormal, mask, normal_test, test_share)`},
		{"class=a,abnormal=y", "no normal=DIR"},
		{"class=a,normal", "is not key=value"},
		{"class=a,normal=x,normal=y", "normal given twice"},
		{"normal=x,test_share=lots", "not a number"},
	} {
		_, err := ParseFolderFlags([]string{c.in})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.in) {
			t.Errorf("%s: %v, want %q", c.in, err, c.want)
		}
	}
}

// The checkpoint's dataset record carries the folder classes; records
// written before they existed still parse.
func TestDatasetInfoFolders(t *testing.T) {
	share := 0.0
	fs := []FolderConfig{{Class: "bolt", Normal: "ok", Abnormal: "ng", TestShare: &share}, {Class: "nut", Normal: "/abs/nut"}}
	m := detector.Meta{Dataset: detector.DatasetInfo{Root: "/data", Dataset: "folder", Classes: "all", Folders: folderSpecs(fs)}}
	got, err := detector.ParseMeta("x.ckpt", m.Entries())
	if err != nil || !reflect.DeepEqual(folderConfigs(got.Dataset.Folders), fs) {
		t.Fatalf("%+v %v", got.Dataset, err)
	}
	if e := m.Entries()[detector.KeyDataset]; !strings.Contains(e, `"folders":[{"class":"bolt","normal":"ok","abnormal":"ng","test_share":0}`) {
		t.Errorf("entry %s", e)
	}
	old := map[string]string{detector.KeyDataset: `{"root":"./mvtec","dataset":"mvtec","classes":"all"}`}
	if got, err := detector.ParseMeta("old.ckpt", old); err != nil || got.Dataset.Folders != nil || got.Dataset.Root != "./mvtec" {
		t.Errorf("old record: %+v %v", got.Dataset, err)
	}
	noFolders, _ := detector.Meta{Dataset: detector.DatasetInfo{Root: "r"}}.Entries()[detector.KeyDataset]
	if strings.Contains(noFolders, "folders") {
		t.Errorf("empty folders written: %s", noFolders)
	}
}
