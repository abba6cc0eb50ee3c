package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newExportCmd() *cobra.Command {
	var o run.ExportOptions
	cmd := &cobra.Command{
		Use:   "export --checkpoint FILE -o OUT [--format onnx|pth]",
		Short: "Export a model: ONNX for any runtime, or a PyTorch state_dict",
		Long: `Export a trained model for use outside mambaad.

--format onnx (or -o NAME.onnx) writes the whole inference graph, opset 17:
the normalised image (batch, 3, S, S) in, anomaly_map (batch, 1, S, S) and
pred_score (batch) out, plus class_probs (batch, classes) when the model has
class prototypes. Encoder (BatchNorm folded), fusion block, Mamba decoder
(SS2D's selective scan as ONNX Scan loops) and the anomaly map (1 − cosine,
bilinear upsampling, Gaussian blur) are all in the graph, so ONNX Runtime
and other runtimes give mambaad's maps and scores (within 1e-4). The model's
metadata_props hold what a runtime user needs: input size, resize rule,
centre crop, mean and std, the calibrated thresholds (global and per class),
class names, method, model configuration, encoder origin, mambaad version
and the checkpoint's SHA-256. Every method exports: for memory and combined
the memory bank and its nearest-neighbour search (MatMul, ArgMin, Gather)
are in the graph too.

--format pth (or -o NAME.pth) writes a PyTorch state_dict (torch.save's zip
format) in the reference MambaAD key layout, encoder under "net_t.", so the
reference code can load it (torch.load(..., weights_only=True)) and
fine-tune it; "mambaad train --init NAME.pth" reads it back.`,
		Example: `  mambaad export --checkpoint runs/x/model.ckpt --format onnx -o model.onnx
  mambaad export --checkpoint runs/x/model.ckpt -o model.pth`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Version = versionString()
			return validateRun(cmd, &o.Stdout, &o.Stderr, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Checkpoint, "checkpoint", "", "model checkpoint to export")
	f.StringVarP(&o.Out, "out", "o", "", "output file (.onnx or .pth)")
	f.StringVar(&o.Format, "format", "", "onnx or pth (default: from the output's extension)")
	f.IntVar(&o.ScanChunk, "scan-chunk", 0, "ONNX: cut each selective scan into segments of this many steps (fewer loop iterations, twice the exp work; 0: one plain Scan, fastest in ONNX Runtime on CPU)")
	return cmd
}
