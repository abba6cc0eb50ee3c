package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newPredictCmd() *cobra.Command {
	var o run.PredictOptions
	cmd := &cobra.Command{
		Use:   "predict [flags] FILE|DIR|GLOB...",
		Short: "Score new images: anomaly score, verdict, heat-map overlay and defect mask",
		Long: `Score images with a trained model. Each image gives one JSON line on stdout:
{"path", "class", "class_confidence", "score", "threshold", "threshold_from",
"normalized_score", "anomalous", "heatmap", "mask"}.

The class is --class, else inferred per image from the class prototypes
stored at training (with its softmax confidence). An image is anomalous when
its score (the maximum of its anomaly map) is at least the threshold, and a
pixel is marked in the mask when its map value is at least the threshold.
The threshold is --threshold, else the class's own one stored by "mambaad
calibrate", else the calibrated global one ("threshold_from" says which);
without any, only scores and heat maps are written. normalized_score is
score / threshold: 1.0 is the decision boundary on every class. Directories are searched recursively for images; quote
glob patterns to let mambaad expand them. Unreadable images give a JSON line
with "error" and the exit status is 1 after the others are done.

--shard I/N scores the inputs whose index in the sorted list is I modulo N
and writes their lines, after a {"shard": {...}} header line, atomically to
OUT/shard-I-of-N.jsonl (heat maps under OUT/shard-I-of-N/): running the same
shard again gives the same file, a killed run leaves none. "mambaad merge
OUT" joins the shards into one table. Inputs may also be listed in a
--manifest file.

Heat maps and masks are at the input image's own resolution and aspect
ratio, so they lie exactly over the original: the model's map is stretched
back from its square input with bilinear interpolation, and the mask marks
the pixels of that full-resolution map that are at least the threshold.
<name>_mask.png is W×H grey (255 = defect). <name>_heatmap.png is the image
blended with the jet colours (top W×H pixels) above a strip with a legend:
the image's score and verdict, a colour bar with the score range and the
threshold marked. Both are written row by row, so any image up to the
100-megapixel input limit works; a 10000×10000 image takes about 15 s and
1 GB of memory, mostly to decode it.

--precision bf16 runs the model's large products (every convolution of the
encoder and fusion block, the decoder's projections and 1×1 convolutions)
with bfloat16 operands and float32 sums, on CPUs with AVX512_BF16 (Zen 4,
Sapphire Rapids and later); norms, the selective scan and the anomaly map stay
float32. On a trained model scores move by 0.1–0.3 % (median) and metrics by
under a point, a few images much more (see README, Precision). Without
AVX512_BF16 it says so once on stderr and runs fp32. fp32 is the default and
the reference.`,
		Example: `  mambaad predict --checkpoint runs/x/model.ckpt --out preds ./incoming
  mambaad predict --checkpoint model.ckpt --manifest images.txt --shard 3/10 --out results --no-images
  mambaad predict --checkpoint model.ckpt --threshold 0.12 'line3/*.png' > scores.jsonl`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Inputs, o.HasThreshold = args, cmd.Flags().Changed("threshold")
			return validateRun(cmd, &o.Stdout, &o.Stderr, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Checkpoint, "checkpoint", "", "model checkpoint")
	f.StringVar(&o.Out, "out", "", "directory for <name>_heatmap.png and <name>_mask.png")
	f.StringVar(&o.Class, "class", "", "product class of every input (default: each image's class is inferred)")
	f.Float64Var(&o.Threshold, "threshold", 0, "decision threshold (default: the checkpoint's calibrated one)")
	f.IntVar(&o.BatchSize, "batch-size", 8, "images per forward pass")
	f.BoolVar(&o.NoImages, "no-images", false, "print scores only, write no PNGs")
	f.StringVar(&o.Manifest, "manifest", "", "file listing image paths, one a line (relative to its folder)")
	f.StringVar(&o.Precision, "precision", "fp32", run.PrecisionHelp)
	f.StringVar(&o.Shard, "shard", "", "score only shard I/N of the sorted inputs and write OUT/shard-I-of-N.jsonl atomically (Kubernetes Indexed Job: $JOB_COMPLETION_INDEX/N)")
	return cmd
}
