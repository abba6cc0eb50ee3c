package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/mambaad/mambaad/app/perf"
	"github.com/mambaad/mambaad/app/report"
	"github.com/spf13/cobra"
)

func newBenchCmd() *cobra.Command {
	var asJSON bool
	var probe string
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
			if probe != "" {
				return runProbe(cmd, probe)
			}
			sections, err := benchSections(args)
			if err != nil {
				return err
			}
			r := perf.NewReport(report.Machine())
			for _, s := range sections {
				fmt.Fprintf(cmd.ErrOrStderr(), "measuring %s…\n", s)
				switch s {
				case "kernels":
					r.Kernels()
				case "model":
					if err := r.Model(probeRSS(cmd)); err != nil {
						return err
					}
				case "metrics":
					if err := r.Metrics(); err != nil {
						return err
					}
				}
			}
			if asJSON {
				return r.WriteJSON(cmd.OutOrStdout())
			}
			return r.WriteTable(cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.Flags().StringVar(&probe, "rss-probe", "", "internal: run one model workload and print its peak memory")
	cmd.Flags().MarkHidden("rss-probe")
	return cmd
}

func benchSections(args []string) ([]string, error) {
	if len(args) == 0 {
		args = []string{"kernels"}
	}
	var out []string
	for _, a := range args {
		switch a {
		case "all":
			out = append(out, "kernels", "model", "metrics")
		case "kernels", "model", "metrics":
			out = append(out, a)
		default:
			return nil, fmt.Errorf("unknown bench section %q (want kernels, model, metrics or all)", a)
		}
	}
	return out, nil
}

// probeRSS runs each model workload in a child process and collects its
// peak resident memory; failures leave the workload out (with a note).
func probeRSS(cmd *cobra.Command) map[string]int64 {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	out := map[string]int64{}
	for _, sc := range perf.Scenarios {
		b, err := exec.Command(exe, "bench", "--rss-probe", sc).Output()
		if err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "note: memory probe %s failed: %v\n", sc, err)
			continue
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			out[sc] = v
		}
	}
	return out
}

// runProbe is the child side: build the model, run the workload twice (the
// second run sees the steady-state buffers) and print VmHWM in bytes.
func runProbe(cmd *cobra.Command, name string) error {
	b, err := perf.NewModelBench()
	if err != nil {
		return err
	}
	run := b.Run(name)
	run()
	run()
	rss, err := perf.PeakRSS()
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), rss)
	return nil
}
