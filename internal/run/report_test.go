package run

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/app/evaluate"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/metrics"
	"gopkg.in/yaml.v3"
)

// leafKeys lists the settings of a YAML configuration as dotted paths.
func leafKeys(t *testing.T, text string) []string {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(text), &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
				walk(prefix+k+".", sub)
				continue
			}
			out = append(out, prefix+k)
		}
	}
	walk("", m)
	return out
}

// TestWriteReportRunTable writes the report of a small fake evaluation as
// the demo does and checks its run table: "mambaad demo", and a row for
// every setting of config.yaml, named as in that file.
func TestWriteReportRunTable(t *testing.T) {
	dir := t.TempDir()
	const s = 32
	var kept []evaluate.Kept
	for i, defect := range []string{"crack", "good"} {
		p := filepath.Join(dir, defect+".png")
		img := image.NewRGBA(image.Rect(0, 0, 48, 40))
		for k := range img.Pix {
			img.Pix[k] = uint8(40 * (k % 5))
		}
		f, _ := os.Create(p)
		png.Encode(f, img)
		f.Close()
		amap := make([]float32, s*s)
		var mask []uint8
		if defect != "good" {
			mask = make([]uint8, s*s)
		}
		for k := range amap {
			amap[k] = float32(k%s) / s / float32(i+1)
			if mask != nil && k%s > s/2 {
				mask[k] = 1
			}
		}
		kept = append(kept, evaluate.Kept{ImageResult: evaluate.ImageResult{
			Sample: data.Sample{Path: p, Class: "nut", Defect: defect, Label: 1 - i}, Score: float64(1 - i)},
			Map: amap, Mask: mask})
	}
	row := metrics.Result{Class: "nut", IAUROC: 1, IAP: 1, IF1Max: 1, PAUROC: 0.9, PAP: 0.5, PF1Max: 0.5, AUPRO: 0.8, Images: 2, AnomalousImages: 1}
	tab, err := metrics.NewTable(metrics.Options{}, []metrics.Result{row})
	if err != nil {
		t.Fatal(err)
	}
	res := &evaluate.Result{Table: tab, Size: s, Classes: []evaluate.ClassResult{{Metrics: row, Kept: kept}}}
	cfg := DemoConfig()
	cfg.Data.Root = filepath.Join(dir, "data")
	info := runInfo{Command: "demo", Threshold: math.NaN(), Dataset: cfg.Data.Root, Config: cfg.YAML()}
	if err := writeReport(res, dir, info); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if !strings.Contains(html, "<th>command</th><td>mambaad demo</td>") {
		t.Error("run table does not say mambaad demo")
	}
	keys := leafKeys(t, cfg.YAML())
	if len(keys) < 20 {
		t.Fatalf("only %d settings in %q", len(keys), cfg.YAML())
	}
	for _, k := range keys {
		if !strings.Contains(html, "<th>"+k+"</th>") {
			t.Errorf("run table has no row %q", k)
		}
	}
	for _, bad := range []string{"<th>model</th>", "<th>Encoder</th>"} {
		if strings.Contains(html, bad) {
			t.Errorf("run table has %s", bad)
		}
	}
	// The gallery starts with its colour bar: jet colours in the top rows.
	f, err := os.Open(filepath.Join(dir, "gallery_nut.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	jet := 0
	for y := 0; y < 60; y++ {
		for x := 0; x < g.Bounds().Dx(); x++ {
			c := color.RGBAModel.Convert(g.At(x, y)).(color.RGBA)
			if max(c.R, c.G, c.B)-min(c.R, c.G, c.B) > 150 {
				jet++
			}
		}
	}
	if jet < 500 {
		t.Errorf("gallery top has %d colour-bar pixels", jet)
	}
}
