package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/format/checkpoint"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/model"
	"github.com/spf13/cobra"
)

func newCalibrateCmd() *cobra.Command {
	var ckpt, out, root, dataset, classes string
	var fpr float64
	var normals []string
	cmd := &cobra.Command{
		Use:   "calibrate",
		Short: "Choose the decision threshold and store it in the checkpoint",
		Long: `Pick the score threshold that "mambaad predict" uses and store it in the
checkpoint (rewritten atomically, or written to --out):

  --normal PATH...   held-out normal images (files, directories, globs): the
                     threshold lets at most --fpr of them be flagged;
  --data DIR         a labelled test split (any dataset layout): the threshold
                     that maximises the image-level F1.`,
		Example: `  mambaad calibrate --checkpoint model.ckpt --normal ./heldout_good --fpr 0.01
  mambaad calibrate --checkpoint model.ckpt --data ./mvtec --classes bottle`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ckpt == "" || (len(normals) == 0) == (root == "") {
				return fmt.Errorf("give --checkpoint and exactly one of --normal or --data")
			}
			m, _, err := modelio.Load(ckpt)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var th predict.Threshold
			if len(normals) > 0 {
				th, err = calibrateFPR(ctx, m, normals, fpr)
			} else {
				th, err = calibrateF1(ctx, m, root, dataset, classes)
			}
			if err != nil {
				return err
			}
			if out == "" {
				out = ckpt
			}
			if err := storeThreshold(ckpt, out, th); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "threshold %.6g (%s on %d images) stored in %s\n", th.Value, th.Method, th.Images, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&ckpt, "checkpoint", "", "model checkpoint")
	f.StringVar(&out, "out", "", "write the calibrated checkpoint here (default: rewrite --checkpoint)")
	f.StringSliceVar(&normals, "normal", nil, "held-out normal images (files, directories, globs)")
	f.Float64Var(&fpr, "fpr", 0.01, "largest share of normal images that may be flagged")
	f.StringVar(&root, "data", "", "labelled dataset root (its test split is used)")
	f.StringVar(&dataset, "dataset", "auto", "dataset layout")
	f.StringVar(&classes, "classes", "all", `"all" or a comma-separated list`)
	return cmd
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

func calibrateFPR(ctx context.Context, m *model.MambaAD, args []string, fpr float64) (predict.Threshold, error) {
	paths, err := predict.ExpandInputs(args)
	if err != nil {
		return predict.Threshold{}, err
	}
	scores, err := scorePaths(ctx, m, paths)
	if err != nil {
		return predict.Threshold{}, err
	}
	return predict.CalibrateFPR(scores, fpr)
}

func calibrateF1(ctx context.Context, m *model.MambaAD, root, dataset, classes string) (predict.Threshold, error) {
	ds, err := data.Open(dataset, root, data.Options{})
	if err != nil {
		return predict.Threshold{}, err
	}
	samples, err := ds.Samples(data.Test, data.SelectClasses(classes))
	if err != nil {
		return predict.Threshold{}, err
	}
	var paths []string
	var labels []int
	for _, s := range samples {
		paths = append(paths, s.Path)
		labels = append(labels, s.Label)
	}
	if len(paths) == 0 {
		return predict.Threshold{}, fmt.Errorf("%s: no test images", root)
	}
	scores, err := scorePaths(ctx, m, paths)
	if err != nil {
		return predict.Threshold{}, err
	}
	return predict.CalibrateF1(scores, labels)
}

// storeThreshold copies checkpoint src to dst (atomically) with the
// threshold in its metadata; every tensor and other entry is kept.
func storeThreshold(src, dst string, th predict.Threshold) error {
	f, err := checkpoint.Load(src)
	if err != nil {
		return err
	}
	meta := map[string]string{}
	for k, v := range f.Meta {
		meta[k] = v
	}
	meta[predict.MetaKey] = th.JSON()
	return checkpoint.Save(dst, f.Tensors, meta)
}
