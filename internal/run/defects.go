package run

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/evaluate"
	"github.com/mambaad/mambaad/metrics"
)

// defectRow measures one defect type of one class at image level: its
// images against all of the class's normal test images.
type defectRow struct {
	Class, Defect string
	Images        int
	detection     metrics.Detection
	// Flagged is the share of its images at or above the class's
	// threshold (NaN without a threshold).
	Flagged float64
}

// defectRows breaks every class's image-level results down by defect type
// (scores.csv's "defect" column), so that a user sees which kinds of
// defect are missed.
func defectRows(res *evaluate.Result, th detector.Thresholds) ([]defectRow, error) {
	var rows []defectRow
	for _, c := range res.Classes {
		var normal []float64
		var types []string
		byType := map[string][]float64{}
		for _, im := range c.Images {
			if im.Sample.Label == 0 {
				normal = append(normal, im.Score)
				continue
			}
			d := im.Sample.Defect
			if _, ok := byType[d]; !ok {
				types = append(types, d)
			}
			byType[d] = append(byType[d], im.Score)
		}
		t, _ := th.For(c.Metrics.Class)
		for _, d := range types {
			bad := byType[d]
			scores := append(append([]float64(nil), normal...), bad...)
			labels := make([]bool, len(scores))
			for i := len(normal); i < len(labels); i++ {
				labels[i] = true
			}
			det, err := metrics.Scores(scores, labels)
			if err != nil {
				return nil, fmt.Errorf("class %s, defect %s: %w", c.Metrics.Class, d, err)
			}
			r := defectRow{Class: c.Metrics.Class, Defect: d, Images: len(bad), detection: det, Flagged: math.NaN()}
			if t != nil {
				n := 0
				for _, s := range bad {
					if s >= t.Value {
						n++
					}
				}
				r.Flagged = float64(n) / float64(len(bad))
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64)
}

func writeDefectsMarkdown(w io.Writer, rows []defectRow) error {
	var b strings.Builder
	b.WriteString("Per defect type, image level (its images against the class's normal test images), in %:\n\n")
	b.WriteString("| class | defect | images | I-AUROC | I-AP | I-F1max | flagged at threshold |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s |\n", r.Class, r.Defect, r.Images,
			pct(r.detection.AUROC), pct(r.detection.AP), pct(r.detection.F1Max), pct(r.Flagged))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeDefectsCSV(w io.Writer, rows []defectRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"class", "defect", "images", "i_auroc", "i_ap", "i_f1max", "flagged"})
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for _, r := range rows {
		cw.Write([]string{r.Class, r.Defect, strconv.Itoa(r.Images), f(r.detection.AUROC), f(r.detection.AP), f(r.detection.F1Max), f(r.Flagged)})
	}
	cw.Flush()
	return cw.Error()
}
