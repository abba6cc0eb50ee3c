package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newCalibrateCmd() *cobra.Command {
	var o run.CalibrateOptions
	var folders []string
	cmd := &cobra.Command{
		Use:   "calibrate",
		Short: "Choose the decision threshold and store it in the checkpoint",
		Long: `Pick the score thresholds that "mambaad predict" (and test's galleries) use
and store them in the checkpoint (rewritten atomically, or written to --out):
one threshold per product class — normal score levels differ between classes
— and a global one for classes without their own.

  --normal PATH...   held-out normal images (files, directories, globs): each
                     class's threshold lets at most --fpr of its images be
                     flagged. The images' class is --class, else each one's
                     inferred class (the nearest class prototype of the
                     encoder's features, stored at training). With --class only
                     that class's threshold changes.
  --data DIR         a labelled test split (any dataset layout): per class the
                     threshold of the best image-level F1 (--rule f1), or the
                     one that flags at most --fpr of its normal images
                     (--rule fpr). A folder dataset (--dataset folder, or
                     --folder classes; see mambaad train --help) uses its test
                     split: test_good/ or the held-out normal images, and bad/.

predict then reports, per image, the class, the threshold it was judged by
("threshold_from": class, global or given) and the score divided by that
threshold ("normalized_score": 1.0 is the boundary on every class).`,
		Example: `  mambaad calibrate --checkpoint model.ckpt --normal ./heldout_good --fpr 0.01
  mambaad calibrate --checkpoint model.ckpt --normal ./line3_ok --class bottle --fpr 0.005
  mambaad calibrate --checkpoint model.ckpt --data ./mvtec --classes bottle
  mambaad calibrate --checkpoint model.ckpt --data ./parts --dataset folder`,
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
	f.StringVar(&o.Checkpoint, "checkpoint", "", "model checkpoint")
	f.StringVar(&o.Out, "out", "", "write the calibrated checkpoint here (default: rewrite --checkpoint)")
	f.StringSliceVar(&o.Normals, "normal", nil, "held-out normal images (files, directories, globs)")
	f.StringVar(&o.Class, "class", "", "product class of the --normal images (default: each image's class is inferred; only this class's threshold changes)")
	f.StringVar(&o.Rule, "rule", "f1", "with --data: f1 (best image F1 per class) or fpr (at most --fpr of each class's normal images flagged)")
	f.Float64Var(&o.FPR, "fpr", 0.01, "largest share of normal images that may be flagged")
	f.StringVar(&o.Data, "data", "", "labelled dataset root (its test split is used)")
	f.StringVar(&o.Dataset, "dataset", "auto", "dataset layout")
	f.StringVar(&o.Classes, "classes", "all", `"all" or a comma-separated list`)
	f.StringArrayVar(&folders, "folder", nil, "a folder-dataset class: class=NAME,normal=DIR[,abnormal=DIR][,mask=DIR][,normal_test=DIR][,test_share=F] (repeatable)")
	return cmd
}
