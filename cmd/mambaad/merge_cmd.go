package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newMergeCmd() *cobra.Command {
	var o run.MergeOptions
	cmd := &cobra.Command{
		Use:   "merge [flags] DIR|SHARD.jsonl...",
		Short: "Join the shard files of predict --shard into one table",
		Long: `Join the result files that "mambaad predict --shard I/N --out DIR" wrote
(DIR/shard-I-of-N.jsonl) into one table sorted by path: CSV with the columns
path, class, class_confidence, score, threshold, threshold_from,
normalized_score, anomalous, heatmap, mask, error — or JSON lines.

The shards must be one complete set of one run: the same N, checkpoint and
input list, each index once, no image twice. A missing shard is an error
naming it (rerun it; --allow-missing merges what is there).`,
		Example: `  mambaad merge results/ --out scores.csv
  mambaad merge results/shard-*.jsonl --format jsonl > scores.jsonl`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			o.Stdout, o.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "", "table file (default stdout)")
	f.StringVar(&o.Format, "format", "", "csv or jsonl (default from --out's extension, else csv)")
	f.BoolVar(&o.AllowMissing, "allow-missing", false, "merge an incomplete set of shards")
	return cmd
}
