package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/mambaad/mambaad/format/checkpoint"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// errInterrupted makes main exit with status 130 after a clean save.
var errInterrupted = errors.New("interrupted")

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
flags, each overriding the one before. Presets: ` + strings.Join(presetNames(), ", ") + `
("mambaad train --help-presets" describes them).

While training, the encoder's features are computed once and cached (they never
change without augmentation). Every epoch is logged to OUT/train.jsonl, a
checkpoint is written atomically to OUT/last.ckpt every --checkpoint-every
epochs, and Ctrl-C saves one and exits; --resume continues exactly (weights,
optimiser state, schedule and random state) from OUT/last.ckpt or a given file.
The final model is OUT/model.ckpt and the evaluation is in OUT/eval/.`,
		Example: `  mambaad train --data ./mvtec --preset cpu-256 --out runs/mvtec
  mambaad train --data ./mvtec --classes bottle,cable --epochs 50 --weights resnet34
  mambaad train --config my.yaml --out runs/x --resume`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.helpPresets {
				for _, n := range presetNames() {
					fmt.Fprintf(cmd.OutOrStdout(), "%-11s %s\n", n, presets[n].about)
				}
				return nil
			}
			cfg, err := loadConfig(presetName, configFile)
			if err != nil {
				return err
			}
			if o.resume != "" {
				// A resumed run continues with its own configuration; flags
				// given now still override the bookkeeping settings.
				if cfg, err = resumeConfig(cfg, o, cmd.Flags()); err != nil {
					return err
				}
			}
			if err := o.apply(cmd.Flags(), &cfg); err != nil {
				return err
			}
			if cfg.Train.Threads > 0 {
				runtime.GOMAXPROCS(cfg.Train.Threads)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runTrain(ctx, cfg, o.resume, o.quiet, cmd.OutOrStdout(), cmd.ErrOrStderr())
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
	lr                                                               float64
	seed                                                             uint64
	noCache, skipBad, quiet, helpPresets                             bool
	resume                                                           string
}

func (o *trainFlags) register(f *pflag.FlagSet) {
	f.StringVar(&o.data, "data", "", "dataset root directory")
	f.StringVar(&o.dataset, "dataset", "", "dataset layout: auto, mvtec, visa, realiad, mvtec3d, unimedical, cocoad, btad, mpdd, mvtecloco, meta, folder")
	f.StringVar(&o.classes, "classes", "", `classes to train on: "all" or a comma-separated list`)
	f.StringVar(&o.out, "out", "", "output directory for checkpoints, logs and the report")
	f.StringVar(&o.backbone, "backbone", "", "encoder: resnet18, resnet34, resnet50, wide_resnet50_2")
	f.StringVar(&o.weights, "weights", "", `encoder ImageNet weights: a file, a cached backbone name, "auto" or "random"`)
	f.StringVar(&o.mode, "mode", "", "evaluation metrics: exact or reference (the toolkit's approximations)")
	f.IntVar(&o.epochs, "epochs", 0, "training epochs")
	f.IntVar(&o.batch, "batch-size", 0, "images per optimiser step")
	f.IntVar(&o.imageSize, "image-size", 0, "input side in pixels (a multiple of 32 whose /32 is a power of two)")
	f.IntVar(&o.threads, "threads", 0, "CPU threads (0 = all)")
	f.IntVar(&o.evalEvery, "eval-every", 0, "evaluate on the test split every N epochs (0 = only at the end)")
	f.IntVar(&o.ckptEvery, "checkpoint-every", 0, "write OUT/last.ckpt every N epochs")
	f.IntVar(&o.workers, "workers", 0, "image decoding goroutines (0 = automatic)")
	f.Float64Var(&o.lr, "lr", 0, "learning rate (default 0.005·batch/16)")
	f.Uint64Var(&o.seed, "seed", 0, "random seed (initialisation, shuffling, drop-path)")
	f.BoolVar(&o.noCache, "no-cache", false, "do not cache encoder features (re-encode every batch)")
	f.BoolVar(&o.skipBad, "skip-bad", false, "skip unreadable images with a warning instead of failing")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	f.BoolVar(&o.helpPresets, "help-presets", false, "describe the presets and exit")
	f.StringVar(&o.resume, "resume", "", "continue from a checkpoint (default OUT/last.ckpt when given without a value)")
	f.Lookup("resume").NoOptDefVal = "last"
}

// apply copies the flags the user set onto cfg.
func (o *trainFlags) apply(f *pflag.FlagSet, c *Config) error {
	set := func(name string) bool { return f.Changed(name) }
	if set("data") {
		c.Data.Root = o.data
	}
	if set("dataset") {
		c.Data.Dataset = o.dataset
	}
	if set("classes") {
		c.Data.Classes = o.classes
	}
	if set("out") {
		c.Out = o.out
	}
	if set("backbone") {
		c.Model.Backbone = o.backbone
	}
	if set("weights") {
		c.Model.Weights = o.weights
	}
	if set("mode") {
		c.Eval.Mode = o.mode
	}
	if set("epochs") {
		c.Train.Epochs = o.epochs
	}
	if set("batch-size") {
		c.Train.BatchSize = o.batch
	}
	if set("image-size") {
		c.Model.ImageSize = o.imageSize
	}
	if set("threads") {
		c.Train.Threads = o.threads
	}
	if set("eval-every") {
		c.Train.EvalEvery = o.evalEvery
	}
	if set("checkpoint-every") {
		c.Train.CheckpointEvery = o.ckptEvery
	}
	if set("workers") {
		c.Data.Workers = o.workers
	}
	if set("lr") {
		c.Train.LR = o.lr
	}
	if set("seed") {
		c.Train.Seed = o.seed
	}
	if set("no-cache") {
		c.Train.CacheFeatures = !o.noCache
	}
	if set("skip-bad") {
		c.Data.SkipBad = o.skipBad
	}
	if c.Data.Root == "" {
		return fmt.Errorf("no dataset: give --data DIR (or data.root in --config)")
	}
	if c.Out == "" {
		return fmt.Errorf("no output directory: give --out DIR")
	}
	if _, err := c.Eval.metricsOptions(); err != nil {
		return err
	}
	return c.Train.Validate()
}

// resumeConfig returns the configuration stored in the checkpoint that
// --resume names (OUT/last.ckpt by default), so that resuming does not
// depend on repeating the original flags.
func resumeConfig(cfg Config, o trainFlags, f *pflag.FlagSet) (Config, error) {
	out := cfg.Out
	if f.Changed("out") {
		out = o.out
	}
	path := o.resume
	if path == "last" {
		path = filepath.Join(out, "last.ckpt")
	}
	ck, err := checkpoint.Load(path)
	if err != nil {
		return cfg, err
	}
	saved, ok := ck.Meta["run_config"]
	if !ok {
		return cfg, nil
	}
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(saved))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return cfg, fmt.Errorf("%s: stored run configuration: %s", path, oneLine(err))
	}
	for _, name := range []string{"backbone", "image-size"} {
		if f.Changed(name) {
			return cfg, fmt.Errorf("--%s cannot change when resuming %s (the network is fixed by the checkpoint)", name, path)
		}
	}
	return c, nil
}
