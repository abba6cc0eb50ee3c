package predict

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/report"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/imageio"
	"github.com/mambaad/mambaad/model"
)

// Result is one image's outcome, printed as a JSON line.
type Result struct {
	Path      string   `json:"path"`
	Score     *float64 `json:"score,omitempty"`     // nil when the image could not be read
	Anomalous *bool    `json:"anomalous,omitempty"` // nil without a threshold
	Threshold *float64 `json:"threshold,omitempty"`
	Heatmap   string   `json:"heatmap,omitempty"` // overlay PNG
	Mask      string   `json:"mask,omitempty"`    // binary mask PNG (needs a threshold)
	Error     string   `json:"error,omitempty"`
}

// Options control a prediction run.
type Options struct {
	Threshold *detector.Threshold // nil: scores only
	OutDir    string              // "" writes no images
	BatchSize int                 // 0 = 8
	// Lo and Hi fix the heat-map colour scale; both 0 scale each map from
	// its own minimum to max(its maximum, the threshold).
	Lo, Hi float32
}

// Run scores paths with m and calls emit for each, in order. A file that
// cannot be read gives a Result with Error set; Run goes on with the rest
// and returns the number of such failures.
func Run(ctx context.Context, m *model.MambaAD, paths []string, o Options, emit func(Result)) (failed int, err error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	m.SetTrain(false, 0)
	s := m.Cfg.ImageSize
	names := outputNames(paths)
	for lo := 0; lo < len(paths); lo += o.BatchSize {
		if err := ctx.Err(); err != nil {
			return failed, err
		}
		hi := min(lo+o.BatchSize, len(paths))
		var ok []int
		imgs := make([]float32, 0, (hi-lo)*3*s*s)
		for i := lo; i < hi; i++ {
			x, err := data.LoadImage(paths[i], s, s)
			if err != nil {
				failed++
				emit(Result{Path: paths[i], Error: err.Error()})
				continue
			}
			ok = append(ok, i)
			imgs = append(imgs, x...)
		}
		if len(ok) == 0 {
			continue
		}
		p := m.Predict(imgs, len(ok))
		for j, i := range ok {
			r := verdict(paths[i], p.Scores[j], o.Threshold)
			if o.OutDir != "" {
				if err := writeImages(&r, names[i], p.Map(j), s, o); err != nil {
					return failed, err
				}
			}
			emit(r)
		}
	}
	return failed, nil
}

func verdict(path string, score float64, th *detector.Threshold) Result {
	r := Result{Path: path, Score: &score}
	if th != nil {
		a := score >= th.Value
		v := th.Value
		r.Anomalous, r.Threshold = &a, &v
	}
	return r
}

// writeImages saves the heat-map overlay and, with a threshold, the mask.
func writeImages(r *Result, name string, amap []float32, s int, o Options) error {
	src, err := imageio.DecodeFile(r.Path)
	if err != nil {
		return err
	}
	lo, hi := o.Lo, o.Hi
	if lo == 0 && hi == 0 {
		lo, hi = report.Range(amap)
		if o.Threshold != nil {
			hi = max(hi, float32(o.Threshold.Value))
		}
	}
	r.Heatmap = filepath.Join(o.OutDir, name+"_heatmap.png")
	if err := report.SavePNG(r.Heatmap, report.Overlay(src, amap, s, s, lo, hi)); err != nil {
		return err
	}
	if o.Threshold == nil {
		return nil
	}
	mask := make([]uint8, len(amap))
	for i, v := range amap {
		if float64(v) >= o.Threshold.Value {
			mask[i] = 1
		}
	}
	r.Mask = filepath.Join(o.OutDir, name+"_mask.png")
	if err := report.SavePNG(r.Mask, report.MaskPNG(mask, s, s)); err != nil {
		return fmt.Errorf("%s: %w", r.Mask, err)
	}
	return nil
}
