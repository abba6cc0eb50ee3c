package run

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/data"
)

// CalibrateOptions is `mambaad calibrate`: choose the decision thresholds
// — one per product class and a global fallback — and store them in the
// checkpoint.
type CalibrateOptions struct {
	Checkpoint string
	Out        string   // default: rewrite Checkpoint
	Normals    []string // held-out normal images (the FPR rule)
	// Class is the product class of the --normal images ("": infer each
	// image's class from the prototypes). Only that class's threshold
	// changes.
	Class string
	FPR   float64
	// Rule is how a labelled split (--data) is used: "f1" (the threshold of
	// the best image F1, the default) or "fpr" (at most FPR of its normal
	// images flagged).
	Rule string
	// Data, Dataset and Classes select a labelled test split (the F1 rule).
	Data, Dataset, Classes string
	// Folders are the classes of a "folder" dataset (--folder), relative
	// to Data or the current directory.
	Folders        []FolderConfig
	Stdout, Stderr io.Writer
}

// Validate checks the options before anything is read.
func (o *CalibrateOptions) Validate() error {
	if o.Checkpoint == "" || (len(o.Normals) == 0) == (o.Data == "" && len(o.Folders) == 0) {
		return fmt.Errorf("give --checkpoint and exactly one of --normal or --data (or --folder)")
	}
	if !(o.FPR >= 0 && o.FPR < 1) {
		return fmt.Errorf("--fpr %v must be in [0, 1)", o.FPR)
	}
	if o.Out == "" {
		o.Out = o.Checkpoint
	}
	switch o.Rule {
	case "":
		o.Rule = "f1"
	case "f1", "fpr":
	default:
		return fmt.Errorf("--rule %q: want f1 or fpr", o.Rule)
	}
	if o.Class != "" && len(o.Normals) == 0 {
		return fmt.Errorf("--class names the class of the --normal images; with --data every image's class is known")
	}
	if o.Dataset == "" {
		o.Dataset = "auto"
	}
	if o.Classes == "" {
		o.Classes = "all"
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return nil
}

// scored is one calibration image: its class, label and score.
type scored struct {
	class string
	label int
	score float64
}

// Run scores the calibration images and stores the thresholds.
func (o *CalibrateOptions) Run(ctx context.Context) error {
	d, err := detector.Load(o.Checkpoint)
	if err != nil {
		return err
	}
	if err := d.CheckClass(o.Class); err != nil {
		return err
	}
	var imgs []scored
	if len(o.Normals) > 0 {
		paths, err := predict.ExpandInputs(o.Normals)
		if err != nil {
			return err
		}
		imgs, err = scoreImages(ctx, d, paths, nil, nil, o.Class)
		if err != nil {
			return err
		}
	} else {
		ds, err := openData(o.Dataset, o.Data, o.Folders, o.Stderr)
		if err != nil {
			return err
		}
		samples, err := ds.Samples(data.Test, data.SelectClasses(o.Classes))
		if err != nil {
			return err
		}
		if len(samples) == 0 {
			return fmt.Errorf("%s: no test images%s", ds.Root(), noTestHint(ds))
		}
		var paths, classes []string
		var labels []int
		for _, s := range samples {
			paths, classes, labels = append(paths, s.Path), append(classes, s.Class), append(labels, s.Label)
		}
		if imgs, err = scoreImages(ctx, d, paths, classes, labels, ""); err != nil {
			return err
		}
	}
	rule := o.Rule
	if len(o.Normals) > 0 {
		rule = "fpr"
	}
	calib := func(set []scored) (detector.Threshold, error) {
		scores := make([]float64, len(set))
		var labels []int
		for i, s := range set {
			scores[i] = s.score
			labels = append(labels, s.label)
		}
		if rule == "f1" {
			return detector.CalibrateF1(scores, labels)
		}
		var normal []float64
		for _, s := range set {
			if s.label == 0 {
				normal = append(normal, s.score)
			}
		}
		return detector.CalibrateFPR(normal, o.FPR)
	}
	byClass := map[string][]scored{}
	var order []string
	for _, s := range imgs {
		if s.class == "" {
			continue
		}
		if _, ok := byClass[s.class]; !ok {
			order = append(order, s.class)
		}
		byClass[s.class] = append(byClass[s.class], s)
	}
	th := &d.Meta.Thresholds
	if th.Classes == nil {
		th.Classes = map[string]detector.Threshold{}
	}
	w := tabwriter.NewWriter(o.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "class\trule\tthreshold\timages\tnote")
	for _, c := range order {
		t, err := calib(byClass[c])
		if err != nil {
			return fmt.Errorf("class %s: %w", c, err)
		}
		th.Classes[c] = t
		fmt.Fprintf(w, "%s\t%s\t%.6g\t%d\t%s\n", c, t.Method, t.Value, t.Images, describe(t))
	}
	if o.Class == "" {
		g, err := calib(imgs)
		if err != nil {
			return err
		}
		th.Global = &g
		fmt.Fprintf(w, "(global)\t%s\t%.6g\t%d\t%s\n", g.Method, g.Value, g.Images, "for classes without their own")
	}
	w.Flush()
	if err := d.SaveMeta(o.Out); err != nil {
		return err
	}
	fmt.Fprintf(o.Stdout, "stored in %s\n", o.Out)
	return nil
}

func describe(t detector.Threshold) string {
	if t.Method == "f1" {
		return fmt.Sprintf("F1 %.3f on this set", t.F1)
	}
	return fmt.Sprintf("at most %.3g of normals flagged", t.FPR)
}

// scoreImages scores paths with d. classes and labels, when given, are the
// images' known classes and labels; otherwise every image is normal and of
// class class, or, when class is "", of its inferred class.
func scoreImages(ctx context.Context, d *detector.Detector, paths, classes []string, labels []int, class string) ([]scored, error) {
	index := make(map[string]int, len(paths))
	for i, p := range paths {
		index[p] = i
	}
	var out []scored
	var bad error
	_, err := predict.Run(ctx, d, paths, predict.Options{Class: class}, func(r predict.Result) {
		if r.Error != "" && bad == nil {
			bad = fmt.Errorf("%s: %s", r.Path, r.Error)
		}
		if r.Decision == nil {
			return
		}
		s := scored{class: r.Class, score: r.Score}
		if i := index[r.Path]; classes != nil {
			s.class, s.label = classes[i], labels[i]
		}
		out = append(out, s)
	})
	if err == nil {
		err = bad
	}
	return out, err
}
