package run

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mambaad/mambaad/data/synth"
)

// DemoOptions is `mambaad demo`: synthetic data → train → evaluate.
type DemoOptions struct {
	Out            string
	Weights        string // encoder weights: "auto", a file, or "random"
	Epochs         int    // 0: the demo preset's
	Quiet          bool
	Stdout, Stderr io.Writer
}

// Validate checks the options before anything is written.
func (o *DemoOptions) Validate() error {
	if o.Out == "" {
		return fmt.Errorf("give --out DIR")
	}
	if o.Epochs < 0 {
		return fmt.Errorf("--epochs %d must be positive", o.Epochs)
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return nil
}

// Run writes the synthetic dataset if needed, then trains and evaluates;
// an interrupted demo resumes.
func (o *DemoOptions) Run(ctx context.Context) error {
	cfg := DemoConfig()
	cfg.Out = o.Out
	cfg.Data.Root = filepath.Join(o.Out, "data")
	cfg.Data.Dataset = "mvtec"
	if o.Weights != "" {
		cfg.Model.Weights = o.Weights
	}
	if o.Epochs > 0 {
		cfg.Train.Epochs = o.Epochs
	}
	if _, err := os.Stat(filepath.Join(o.Out, "model.ckpt")); err == nil {
		return fmt.Errorf("%s already holds a finished demo; remove it or choose another --out", o.Out)
	}
	if _, err := os.Stat(cfg.Data.Root); os.IsNotExist(err) {
		fmt.Fprintf(o.Stderr, "writing the synthetic dataset to %s\n", cfg.Data.Root)
		if err := synth.Generate(cfg.Data.Root, synth.Options{Size: cfg.Model.ImageSize, Seed: 1}); err != nil {
			return err
		}
	}
	resume := ""
	if _, err := os.Stat(filepath.Join(o.Out, "last.ckpt")); err == nil {
		resume = "last"
	}
	to := TrainOptions{Config: cfg, Resume: resume, Quiet: o.Quiet, Stdout: o.Stdout, Stderr: o.Stderr, command: "demo"}
	if err := to.Validate(); err != nil {
		return err
	}
	if err := to.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(o.Stdout, "\nOpen %s in a browser. Next:\n  mambaad predict --checkpoint %s --out %s %s\n",
		filepath.Join(o.Out, "eval", "report.html"), filepath.Join(o.Out, "model.ckpt"),
		filepath.Join(o.Out, "predictions"), filepath.Join(cfg.Data.Root, "nut", "test"))
	return nil
}
