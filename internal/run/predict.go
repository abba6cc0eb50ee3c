package run

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/predict"
)

// PredictOptions is `mambaad predict`: score images, one JSON line each.
type PredictOptions struct {
	Checkpoint string
	Inputs     []string // files, directories, glob patterns
	Out        string   // heat maps and masks; "" with NoImages
	NoImages   bool
	// Class is the product class of every input ("": infer each image's).
	Class string
	// Threshold overrides the checkpoint's when HasThreshold.
	Threshold      float64
	HasThreshold   bool
	BatchSize      int
	Stdout, Stderr io.Writer
}

// Validate checks the options before anything is read.
func (o *PredictOptions) Validate() error {
	if o.Checkpoint == "" {
		return fmt.Errorf("give --checkpoint FILE")
	}
	if len(o.Inputs) == 0 {
		return fmt.Errorf("give the images to score (files, directories or glob patterns)")
	}
	if !o.NoImages && o.Out == "" {
		return fmt.Errorf("give --out DIR for the heat maps and masks (or --no-images)")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return nil
}

// Run scores the inputs. Unreadable images give an error line each and make
// Run fail after the others are done.
func (o *PredictOptions) Run(ctx context.Context) error {
	paths, err := predict.ExpandInputs(o.Inputs)
	if err != nil {
		return err
	}
	d, err := detector.Load(o.Checkpoint)
	if err != nil {
		return err
	}
	if err := d.CheckClass(o.Class); err != nil {
		return err
	}
	po := predict.Options{Class: o.Class, BatchSize: o.BatchSize}
	if o.HasThreshold {
		po.Threshold = &o.Threshold
	} else if d.Meta.Thresholds.Empty() {
		fmt.Fprintln(o.Stderr, "note: no threshold (give --threshold or run mambaad calibrate): printing scores only")
	}
	if !o.NoImages {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return err
		}
		po.OutDir = o.Out
	}
	enc := json.NewEncoder(o.Stdout)
	failed, err := predict.Run(ctx, d, paths, po, func(r predict.Result) { enc.Encode(r) })
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images could not be read (see the error lines)", failed, len(paths))
	}
	return nil
}
