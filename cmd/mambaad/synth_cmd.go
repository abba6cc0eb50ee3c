package main

import (
	"fmt"
	"strings"

	"github.com/mambaad/mambaad/data/synth"
	"github.com/spf13/cobra"
)

func newSynthCmd() *cobra.Command {
	var o synth.Options
	var out, classes string
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Write the built-in synthetic defect dataset (MVTec AD layout)",
		Long: `Generate procedural product images — textures (` + strings.Join(synth.ClassNames(), ", ") + `) —
with realistic defects (scratches, holes, stains, cracks, missing pieces) and
their exact masks, in the MVTec AD folder layout that "mambaad train" reads.
The same seed gives the same images on every machine. The output appears only
when complete (it is written to a temporary folder first).`,
		Example: `  mambaad synth --out ./synthetic
  mambaad synth --out ./small --size 128 --train 20 --classes fabric,nut`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("give --out DIR")
			}
			if classes != "" && classes != "all" {
				o.Classes = strings.Split(classes, ",")
			}
			if err := synth.Generate(out, o); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "output directory (must not exist yet)")
	f.StringVar(&classes, "classes", "all", "classes to draw: all or a comma-separated list")
	f.IntVar(&o.Size, "size", 256, "image side in pixels")
	f.IntVar(&o.Train, "train", 40, "normal training images per class")
	f.IntVar(&o.TestGood, "test-good", 8, "normal test images per class")
	f.IntVar(&o.TestDefect, "test-defect", 12, "defective test images per class")
	f.Uint64Var(&o.Seed, "seed", 1, "generator seed")
	return cmd
}
