package predict

import (
	"context"
	"fmt"
	"image"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/imageio"
)

// Result is one image's outcome, printed as a JSON line: the path, the
// detector's decision (class, score, threshold, normalised score, verdict)
// and the files written. Score is absent when the image could not be read
// (Error says why); the verdict is absent without a threshold.
type Result struct {
	Path string `json:"path"`
	*detector.Decision
	Heatmap string `json:"heatmap,omitempty"` // overlay PNG
	Mask    string `json:"mask,omitempty"`    // binary mask PNG (needs a threshold)
	Error   string `json:"error,omitempty"`
}

// Threshold is the decision threshold of the result (nil: none).
func (r *Result) Threshold() *float64 {
	if r.Decision == nil {
		return nil
	}
	return r.Decision.Threshold
}

// Options control a prediction run.
type Options struct {
	// Class is the product class of every image ("": infer each image's
	// class when the detector has prototypes).
	Class string
	// Threshold overrides the calibrated thresholds (nil: use them).
	Threshold *float64
	OutDir    string // "" writes no images
	BatchSize int    // 0 = 8
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
func Run(ctx context.Context, d *detector.Detector, paths []string, o Options, emit func(Result)) (failed int, err error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	s := d.Model.Cfg.ImageSize
	if o.Crop == 0 {
		o.Crop = s
	}
	if o.Size == 0 {
		o.Size = o.Crop
	}
	if o.Crop != s {
		return 0, fmt.Errorf("predict: crop %d differs from the model's image size %d", o.Crop, s)
	}
	if err := d.CheckClass(o.Class); err != nil {
		return 0, err
	}
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
		p := d.Predict(imgs, len(ok))
		for j, i := range ok {
			var guess *detector.ClassGuess
			if p.Classes != nil {
				guess = &p.Classes[j]
			}
			dec := d.Decide(p.Scores[j], o.Class, guess, o.Threshold)
			r := Result{Path: paths[i], Decision: &dec}
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
