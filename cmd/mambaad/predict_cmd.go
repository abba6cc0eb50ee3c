package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/spf13/cobra"
)

func newPredictCmd() *cobra.Command {
	var ckpt, out string
	var threshold float64
	var batch int
	var noImages bool
	cmd := &cobra.Command{
		Use:   "predict [flags] FILE|DIR|GLOB...",
		Short: "Score new images: anomaly score, verdict, heat-map overlay and defect mask",
		Long: `Score images with a trained model. Each image gives one JSON line on stdout:
{"path", "score", "anomalous", "threshold", "heatmap", "mask"}.

An image is anomalous when its score (the maximum of its anomaly map) is at
least the threshold, and a pixel is marked in the mask when its map value is
at least the threshold. The threshold is --threshold, else the one stored in
the checkpoint by "mambaad calibrate"; without either, only scores and heat
maps are written. Directories are searched recursively for images; quote
glob patterns to let mambaad expand them. Unreadable images give a JSON line
with "error" and the exit status is 1 after the others are done.`,
		Example: `  mambaad predict --checkpoint runs/x/model.ckpt --out preds ./incoming
  mambaad predict --checkpoint model.ckpt --threshold 0.12 'line3/*.png' > scores.jsonl`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if ckpt == "" {
				return fmt.Errorf("give --checkpoint FILE")
			}
			paths, err := predict.ExpandInputs(args)
			if err != nil {
				return err
			}
			m, f, err := modelio.Load(ckpt)
			if err != nil {
				return err
			}
			th, err := predict.ParseThreshold(f.Meta[predict.MetaKey])
			if err != nil {
				return fmt.Errorf("%s: %w", ckpt, err)
			}
			if cmd.Flags().Changed("threshold") {
				th = &predict.Threshold{Value: threshold, Method: "given"}
			}
			if th == nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "note: no threshold (give --threshold or run mambaad calibrate): printing scores only")
			}
			o := predict.Options{Threshold: th, BatchSize: batch}
			if !noImages {
				if out == "" {
					return fmt.Errorf("give --out DIR for the heat maps and masks (or --no-images)")
				}
				if err := os.MkdirAll(out, 0o755); err != nil {
					return err
				}
				o.OutDir = out
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			enc := json.NewEncoder(cmd.OutOrStdout())
			failed, err := predict.Run(ctx, m, paths, o, func(r predict.Result) { enc.Encode(r) })
			if err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d images could not be read (see the error lines)", failed, len(paths))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&ckpt, "checkpoint", "", "model checkpoint")
	f.StringVar(&out, "out", "", "directory for <name>_heatmap.png and <name>_mask.png")
	f.Float64Var(&threshold, "threshold", 0, "decision threshold (default: the checkpoint's calibrated one)")
	f.IntVar(&batch, "batch-size", 8, "images per forward pass")
	f.BoolVar(&noImages, "no-images", false, "print scores only, write no PNGs")
	return cmd
}
