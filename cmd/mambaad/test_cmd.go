package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newTestCmd() *cobra.Command {
	var o run.TestOptions
	var folders []string
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Evaluate a trained model: seven metrics per class, curves, heat maps, HTML report",
		Long: `Score every test image of the selected classes and measure image AUROC, AP and
F1-max, pixel AUROC, AP and F1-max, AU-PRO (to FPR 0.3) and their mean (mAD),
per class and averaged over classes.

--mode exact (the default) computes every metric exactly; --mode reference
reproduces the approximations of the toolkit behind the published MambaAD
tables (pixel F1-max on 21 thresholds of min–max-normalised maps, AU-PRO on
--pro-steps thresholds), for like-for-like comparison with papers.

Writes metrics.md, metrics.csv, metrics.json, scores.csv, ROC/PR/PRO curves and
heat-map galleries as PNGs, and one self-contained report.html. The dataset
defaults to the one the model was trained on (a folder dataset's --folder
classes included); --data and --folder choose another (see mambaad train --help
for folder datasets).

--precision bf16 runs the model's large products (every convolution of the
encoder and fusion block, the decoder's projections and 1×1 convolutions)
with bfloat16 operands and float32 sums, on CPUs with AVX512_BF16 (Zen 4,
Sapphire Rapids and later); norms, the selective scan and the anomaly map stay
float32. On a trained model scores move by 0.1–0.3 % (median) and metrics by
under a point, a few images much more (see README, Precision). Without
AVX512_BF16 it says so once on stderr and runs fp32. fp32 is the default and
the reference.`,
		Example: `  mambaad test --checkpoint runs/mvtec/model.ckpt
  mambaad test --checkpoint model.ckpt --data ./mvtec --classes bottle --mode reference --out eval-ref
  mambaad test --checkpoint model.ckpt --data ./parts --dataset folder   # parts/good, parts/bad, parts/masks`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Folders, err = run.ParseFolderFlags(folders); err != nil {
				return err
			}
			return validateRun(cmd, &o.Stdout, &o.Stderr, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Checkpoint, "checkpoint", "", "model checkpoint (from mambaad train)")
	f.StringVar(&o.Data, "data", "", "dataset root (default: the training dataset)")
	f.StringVar(&o.Dataset, "dataset", "auto", "dataset layout (see mambaad train --help)")
	f.StringVar(&o.Classes, "classes", "", `"all" or a comma-separated list (default: the trained classes)`)
	f.StringArrayVar(&folders, "folder", nil, "a folder-dataset class: class=NAME,normal=DIR[,abnormal=DIR][,mask=DIR][,normal_test=DIR][,test_share=F] (repeatable)")
	f.StringVar(&o.Out, "out", "", "output directory (default: next to the checkpoint, test/)")
	f.StringVar(&o.Eval.Mode, "mode", "exact", "exact or reference")
	f.IntVar(&o.Eval.ProSteps, "pro-steps", 100, "AU-PRO thresholds in reference mode")
	f.IntVar(&o.Eval.BatchSize, "batch-size", 8, "images per forward pass")
	f.IntVar(&o.Eval.Gallery, "gallery", 6, "most anomalous (and hardest normal) images per class shown in the report")
	f.IntVar(&o.Workers, "workers", 0, "image decoding goroutines (0 = automatic)")
	f.BoolVar(&o.SkipBad, "skip-bad", false, "skip unreadable images with a warning instead of failing")
	f.BoolVar(&o.Quiet, "quiet", false, "no progress bar")
	f.StringVar(&o.Precision, "precision", "fp32", run.PrecisionHelp)
	return cmd
}
