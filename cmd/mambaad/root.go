package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

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
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	benchCmd := newBenchCmd()
	benchCmd.AddCommand(newBenchServeCmd())
	root.AddCommand(newVersionCmd(), newWeightsCmd(), newTrainCmd(), newSynthCmd(), newTestCmd(), newPredictCmd(), newCalibrateCmd(), newDemoCmd(), benchCmd, newServeCmd(), newMergeCmd(), newExportCmd())
	return root
}

// versionString is the module version, the VCS commit the binary was built
// from (with "+dirty" for uncommitted changes), the toolchain and the
// kernels this CPU runs.
func versionString() string {
	v, parts := "(devel)", []string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if rev != "" {
			parts = append(parts, "commit "+rev[:min(12, len(rev))]+dirty)
		}
	}
	parts = append(parts, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH,
		fmt.Sprintf("kernels: %s", isa.Best()), fmt.Sprintf("%d threads", runtime.GOMAXPROCS(0)))
	return fmt.Sprintf("mambaad %s (%s)", v, strings.Join(parts, ", "))
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go toolchain and kernel instruction set",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return nil
		},
	}
}
