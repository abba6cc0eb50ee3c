package run

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/mambaad/mambaad/app/evaluate"
	"github.com/mambaad/mambaad/app/report"
	"github.com/mambaad/mambaad/data/imageio"
)

// writeReport writes the curves (curves.png and curves_<class>.png), the
// heat-map galleries (gallery_<class>.png) and report.html into dir.
func writeReport(res *evaluate.Result, dir string, info runInfo) error {
	var all []report.Curves
	var sections []report.ClassSection
	for i := range res.Classes {
		c := &res.Classes[i]
		c.Curves.Result = &res.Table.Classes[i]
		all = append(all, c.Curves)
		sec, err := classSection(c, res.Size, dir, info.Threshold)
		if err != nil {
			return err
		}
		sections = append(sections, sec)
	}
	combined, err := report.RenderCombined(all, 1400, 1000)
	if err != nil {
		return err
	}
	if err := report.SavePNG(filepath.Join(dir, "curves.png"), combined); err != nil {
		return err
	}
	r := report.Report{
		Title:   "MambaAD evaluation",
		Run:     reportRunInfo(info),
		Table:   res.Table,
		Figures: []report.Figure{{Caption: "All classes: image ROC, pixel ROC, pixel PR and PRO curves", Img: combined}},
		Classes: sections,
	}
	return report.WriteHTML(filepath.Join(dir, "report.html"), r)
}

// reportRunInfo is the report's run table: the command as typed
// ("mambaad demo" when the demo ran), and the run's configuration as rows
// named like config.yaml's keys. A test run shows the configuration of the
// training run that made the checkpoint, and says so.
func reportRunInfo(info runInfo) report.RunInfo {
	ri := report.RunInfo{Command: "mambaad " + info.Command, Config: info.Config,
		Checkpoint: info.Checkpoint, Dataset: info.Dataset, Date: time.Now(), Machine: report.Machine(),
		Extra: []report.Field{{Name: "encoder", Value: info.Encoder.String()}}}
	if info.Command == "test" {
		ri.ConfigLabel = "training configuration of the checkpoint (config.yaml)"
	}
	return ri
}

// classSection renders a class's curves and gallery (also saved as PNGs).
func classSection(c *evaluate.ClassResult, size int, dir string, thr float64) (report.ClassSection, error) {
	name := c.Metrics.Class
	sec := report.ClassSection{Name: name}
	img, err := report.RenderClass(c.Curves, 1000, 800)
	if err != nil {
		return sec, err
	}
	if err := report.SavePNG(filepath.Join(dir, "curves_"+fileSafe(name)+".png"), img); err != nil {
		return sec, err
	}
	sec.Figures = append(sec.Figures, report.Figure{Caption: name + ": curves", Img: img})
	if len(c.Kept) == 0 {
		return sec, nil
	}
	var items []report.GalleryItem
	var maps [][]float32
	for _, k := range c.Kept {
		maps = append(maps, k.Map)
	}
	lo, hi := report.Range(maps...)
	for _, k := range c.Kept {
		pic, err := imageio.DecodeFile(k.Sample.Path)
		if err != nil {
			return sec, err
		}
		items = append(items, report.GalleryItem{Name: k.Sample.Defect + "/" + filepath.Base(k.Sample.Path), Img: pic, Map: k.Map, Mask: k.Mask, Score: k.Score})
	}
	g, err := report.ClassGallery(items, report.TileOptions{W: size, H: size, Lo: lo, Hi: hi, Threshold: thr, Size: min(size, 192)})
	if err != nil {
		return sec, err
	}
	if err := report.SavePNG(filepath.Join(dir, "gallery_"+fileSafe(name)+".png"), g); err != nil {
		return sec, err
	}
	caption := fmt.Sprintf("%s: the %d most anomalous test images and the highest-scoring normal ones", name, len(c.Kept))
	sec.Figures = append(sec.Figures, report.Figure{Caption: caption, Img: g, Photo: true})
	return sec, nil
}

// fileSafe turns a class name into a file-name fragment.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}

// noThreshold draws no predicted outline in galleries.
var noThreshold = math.NaN()
