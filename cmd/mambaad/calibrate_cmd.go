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
		Long: `Pick the score threshold that "mambaad predict" uses and store it in the
checkpoint (rewritten atomically, or written to --out):

  --normal PATH...   held-out normal images (files, directories, globs): the
                     threshold lets at most --fpr of them be flagged;
  --data DIR         a labelled test split (any dataset layout): the threshold
                     that maximises the image-level F1. A folder dataset
                     (--dataset folder, or --folder classes; see mambaad train
                     --help) uses its test split: test_good/ or the held-out
                     normal images, and bad/.`,
		Example: `  mambaad calibrate --checkpoint model.ckpt --normal ./heldout_good --fpr 0.01
  mambaad calibrate --checkpoint model.ckpt --data ./mvtec --classes bottle
  mambaad calibrate --checkpoint model.ckpt --data ./parts --dataset folder`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Stdout, o.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			var err error
			if o.Folders, err = run.ParseFolderFlags(folders); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Checkpoint, "checkpoint", "", "model checkpoint")
	f.StringVar(&o.Out, "out", "", "write the calibrated checkpoint here (default: rewrite --checkpoint)")
	f.StringSliceVar(&o.Normals, "normal", nil, "held-out normal images (files, directories, globs)")
	f.Float64Var(&o.FPR, "fpr", 0.01, "largest share of normal images that may be flagged")
	f.StringVar(&o.Data, "data", "", "labelled dataset root (its test split is used)")
	f.StringVar(&o.Dataset, "dataset", "auto", "dataset layout")
	f.StringVar(&o.Classes, "classes", "all", `"all" or a comma-separated list`)
	f.StringArrayVar(&folders, "folder", nil, "a folder-dataset class: class=NAME,normal=DIR[,abnormal=DIR][,mask=DIR][,normal_test=DIR][,test_share=F] (repeatable)")
	return cmd
}
