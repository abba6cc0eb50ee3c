package predict

import (
	"context"
	"fmt"
	"image"

	"github.com/mambaad/mambaad/app/detector"
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
	// Size and Crop are the preprocessing: resize to Size×Size, then
	// centre-crop to Crop×Crop, which must be the model's image size.
	// 0 means the model's image size (a plain resize).
	Size, Crop int
}

// batchPixels bounds the decoded input pixels a batch holds from scoring
// to drawing: a batch ends early when it reaches this many, so a batch of
// huge images is never all in memory at once (a 100-megapixel input forms
// a batch of its own).
const batchPixels = 32 << 20

// Run scores paths with m and calls emit for each, in order. A file that
// cannot be read gives a Result with Error set; Run goes on with the rest
// and returns the number of such failures.
//
// The heat map and the mask of an image are written at the image's own
// resolution (see WriteImages).
func Run(ctx context.Context, m *model.MambaAD, paths []string, o Options, emit func(Result)) (failed int, err error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	s := m.Cfg.ImageSize
	if o.Crop == 0 {
		o.Crop = s
	}
	if o.Size == 0 {
		o.Size = o.Crop
	}
	if o.Crop != s {
		return 0, fmt.Errorf("predict: crop %d differs from the model's image size %d", o.Crop, s)
	}
	m.SetTrain(false, 0)
	names := outputNames(paths)
	for next := 0; next < len(paths); {
		if err := ctx.Err(); err != nil {
			return failed, err
		}
		var ok []int
		var pics []image.Image
		var imgs []float32
		for pixels := 0; next < len(paths) && len(ok) < o.BatchSize && pixels < batchPixels; next++ {
			pic, err := imageio.DecodeFile(paths[next])
			if err != nil {
				failed++
				emit(Result{Path: paths[next], Error: err.Error()})
				continue
			}
			ok = append(ok, next)
			imgs = append(imgs, data.ImageTensor(pic, o.Size, o.Crop)...)
			if o.OutDir != "" {
				pics = append(pics, pic)
				pixels += pic.Bounds().Dx() * pic.Bounds().Dy()
			}
		}
		if len(ok) == 0 {
			continue
		}
		p := m.Predict(imgs, len(ok))
		for j, i := range ok {
			r := verdict(paths[i], p.Scores[j], o.Threshold)
			if o.OutDir != "" {
				if err := WriteImages(&r, names[i], pics[j], p.Map(j), o); err != nil {
					return failed, err
				}
				pics[j] = nil
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
