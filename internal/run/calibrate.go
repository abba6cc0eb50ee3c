package run

import (
	"context"
	"fmt"
	"io"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/model"
)

// CalibrateOptions is `mambaad calibrate`: choose the decision threshold
// and store it in the checkpoint.
type CalibrateOptions struct {
	Checkpoint string
	Out        string   // default: rewrite Checkpoint
	Normals    []string // held-out normal images (the FPR rule)
	FPR        float64
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
	if o.Dataset == "" {
		o.Dataset = "auto"
	}
	if o.Classes == "" {
		o.Classes = "all"
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return nil
}

// Run scores the calibration images and stores the threshold.
func (o *CalibrateOptions) Run(ctx context.Context) error {
	d, err := detector.Load(o.Checkpoint)
	if err != nil {
		return err
	}
	var th detector.Threshold
	if len(o.Normals) > 0 {
		th, err = calibrateFPR(ctx, d.Model, o.Normals, o.FPR)
	} else {
		th, err = calibrateF1(ctx, d.Model, o.Data, o.Dataset, o.Classes, o.Folders, o.Stderr)
	}
	if err != nil {
		return err
	}
	d.Meta.Thresholds.Global = &th
	if err := d.SaveMeta(o.Out); err != nil {
		return err
	}
	fmt.Fprintf(o.Stdout, "threshold %.6g (%s on %d images) stored in %s\n", th.Value, th.Method, th.Images, o.Out)
	return nil
}

func scorePaths(ctx context.Context, m *model.MambaAD, paths []string) ([]float64, error) {
	var scores []float64
	var bad error
	_, err := predict.Run(ctx, m, paths, predict.Options{}, func(r predict.Result) {
		if r.Error != "" && bad == nil {
			bad = fmt.Errorf("%s: %s", r.Path, r.Error)
		}
		if r.Score != nil {
			scores = append(scores, *r.Score)
		}
	})
	if err == nil {
		err = bad
	}
	return scores, err
}

func calibrateFPR(ctx context.Context, m *model.MambaAD, args []string, fpr float64) (detector.Threshold, error) {
	paths, err := predict.ExpandInputs(args)
	if err != nil {
		return detector.Threshold{}, err
	}
	scores, err := scorePaths(ctx, m, paths)
	if err != nil {
		return detector.Threshold{}, err
	}
	return detector.CalibrateFPR(scores, fpr)
}

func calibrateF1(ctx context.Context, m *model.MambaAD, root, dataset, classes string, folders []FolderConfig, notes io.Writer) (detector.Threshold, error) {
	ds, err := openData(dataset, root, folders, notes)
	if err != nil {
		return detector.Threshold{}, err
	}
	samples, err := ds.Samples(data.Test, data.SelectClasses(classes))
	if err != nil {
		return detector.Threshold{}, err
	}
	var paths []string
	var labels []int
	for _, s := range samples {
		paths = append(paths, s.Path)
		labels = append(labels, s.Label)
	}
	if len(paths) == 0 {
		return detector.Threshold{}, fmt.Errorf("%s: no test images%s", ds.Root(), noTestHint(ds))
	}
	scores, err := scorePaths(ctx, m, paths)
	if err != nil {
		return detector.Threshold{}, err
	}
	return detector.CalibrateF1(scores, labels)
}
