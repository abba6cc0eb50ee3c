package main

import (
	"fmt"
	"runtime"

	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newBenchCmd() *cobra.Command {
	var o run.BenchOptions
	var threads int
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
"results": [{"name", "value", "unit", "peak_fraction"}], …}.

--breakdown (with model) adds one table per workload: the time of every
stage (encoder, fusion, decoder.0–3, anomaly_map; training: forward,
backward, loss, optimiser) split by op class (conv, projections, scan,
dwconv, norms, elementwise, layout, patchexpand, cosine, upsample, blur),
with achieved GFLOP/s and GB/s and each row's floor: its arithmetic at the
measured peak or its least memory traffic at the measured bandwidth,
whichever is longer.

--scaling times every figure on one thread and on all of them, alternating
runs, and adds a "… scaling" row with the speed-up. --threads sets how many
threads "all" is. --cpuprofile writes a pprof CPU profile of the run (go
tool pprof -top mambaad FILE).

--precision bf16 (with model) times the inference rows with bfloat16
products (see mambaad predict --help); their names end in "bf16", and the
training row stays fp32.`,
		Example: `  mambaad bench kernels
  mambaad bench all --json > bench.json
  mambaad bench model --breakdown --cpuprofile model.prof
  mambaad bench model --precision bf16
  mambaad bench kernels model --scaling --threads 2`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if threads < 0 {
				return fmt.Errorf("--threads %d: want 0 (all) or more", threads)
			}
			if threads > 0 {
				runtime.GOMAXPROCS(threads)
			}
			o.Sections = args
			return validateRun(cmd, &o.Stdout, &o.Stderr, &o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object")
	cmd.Flags().BoolVar(&o.Breakdown, "breakdown", false, "with model: time per stage and op class, with floors")
	cmd.Flags().StringVar(&o.Precision, "precision", "fp32", "with model: precision of the inference rows, fp32 or bf16 (the training row stays fp32)")
	cmd.Flags().BoolVar(&o.Scaling, "scaling", false, "time every figure on 1 thread and on all, and add the speed-ups")
	cmd.Flags().StringVar(&o.CPUProfile, "cpuprofile", "", "write a pprof CPU profile of the run to `FILE`")
	cmd.Flags().IntVar(&threads, "threads", 0, "CPU threads (0 = all)")
	cmd.Flags().StringVar(&o.Probe, "rss-probe", "", "internal: run one model workload and print its peak memory")
	cmd.Flags().MarkHidden("rss-probe")
	return cmd
}
