package report

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	_ "image/jpeg"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mambaad/mambaad/metrics"
)

func testTable(t *testing.T) *metrics.Table {
	t.Helper()
	rows := []metrics.Result{
		{Class: "bottle", IAUROC: 1, IAP: 0.9987, IF1Max: 0.9921, PAUROC: 0.9876, PAP: 0.7941, PF1Max: 0.7612, AUPRO: 0.9534, Images: 83, AnomalousImages: 63},
		{Class: "capsule<&>", IAUROC: 0.9412, IAP: 0.9871, IF1Max: 0.9532, PAUROC: 0.9851, PAP: 0.4532, PF1Max: 0.4876, AUPRO: 0.9311, Images: 132, AnomalousImages: 109},
		{Class: "good_only", IAUROC: math.NaN(), IAP: math.NaN(), IF1Max: math.NaN(), PAUROC: math.NaN(), PAP: math.NaN(),
			PF1Max: math.NaN(), AUPRO: math.NaN(), Images: 10, Notes: []string{"no anomalous images: <image metrics> undefined"}},
	}
	for i := range rows {
		r := &rows[i]
		r.MAD = (r.IAUROC + r.IAP + r.IF1Max + r.PAUROC + r.PAP + r.PF1Max + r.AUPRO) / 7
	}
	tab, err := metrics.NewTable(metrics.Options{}, rows)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

var dataURI = regexp.MustCompile(`src="data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"`)

func TestWriteHTML(t *testing.T) {
	tab := testTable(t)
	chart := uniform(300, 200, color.RGBA{200, 220, 240, 255})
	wide := uniform(MaxHTMLWidth+400, 300, color.RGBA{90, 40, 20, 255})
	r := Report{
		Run: RunInfo{Command: "mambaad test", Model: "mambaad:\n  depths: [3, 4, 6, 3]\n", Checkpoint: "runs/ckpt.safetensors",
			Dataset: "mvtec <v1>", Date: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC), Machine: "linux/amd64",
			Extra: []Field{{"seed", "42"}}},
		Table:   tab,
		Figures: []Figure{{Caption: "all classes", Img: chart}},
		Classes: []ClassSection{
			{Name: "bottle", Figures: []Figure{{Caption: "curves", Img: chart}, {Caption: "gallery", Img: wide, Photo: true}}},
			{Name: "capsule<&>", Figures: []Figure{{Caption: "gallery", Img: chart, Photo: true}}},
		},
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, "<!DOCTYPE html>") || !strings.Contains(s, `<meta charset="utf-8">`) {
		t.Error("missing doctype or charset")
	}
	mustContain := []string{
		"bottle", "capsule&lt;&amp;&gt;", "good_only", "mean", "n/a",
		"Mode: exact; AU-PRO up to FPR 0.3.",
		"no anomalous images: &lt;image metrics&gt; undefined",
		"mambaad test", "runs/ckpt.safetensors", "mvtec &lt;v1&gt;", "2025-03-04 05:06:07 UTC", "linux/amd64", "seed",
		"<pre>mambaad:\n  depths: [3, 4, 6, 3]</pre>", "83 (63)",
		`<a href="#class-0">bottle</a>`, `<h2 id="class-1">capsule&lt;&amp;&gt;</h2>`,
	}
	for _, m := range metrics.MetricNames {
		mustContain = append(mustContain, ">"+m+"<")
	}
	for _, row := range append(tab.Classes, tab.Mean) {
		for _, v := range row.Values() {
			mustContain = append(mustContain, `<td class="num">`+Percent(v)+"</td>")
		}
	}
	for _, m := range mustContain {
		if !strings.Contains(s, m) {
			t.Errorf("HTML lacks %q", m)
		}
	}
	for _, bad := range []string{"capsule<&>", "<script", "http://", "https://", "ZgotmplZ", "<v1>"} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, tag := range []string{"table", "tr", "td", "th", "figure", "h2", "ul", "li", "style", "pre", "a"} {
		open := strings.Count(s, "<"+tag+">") + strings.Count(s, "<"+tag+" ")
		if closed := strings.Count(s, "</"+tag+">"); open != closed || open == 0 {
			t.Errorf("<%s>: %d opened, %d closed", tag, open, closed)
		}
	}
	imgs := dataURI.FindAllStringSubmatch(s, -1)
	if len(imgs) != 4 || strings.Count(s, "<img ") != 4 {
		t.Fatalf("%d data-URI images (of %d <img>), want 4", len(imgs), strings.Count(s, "<img "))
	}
	wantTypes := []string{"image/png", "image/png", "image/jpeg", "image/jpeg"}
	wantW := []int{300, 300, MaxHTMLWidth, 300}
	for i, m := range imgs {
		raw, err := base64.StdEncoding.DecodeString(m[2])
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		img, format, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		w, _ := strconv.Atoi(m[3])
		h, _ := strconv.Atoi(m[4])
		if m[1] != wantTypes[i] || "image/"+format != m[1] || img.Bounds().Dx() != w || img.Bounds().Dy() != h || w != wantW[i] {
			t.Errorf("image %d: %s decoded as %s %v, attributes %dx%d, want %s width %d",
				i, m[1], format, img.Bounds(), w, h, wantTypes[i], wantW[i])
		}
	}
	if h, _ := strconv.Atoi(imgs[2][4]); h != 300*MaxHTMLWidth/(MaxHTMLWidth+400) {
		t.Errorf("downscaled height %d does not keep the aspect ratio", h)
	}
}

func TestWriteHTMLWithoutTableOrImages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.html")
	if err := WriteHTML(path, Report{Title: "predict <run>", Run: RunInfo{Dataset: "folder"}}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	if strings.Contains(s, `id="metrics"`) || !strings.Contains(s, "<title>predict &lt;run&gt;</title>") {
		t.Errorf("predict report:\n%s", s[:min(len(s), 400)])
	}
	bad := filepath.Join(dir, "bad.html")
	err := WriteHTML(bad, Report{Classes: []ClassSection{{Name: "x", Figures: []Figure{{Caption: "lost"}}}}})
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "lost") {
		t.Errorf("figure without image: %v", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("a failed report left a file")
	}
	if err := WriteHTML(filepath.Join(dir, "missing", "r.html"), Report{}); err == nil {
		t.Error("missing directory accepted")
	}
	if n := dirNames(t, dir); len(n) != 1 {
		t.Errorf("files %v, want only p.html", n)
	}
}

func TestTableViewReferenceMode(t *testing.T) {
	tab := testTable(t)
	tab.Mode, tab.ProSteps = metrics.Reference, 100
	v := newTableView(tab, map[string]string{"bottle": "class-0"})
	if want := "Mode: reference (ADer: AU-PRO on 100 thresholds, P-F1max on 21); AU-PRO up to FPR 0.3."; v.ModeLine != want {
		t.Errorf("mode line %q, want %q", v.ModeLine, want)
	}
	if len(v.Rows) != 4 || !v.Rows[3].Mean || v.Rows[0].Link != "class-0" || v.Rows[1].Link != "" || len(v.Notes) != 1 {
		t.Errorf("rows %+v, notes %q", v.Rows, v.Notes)
	}
}

func TestPercent(t *testing.T) {
	for v, want := range map[float64]string{1: "100.0", 0.98765: "98.8", 0: "0.0", math.NaN(): "n/a"} {
		if got := Percent(v); got != want {
			t.Errorf("Percent(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestMachine(t *testing.T) {
	if m := Machine(); !strings.Contains(m, "/") || !strings.Contains(m, "CPUs") {
		t.Errorf("Machine() = %q", m)
	}
}

// TestWriteHTMLConfigRows checks the run table: the command as given
// ("mambaad demo") and one row per setting named like config.yaml's keys,
// in the file's order, with lists in flow style.
func TestWriteHTMLConfigRows(t *testing.T) {
	cfg := `data:
  root: runs/demo/data
  dataset: mvtec
  classes: all
  skip_bad: false
model:
  backbone: resnet18
  image_size: 128
  depths: [2, 2, 2, 2]
  weights: auto
train:
  epochs: 8
  init: ""
eval:
  mode: exact
out: runs/demo
`
	path := filepath.Join(t.TempDir(), "r.html")
	err := WriteHTML(path, Report{Run: RunInfo{Command: "mambaad demo", Config: cfg, Dataset: "runs/demo/data",
		Checkpoint: "runs/demo/model.ckpt", Extra: []Field{{"encoder", "resnet18 (ImageNet)"}}}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	want := []string{
		"<tr><th>command</th><td>mambaad demo</td></tr>",
		`<tr class="group"><th colspan="2">configuration (config.yaml)</th></tr>`,
		"<tr><th>data.root</th><td>runs/demo/data</td></tr>",
		"<tr><th>data.dataset</th><td>mvtec</td></tr>",
		"<tr><th>data.skip_bad</th><td>false</td></tr>",
		"<tr><th>model.image_size</th><td>128</td></tr>",
		"<tr><th>model.depths</th><td>[2, 2, 2, 2]</td></tr>",
		"<tr><th>train.epochs</th><td>8</td></tr>",
		"<tr><th>train.init</th><td>&#34;&#34;</td></tr>",
		"<tr><th>eval.mode</th><td>exact</td></tr>",
		"<tr><th>out</th><td>runs/demo</td></tr>",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(s, w)
		if i < 0 {
			t.Errorf("HTML lacks %q", w)
			continue
		}
		if i < last {
			t.Errorf("%q is out of order", w)
		}
		last = i
	}
	// The dataset row would repeat data.root; a mapping is never shown as
	// one block of text.
	if strings.Contains(s, "<th>dataset</th>") || strings.Contains(s, "<pre>") {
		t.Errorf("dataset row or preformatted config:\n%s", s[strings.Index(s, "<table"):strings.Index(s, "</table>")])
	}

	// A label of its own; text that is not a YAML mapping stays as given.
	rows := configRows("just a note\nline 2")
	if len(rows) != 1 || rows[0].Value != "just a note\nline 2" || !rows[0].Multiline {
		t.Errorf("non-YAML config rows %+v", rows)
	}
	p2 := filepath.Join(t.TempDir(), "r.html")
	WriteHTML(p2, Report{Run: RunInfo{Command: "mambaad test", Config: "model: {image_size: 256}", ConfigLabel: "training configuration"}})
	b, _ = os.ReadFile(p2)
	if s := string(b); !strings.Contains(s, ">training configuration</th>") || !strings.Contains(s, "<th>model.image_size</th><td>256</td>") {
		t.Errorf("labelled config missing:\n%s", s)
	}
}
