package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newBenchCmd() *cobra.Command {
	var o run.BenchOptions
	cmd := &cobra.Command{
		Use:       "bench [kernels|model|metrics|all]...",
		Short:     "Measure the kernels, the model and the metrics on this machine",
		ValidArgs: []string{"kernels", "model", "metrics", "all"},
		Long: `Measure, in one run: the machine's fp32 peak (an FMA loop on all threads),
then the chosen sections:

  kernels  SGEMM (1024³ and the MambaAD shapes, with gonum's for scale), 3×3
           conv2d forward, 7×7 depthwise conv, selective scan forward and
           backward (state updates per second);
  model    the 256×256 ResNet34 model: inference images/s at batch 1 and 8,
           a batch-8 training step, and each workload's peak memory (measured
           in a child process running only that workload);
  metrics  all seven metrics on an MVTec-sized synthetic test set.

Each figure is the median of several runs; FLOP rates also show the fraction
of the measured peak. --json prints one JSON object {"peak_gflops",
"results": [{"name", "value", "unit", "peak_fraction"}], …}.`,
		Example: `  mambaad bench kernels
  mambaad bench all --json > bench.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Sections = args
			o.Stdout, o.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object")
	cmd.Flags().StringVar(&o.Probe, "rss-probe", "", "internal: run one model workload and print its peak memory")
	cmd.Flags().MarkHidden("rss-probe")
	return cmd
}
