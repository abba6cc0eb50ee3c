package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newTrainCmd() *cobra.Command {
	var presetName, configFile string
	var o trainFlags
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train one MambaAD model on the normal images of every selected class",
		Long: `Train the fusion block and the Mamba decoder to reconstruct the frozen ImageNet
encoder's features of normal images (one model for all classes), then evaluate
on the test split and write a report.

Settings come from a preset (--preset), then a YAML file (--config), then the
flags, each overriding the one before. Presets: ` + strings.Join(run.PresetNames(), ", ") + `
("mambaad train --help-presets" describes them).

While training, the encoder's features are computed once and cached (they never
change without augmentation). Every epoch is logged to OUT/train.jsonl, a
checkpoint is written atomically to OUT/last.ckpt every --checkpoint-every
epochs, and Ctrl-C saves one and exits; --resume continues exactly (weights,
optimiser state, schedule and random state) from OUT/last.ckpt or a given file
(--resume FILE or --resume=FILE). The final model is OUT/model.ckpt and the
evaluation is in OUT/eval/.

Datasets are read in their own layouts (--dataset; "auto" detects them):
` + strings.Join(data.Names(), ", ") + `.
Plain folders need no conversion (--dataset folder; auto detects them too):

  DIR/good/*.png       normal images (also normal/ or ok/)
  DIR/bad/*.png        abnormal images, optional (also abnormal/, defect/, anomaly/)
  DIR/masks/*.png      their masks, optional (also mask/, ground_truth/), by name:
                       <stem>_mask.<ext> or <stem>.<ext>; a bad image without a
                       mask counts as anomalous at image level only (a note
                       says so)
  DIR/test_good/*.png  normal test images, optional

is one class named after DIR; DIR/<class>/good/… (and bad/, masks/, test_good/)
is one class per sub-folder. A class with bad images holds every fifth normal
image (20%) out as a test normal unless it has test_good/; a class of normal
images only trains on all of them and has no test split, so test and calibrate
need one (or use calibrate --normal). Folders named otherwise, one class each:

  --folder class=NAME,normal=DIR[,abnormal=DIR][,mask=DIR][,normal_test=DIR][,test_share=F]

(repeatable; relative to --data or data.root, else the current directory;
test_share=0 holds nothing out), or in the YAML file (relative to data.root,
else to the file's directory):

  data:
    folders:
      - {class: bolt, normal: bolt/ok, abnormal: bolt/ng, mask: bolt/ng_masks}
      - {class: nut, normal: nut/ok, normal_test: nut/ok_test, test_share: 0}

The checkpoint records the root and the folders, so "mambaad test --checkpoint"
finds the same test split again; "mambaad calibrate" takes the same --data,
--dataset and --folder flags.`,
		Example: `  mambaad train --data ./mvtec --preset cpu-256 --out runs/mvtec
  mambaad train --data ./mvtec --classes bottle,cable --epochs 50 --weights resnet34
  mambaad train --data ./parts --dataset folder --out runs/parts      # parts/good, parts/bad, parts/masks
  mambaad train --data ./lines --folder class=bolt,normal=bolt_ok,abnormal=bolt_ng \
      --folder class=nut,normal=nut_ok --out runs/lines
  mambaad train --out runs/mvtec --resume --epochs 30
  mambaad train --config my.yaml --out runs/x --resume runs/x/last.ckpt`,
		Args: func(cmd *cobra.Command, args []string) error {
			// --resume takes an optional value; "--resume FILE" arrives as
			// --resume plus one argument.
			if len(args) == 1 && o.resume == "last" {
				o.resume = args[0]
				return nil
			}
			return cobra.NoArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.helpPresets {
				for _, n := range run.PresetNames() {
					fmt.Fprintf(cmd.OutOrStdout(), "%-11s %s\n", n, run.PresetAbout(n))
				}
				fmt.Fprintf(cmd.OutOrStdout(), "\n%s\n", run.PresetMethods)
				return nil
			}
			if cmd.Flags().Changed("epochs") && cmd.Flags().Changed("image-budget") {
				return fmt.Errorf("give --epochs or --image-budget, not both")
			}
			cfg, err := run.LoadConfig(presetName, configFile)
			if err != nil {
				return err
			}
			if o.resume != "" {
				// A resumed run continues with its own configuration; flags
				// given now still override the bookkeeping settings.
				out := cfg.Out
				if cmd.Flags().Changed("out") {
					out = o.out
				}
				if cfg, err = run.ResumedConfig(cfg, out, o.resume); err != nil {
					return err
				}
			}
			o.apply(cmd.Flags(), &cfg)
			if cmd.Flags().Changed("folder") {
				if cfg.Data.Folders, err = run.ParseFolderFlags(o.folders); err != nil {
					return err
				}
			}
			if cfg.Train.Threads > 0 {
				runtime.GOMAXPROCS(cfg.Train.Threads)
			}
			to := run.TrainOptions{Config: cfg, Resume: o.resume, Quiet: o.quiet,
				Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
			if err := to.Validate(); err != nil {
				return err
			}
			return to.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&presetName, "preset", "cpu-256", "starting configuration")
	f.StringVar(&configFile, "config", "", "YAML configuration file (overrides the preset)")
	o.register(f)
	return cmd
}

// trainFlags are the flags that override the configuration.
type trainFlags struct {
	data, dataset, classes, out, backbone, weights, mode             string
	epochs, batch, imageSize, threads, evalEvery, ckptEvery, workers int
	imageBudget                                                      int
	lr                                                               float64
	seed                                                             uint64
	noCache, skipBad, quiet, helpPresets, halfModel                  bool
	resume, init, method                                             string
	folders                                                          []string
}

func (o *trainFlags) register(f *pflag.FlagSet) {
	f.StringVar(&o.data, "data", "", "dataset root directory")
	f.StringVar(&o.dataset, "dataset", "", "dataset layout: auto, mvtec, visa, realiad, mvtec3d, unimedical, cocoad, btad, mpdd, mvtecloco, meta, folder")
	f.StringVar(&o.classes, "classes", "", `classes to train on: "all" or a comma-separated list`)
	f.StringArrayVar(&o.folders, "folder", nil, "a folder-dataset class: class=NAME,normal=DIR[,abnormal=DIR][,mask=DIR][,normal_test=DIR][,test_share=F] (repeatable)")
	f.StringVar(&o.out, "out", "", "output directory for checkpoints, logs and the report")
	f.StringVar(&o.backbone, "backbone", "", "encoder: resnet18, resnet34, resnet50, wide_resnet50_2")
	f.StringVar(&o.weights, "weights", "", `encoder ImageNet weights: a file, a cached backbone name, "auto" or "random"`)
	f.StringVar(&o.mode, "mode", "", "evaluation metrics: exact or reference (the toolkit's approximations)")
	f.IntVar(&o.epochs, "epochs", 0, "training epochs (clears the preset's image budget)")
	f.IntVar(&o.imageBudget, "image-budget", 0, "train on about this many images in all: epochs = budget / training images (0 = use --epochs)")
	f.IntVar(&o.batch, "batch-size", 0, "images per optimiser step")
	f.IntVar(&o.imageSize, "image-size", 0, "input side in pixels (a multiple of 32 whose /32 is a power of two)")
	f.IntVar(&o.threads, "threads", 0, "CPU threads (0 = all)")
	f.IntVar(&o.evalEvery, "eval-every", 0, "evaluate on the test split every N epochs (0 = only at the end)")
	f.IntVar(&o.ckptEvery, "checkpoint-every", 0, "write OUT/last.ckpt every N epochs")
	f.IntVar(&o.workers, "workers", 0, "image decoding goroutines (0 = automatic)")
	f.Float64Var(&o.lr, "lr", 0, "learning rate (default 0.005·batch/16)")
	f.Uint64Var(&o.seed, "seed", 0, "random seed (initialisation, shuffling, drop-path)")
	f.BoolVar(&o.noCache, "no-cache", false, "do not cache encoder features (re-encode every batch)")
	f.BoolVar(&o.skipBad, "skip-bad", false, "skip unreadable images (training and evaluation) with a warning instead of failing")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	f.BoolVar(&o.helpPresets, "help-presets", false, "describe the presets and exit")
	f.StringVar(&o.method, "method", "", "how anomaly maps are made: recon (the paper's reconstruction error), memory (a memory bank of normal patches, no training) or combined (both; the CPU presets' and the demo's default)")
	f.StringVar(&o.init, "init", "", "start fusion and decoder from this checkpoint (mambaad model.ckpt or reference .pth) instead of random weights")
	f.BoolVar(&o.halfModel, "half-model", false, "store model.ckpt's trained weights as float16 (half the size)")
	f.StringVar(&o.resume, "resume", "", "continue OUT/last.ckpt, or the checkpoint given (--resume FILE)")
	f.Lookup("resume").NoOptDefVal = "last"
}

// apply copies the flags the user set onto c.
func (o *trainFlags) apply(f *pflag.FlagSet, c *run.Config) {
	set := f.Changed
	for _, s := range []struct {
		name string
		do   func()
	}{
		{"data", func() { c.Data.Root = o.data }},
		{"dataset", func() { c.Data.Dataset = o.dataset }},
		{"classes", func() { c.Data.Classes = o.classes }},
		{"out", func() { c.Out = o.out }},
		{"backbone", func() { c.Model.Backbone = o.backbone }},
		{"weights", func() { c.Model.Weights = o.weights }},
		{"mode", func() { c.Eval.Mode = o.mode }},
		{"epochs", func() { c.Train.Epochs, c.Train.ImageBudget = o.epochs, 0 }},
		{"image-budget", func() { c.Train.ImageBudget = o.imageBudget }},
		{"batch-size", func() { c.Train.BatchSize = o.batch }},
		{"image-size", func() { c.Model.ImageSize = o.imageSize }},
		{"threads", func() { c.Train.Threads = o.threads }},
		{"eval-every", func() { c.Train.EvalEvery = o.evalEvery }},
		{"checkpoint-every", func() { c.Train.CheckpointEvery = o.ckptEvery }},
		{"workers", func() { c.Data.Workers = o.workers }},
		{"lr", func() { c.Train.LR = o.lr }},
		{"seed", func() { c.Train.Seed = o.seed }},
		{"no-cache", func() { c.Train.CacheFeatures = !o.noCache }},
		{"skip-bad", func() { c.Data.SkipBad = o.skipBad }},
		{"init", func() { c.Train.Init = o.init }},
		{"method", func() { c.Model.Method = o.method }},
		{"half-model", func() { c.Train.HalfModel = o.halfModel }},
	} {
		if set(s.name) {
			s.do()
		}
	}
}
