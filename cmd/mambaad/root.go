package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "mambaad",
		Short: "Multi-class visual anomaly detection with a Mamba decoder, on the CPU",
		Long: `mambaad trains one MambaAD model on folders of normal images of several
product classes, then scores new images and marks defects with a heat map.
It is a single static binary: no Python, no GPU.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newVersionCmd(), newWeightsCmd(), newTrainCmd(), newSynthCmd(), newTestCmd(), newPredictCmd(), newCalibrateCmd(), newDemoCmd(), newBenchCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, Go toolchain and kernel instruction set",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			fmt.Fprintf(cmd.OutOrStdout(), "mambaad %s (%s, %s/%s, kernels: %s, %d threads)\n",
				v, runtime.Version(), runtime.GOOS, runtime.GOARCH, isa.Best(), runtime.GOMAXPROCS(0))
			return nil
		},
	}
}
