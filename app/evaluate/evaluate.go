// Package evaluate runs a trained MambaAD over a labelled test set and
// measures it: the seven metrics per class and their mean (package metrics),
// every image's score, and the most telling anomaly maps for the report.
// Classes are evaluated one after another so only one class's pixels are
// held for the metrics at a time.
package evaluate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/report"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/metrics"
)

// Options control an evaluation.
type Options struct {
	Metrics   metrics.Options
	BatchSize int // images per forward pass (0 = 8)
	Workers   int // decoding goroutines (0 = loader default)
	SkipBad   bool
	Warn      func(s data.Sample, err error)
	// Keep is how many maps per class to keep for the report (the most
	// anomalous images and as many normal ones); 0 keeps none.
	Keep int
	// Progress is told how many images are done (may be nil).
	Progress func(done, total int)
}

// ImageResult is one test image's outcome.
type ImageResult struct {
	Sample data.Sample
	Score  float64
}

// Kept is an anomaly map retained for the report.
type Kept struct {
	ImageResult
	Map  []float32 // Size×Size
	Mask []uint8   // Size×Size, nil for a normal image
}

// ClassResult is everything measured for one class.
type ClassResult struct {
	Metrics metrics.Result
	Images  []ImageResult
	Kept    []Kept
	// Curves are the image ROC and pixel ROC/PR curves for plotting, and the
	// exact PRO curve (up to the first point past the FPR limit).
	Curves report.Curves
}

// Result is the outcome of a whole evaluation.
type Result struct {
	Table   *metrics.Table
	Classes []ClassResult
	Size    int
}

// Run evaluates d on samples (a test split, any number of classes).
func Run(ctx context.Context, d *detector.Detector, samples []data.Sample, o Options) (*Result, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("evaluate: no test images")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	res := &Result{Size: d.Model.Cfg.ImageSize}
	done := 0
	var rows []metrics.Result
	for _, cls := range classOrder(samples) {
		cr, err := runClass(ctx, d, cls, o, func(n int) {
			done += n
			if o.Progress != nil {
				o.Progress(done, len(samples))
			}
		})
		if err != nil {
			return nil, err
		}
		res.Classes = append(res.Classes, *cr)
		rows = append(rows, cr.Metrics)
	}
	t, err := metrics.NewTable(o.Metrics, rows)
	if err != nil {
		return nil, err
	}
	res.Table = t
	return res, nil
}

// classOrder groups samples by class, keeping first-appearance order.
func classOrder(samples []data.Sample) [][]data.Sample {
	idx := map[string]int{}
	var out [][]data.Sample
	for _, s := range samples {
		i, ok := idx[s.Class]
		if !ok {
			i = len(out)
			idx[s.Class] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], s)
	}
	return out
}

func runClass(ctx context.Context, d *detector.Detector, samples []data.Sample, o Options, progress func(int)) (*ClassResult, error) {
	name := samples[0].Class
	mc, err := metrics.NewClass(name, o.Metrics)
	if err != nil {
		return nil, err
	}
	s := d.Model.Cfg.ImageSize
	l, err := data.NewLoader(samples, data.LoaderConfig{Size: s, BatchSize: o.BatchSize, Masks: true,
		Workers: o.Workers, SkipBad: o.SkipBad, Warn: o.Warn})
	if err != nil {
		return nil, err
	}
	cr := &ClassResult{}
	keep := newKeeper(o.Keep)
	curves := report.NewCurveBuilder(name)
	it := l.Epoch(ctx, 0)
	defer it.Close()
	for {
		b, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		p := d.Predict(b.Images, b.Len())
		for i, smp := range b.Samples {
			mask := b.Masks[i*s*s : (i+1)*s*s]
			if smp.Label == 0 {
				mask = nil
			}
			anomalous := smp.Label != 0
			if err := mc.Add(metrics.Image{Name: smp.Path, H: s, W: s, Map: p.Map(i), Mask: mask, Anomalous: &anomalous}); err != nil {
				return nil, err
			}
			if err := curves.Add(p.Scores[i], p.Map(i), mask); err != nil {
				return nil, err
			}
			ir := ImageResult{Sample: smp, Score: p.Scores[i]}
			cr.Images = append(cr.Images, ir)
			keep.offer(ir, p.Map(i), mask)
		}
		progress(b.Len())
	}
	if cr.Metrics, err = mc.Compute(); err != nil {
		return nil, fmt.Errorf("evaluate: class %s: %w", name, err)
	}
	if cr.Curves, err = curves.Curves(); err != nil {
		return nil, err
	}
	maxFPR := o.Metrics.MaxFPR
	if maxFPR == 0 {
		maxFPR = metrics.DefaultMaxFPR
	}
	if fpr, pro, err := mc.ProCurve(); err == nil { // undefined (no regions): no curve
		cr.Curves.PRO = report.PROCurve(fpr, pro, maxFPR)
	}
	cr.Curves.MaxFPR = maxFPR
	cr.Kept = keep.result()
	return cr, nil
}

// keeper retains the n highest-scoring anomalous images and the n
// highest-scoring normal ones (the hardest normals), copying their maps.
type keeper struct {
	n            int
	anom, normal []Kept
}

func newKeeper(n int) *keeper { return &keeper{n: n} }

func (k *keeper) offer(ir ImageResult, amap []float32, mask []uint8) {
	if k.n == 0 {
		return
	}
	list := &k.normal
	if ir.Sample.Label != 0 {
		list = &k.anom
	}
	if len(*list) == k.n && (*list)[k.n-1].Score >= ir.Score {
		return
	}
	kp := Kept{ImageResult: ir, Map: slices.Clone(amap)}
	if mask != nil {
		kp.Mask = slices.Clone(mask)
	}
	*list = append(*list, kp)
	slices.SortStableFunc(*list, func(a, b Kept) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if len(*list) > k.n {
		*list = (*list)[:k.n]
	}
}

func (k *keeper) result() []Kept { return append(k.anom, k.normal...) }
