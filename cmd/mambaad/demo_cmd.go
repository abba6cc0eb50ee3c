package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var o run.DemoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate the synthetic dataset, train a small model, evaluate it and write a report",
		Long: `The whole pipeline on built-in data, in a few minutes on a laptop CPU:

  1. write the synthetic defect dataset (4 classes, MVTec layout) to OUT/data;
  2. train one small model on all classes (preset "demo": 128×128, ResNet18
     encoder, light decoder, scored with the combined method: the Mamba
     decoder's reconstruction error plus a memory bank of normal patches)
     into OUT;
  3. evaluate it and write OUT/eval/report.html with the seven metrics, curves
     and heat maps.

The encoder uses ImageNet ResNet18 weights when the weights cache has them
("mambaad weights download resnet18"); otherwise it falls back to a random
encoder, clearly labelled as such in the output and the report.`,
		Example: `  mambaad demo
  mambaad demo --out /tmp/demo --epochs 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return validateRun(cmd, &o.Stdout, &o.Stderr, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "runs/demo", "output directory (an interrupted demo resumes)")
	f.StringVar(&o.Weights, "weights", "auto", `encoder weights: "auto" (the cache, else random), a file, or "random"`)
	f.IntVar(&o.Epochs, "epochs", 0, "training epochs (default: the demo preset's)")
	f.BoolVar(&o.Quiet, "quiet", false, "no progress bars")
	return cmd
}
