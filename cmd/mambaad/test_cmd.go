package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/spf13/cobra"
)

func newTestCmd() *cobra.Command {
	var ckpt, root, dataset, classes, out string
	var ec EvalConfig
	var quiet bool
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
defaults to the one the model was trained on.`,
		Example: `  mambaad test --checkpoint runs/mvtec/model.ckpt
  mambaad test --checkpoint model.ckpt --data ./mvtec --classes bottle --mode reference --out eval-ref`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ckpt == "" {
				return fmt.Errorf("give --checkpoint FILE")
			}
			m, f, err := modelio.Load(ckpt)
			if err != nil {
				return err
			}
			var di datasetInfo
			json.Unmarshal([]byte(f.Meta["dataset"]), &di)
			var enc encoderInfo
			json.Unmarshal([]byte(f.Meta["encoder"]), &enc)
			if root == "" {
				root, dataset = di.Root, di.Dataset
			}
			if root == "" {
				return fmt.Errorf("%s does not record its dataset: give --data DIR", ckpt)
			}
			if classes == "" {
				classes = di.Classes
			}
			ds, err := data.Open(dataset, root, data.Options{})
			if err != nil {
				return err
			}
			samples, err := ds.Samples(data.Test, data.SelectClasses(classes))
			if err != nil {
				return err
			}
			if len(samples) == 0 {
				return fmt.Errorf("%s: no test images for classes %q", root, classes)
			}
			if out == "" {
				out = filepath.Join(filepath.Dir(ckpt), "test")
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			info := runInfo{Command: "test", Checkpoint: ckpt, Dataset: root, Encoder: enc, Config: m.Cfg, Threshold: noThreshold}
			if th, err := predict.ParseThreshold(f.Meta[predict.MetaKey]); err != nil {
				return fmt.Errorf("%s: %w", ckpt, err)
			} else if th != nil {
				info.Threshold = th.Value
			}
			_, err = evalAndWrite(ctx, m, samples, ec, out, info, cmd.OutOrStdout(), cmd.ErrOrStderr(), quiet)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&ckpt, "checkpoint", "", "model checkpoint (from mambaad train)")
	f.StringVar(&root, "data", "", "dataset root (default: the training dataset)")
	f.StringVar(&dataset, "dataset", "auto", "dataset layout (see mambaad train --help)")
	f.StringVar(&classes, "classes", "", `"all" or a comma-separated list (default: the trained classes)`)
	f.StringVar(&out, "out", "", "output directory (default: next to the checkpoint, test/)")
	f.StringVar(&ec.Mode, "mode", "exact", "exact or reference")
	f.IntVar(&ec.ProSteps, "pro-steps", 100, "AU-PRO thresholds in reference mode")
	f.IntVar(&ec.BatchSize, "batch-size", 8, "images per forward pass")
	f.IntVar(&ec.Gallery, "gallery", 6, "most anomalous (and hardest normal) images per class shown in the report")
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}
