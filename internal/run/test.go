package run

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/kernels/gemm"
	"gopkg.in/yaml.v3"
)

// TestOptions is `mambaad test`: evaluate a checkpoint on a test split.
type TestOptions struct {
	Checkpoint string
	// Data, Dataset and Classes select the test split; empty values take
	// what the checkpoint was trained on.
	Data, Dataset, Classes string
	// Folders are the classes of a "folder" dataset (--folder), relative
	// to Data or the current directory.
	Folders []FolderConfig
	Out     string // default: next to the checkpoint, test/
	Eval    EvalConfig
	SkipBad bool
	Workers int
	Quiet   bool
	// Precision is fp32 (default) or bf16 (see model.SetPrecision).
	Precision      string
	Stdout, Stderr io.Writer

	prec gemm.Precision
}

// Validate checks the options before anything is read.
func (o *TestOptions) Validate() error {
	if o.Checkpoint == "" {
		return fmt.Errorf("give --checkpoint FILE")
	}
	if _, err := o.Eval.metricsOptions(); err != nil {
		return err
	}
	var err error
	if o.prec, err = ParsePrecision(o.Precision); err != nil {
		return err
	}
	if o.Dataset == "" {
		o.Dataset = "auto"
	}
	if o.Out == "" {
		o.Out = filepath.Join(filepath.Dir(o.Checkpoint), "test")
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return nil
}

// Run evaluates and writes the tables and the report into Out.
func (o *TestOptions) Run(ctx context.Context) error {
	d, err := detector.Load(o.Checkpoint)
	if err != nil {
		return err
	}
	if err := setPrecision(d.Model, o.prec, o.Stderr); err != nil {
		return err
	}
	root, dataset, classes, folders := o.Data, o.Dataset, o.Classes, o.Folders
	if root == "" && len(folders) == 0 {
		root, dataset = d.Meta.Dataset.Root, d.Meta.Dataset.Dataset
		folders = folderConfigs(d.Meta.Dataset.Folders)
	}
	if root == "" && len(folders) == 0 {
		return fmt.Errorf("%s does not record its dataset: give --data DIR", o.Checkpoint)
	}
	if classes == "" {
		classes = d.Meta.Dataset.Classes
	}
	ds, err := openData(dataset, root, folders, o.Stderr)
	if err != nil {
		return err
	}
	samples, err := ds.Samples(data.Test, data.SelectClasses(classes))
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		return fmt.Errorf("%s: no test images for classes %q%s", ds.Root(), classes, noTestHint(ds))
	}
	info := runInfo{Command: "test", Checkpoint: o.Checkpoint, Dataset: ds.Root(), Encoder: d.Meta.Encoder,
		Config: d.Meta.RunConfig, Threshold: noThreshold, Thresholds: d.Meta.Thresholds}
	if info.Config == "" {
		b, _ := yaml.Marshal(d.Model.Cfg)
		info.Config = "model:\n" + indent(string(b))
	}
	if g := d.Meta.Thresholds.Global; g != nil {
		info.Threshold = g.Value
	}
	es := evalSettings{EvalConfig: o.Eval, SkipBad: o.SkipBad, Workers: o.Workers}
	_, err = evalAndWrite(ctx, d, samples, es, o.Out, info, o.Stdout, o.Stderr, o.Quiet)
	return err
}

// noTestHint explains an empty test split of a folder dataset.
func noTestHint(ds data.Dataset) string {
	if ds.Name() != "folder" {
		return ""
	}
	return " (a folder class of normal images only has no test split: add bad/ or test_good/, or a test_share)"
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = "  " + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

func defaultWriters(ws ...*io.Writer) {
	for _, w := range ws {
		if *w == nil {
			*w = io.Discard
		}
	}
}
