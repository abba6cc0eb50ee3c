package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/train"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/format/checkpoint"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/internal/atomicfile"
	"github.com/mambaad/mambaad/metrics"
	"github.com/mambaad/mambaad/model"
)

// ErrInterrupted is returned after an interrupted run saved its state; the
// command exits with status 130.
var ErrInterrupted = errors.New("interrupted")

// TrainOptions is a training run: `mambaad train` and the demo.
type TrainOptions struct {
	Config Config
	// Resume continues a run: "" starts a new one, "last" continues
	// Config.Out/last.ckpt, anything else names a checkpoint.
	Resume         string
	Quiet          bool      // no progress bars
	Stdout, Stderr io.Writer // results; notes, warnings and progress
	command        string    // "train", or "demo" when the demo runs it
}

// ResumedConfig returns the configuration a run stored in the checkpoint
// that resume names ("last": out/last.ckpt), so that resuming does not
// depend on repeating the original flags. A checkpoint without one gives
// fallback unchanged.
func ResumedConfig(fallback Config, out, resume string) (Config, error) {
	path := resumePath(out, resume)
	ck, err := checkpoint.Load(path)
	if err != nil {
		return fallback, err
	}
	saved, ok := ck.Meta[detector.KeyRunConfig]
	if !ok {
		return fallback, nil
	}
	var c Config
	if err := decodeYAML([]byte(saved), &c); err != nil {
		return fallback, fmt.Errorf("%s: stored run configuration: %w", path, err)
	}
	return c, nil
}

func resumePath(out, resume string) string {
	if resume == "last" {
		return filepath.Join(out, "last.ckpt")
	}
	return resume
}

// Validate checks the options before anything is written.
func (o *TrainOptions) Validate() error {
	c := &o.Config
	c.Data.defaultRoot()
	if c.Data.Root == "" {
		return fmt.Errorf("no dataset: give --data DIR (or data.root in --config)")
	}
	if c.Out == "" {
		return fmt.Errorf("no output directory: give --out DIR")
	}
	if _, err := c.Eval.metricsOptions(); err != nil {
		return err
	}
	if err := c.Model.toModel().Validate(); err != nil {
		return err
	}
	if _, err := c.Model.method(); err != nil {
		return err
	}
	if b := c.Model.MemoryBank; b.Fraction < 0 || b.Fraction > 1 || b.MaxPatches < 0 {
		return fmt.Errorf("memory_bank: fraction %g must be in (0, 1] and max_patches %d not negative", b.Fraction, b.MaxPatches)
	}
	if c.Train.ImageBudget < 0 {
		return fmt.Errorf("train.image_budget %d must not be negative (0 = use train.epochs)", c.Train.ImageBudget)
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return c.Train.Validate()
}

// trainRun is one training run in progress: its configuration, data,
// trainer and logs.
type trainRun struct {
	TrainOptions
	savedIter int // the step last.ckpt was last written at
	ds        data.Dataset
	classes   []string
	tr        *train.Trainer
	enc       detector.EncoderInfo
	encRef    *modelio.EncoderRef
	log       *os.File
	bar       *progress
	det       *detector.Detector // the model with its method's parts
	src       source
	epoch     epochStats
	start     time.Time
	// startEpoch is the number of epochs done before this session.
	startEpoch int
}

// epochStats accumulates what an epoch's JSONL line reports.
type epochStats struct {
	loss, norm float64
	steps      int
	images     int
	start      time.Time
}

// Run trains, saves OUT/last.ckpt and OUT/model.ckpt, and evaluates the
// test split into OUT/eval. Cancelling ctx saves the state and returns
// ErrInterrupted.
func (o *TrainOptions) Run(ctx context.Context) (err error) {
	r := &trainRun{TrainOptions: *o, start: time.Now()}
	cleanup, err := r.makeOut()
	if err != nil {
		return err
	}
	defer func() { cleanup(err) }()
	if err := r.setup(ctx); err != nil {
		return err
	}
	defer r.log.Close()
	cfg := r.Config
	if err := r.buildParts(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			return ErrInterrupted
		}
		return err
	}
	final := filepath.Join(cfg.Out, "model.ckpt")
	if r.tr != nil {
		err = r.loop(ctx)
		last := filepath.Join(cfg.Out, "last.ckpt")
		if errors.Is(err, context.Canceled) {
			r.bar.finish()
			if serr := r.tr.Save(last, r.resumable()); serr != nil {
				return fmt.Errorf("interrupted, and saving %s failed: %w", last, serr)
			}
			fmt.Fprintf(r.Stderr, "interrupted at epoch %d, step %d: saved %s\ncontinue with: mambaad train --out %s --resume\n",
				r.tr.Epoch+1, r.tr.StepInEpoch, last, cfg.Out)
			return ErrInterrupted
		}
		if err != nil {
			return err
		}
		r.bar.finish()
		if r.savedIter != r.tr.Iter {
			if err := r.tr.Save(last, r.resumable()); err != nil {
				return err
			}
		}
		if err := r.fitFusion(ctx); err != nil {
			return err
		}
	}
	half := cfg.Train.HalfModel
	if err := modelio.Save(final, r.det.Model, modelio.SaveOptions{Meta: r.det.Meta.Entries(), Half: half,
		Extra: r.det.Parts(half), EncoderOnly: r.det.Meta.Method == detector.MethodMemory}); err != nil {
		return err
	}
	if r.tr != nil {
		ran := r.tr.Epoch - r.startEpoch
		fmt.Fprintf(r.Stdout, "trained %s (%d steps) in %s; model: %s\n", plural(ran, "epoch"), (ran)*r.tr.StepsPerEpoch,
			time.Since(r.start).Round(time.Second), final)
	} else {
		fmt.Fprintf(r.Stdout, "built a memory bank of %d patches in %s; model: %s\n", r.det.Bank.Len(),
			time.Since(r.start).Round(time.Second), final)
	}
	return r.finalEval(ctx, final)
}

// buildParts adds the class prototypes and, for the memory and combined
// methods, the memory bank (both depend only on the frozen encoder, so a
// resumed run rebuilds them identically).
func (r *trainRun) buildParts(ctx context.Context) error {
	bar := newProgress(-1, "features", r.Quiet)
	defer bar.finish()
	o := detector.BuildOptions{Bank: r.Config.Model.bankOptions(r.Config.Train.Seed),
		Progress: func(stage string, done int) { bar.describe(stage); bar.set(done) }}
	if r.det.Meta.Method.UsesMemory() {
		fmt.Fprintf(r.Stderr, "building the memory bank (%.3g%% of the training patches, at most %d)\n",
			100*o.Bank.Fraction, o.Bank.MaxRows)
	}
	err := detector.Build(ctx, r.det, r.features(), o)
	if r.tr != nil {
		r.tr.TrainMode() // Build ran the model in inference mode
	}
	return err
}

// fitFusion sets the combined method's normalisation for the decoder as
// it is now.
func (r *trainRun) fitFusion(ctx context.Context) error {
	if r.det.Meta.Method != detector.MethodCombined {
		return nil
	}
	err := r.det.FitFusion(ctx, r.features(), detector.BuildOptions{})
	if r.tr != nil {
		r.tr.TrainMode()
	}
	return err
}

// features is the training images' encoder features: from the cache, or
// encoded batch by batch.
func (r *trainRun) features() detector.FeatureSource {
	if r.src.cache != nil {
		return cacheSource{r.src.cache}
	}
	return loaderSource{m: r.det.Model, l: r.src.ordered}
}

type cacheSource struct{ c *train.FeatureCache }

func (s cacheSource) Each(ctx context.Context, visit func([]string, [3][]float32, int) error) error {
	classes := make([]string, 0, 8)
	for lo := 0; lo < s.c.N; lo += 8 {
		hi := min(lo+8, s.c.N)
		classes = classes[:0]
		for _, smp := range s.c.Samples[lo:hi] {
			classes = append(classes, smp.Class)
		}
		if err := visit(classes, s.c.Batch(lo, hi), hi-lo); err != nil {
			return err
		}
	}
	return nil
}

type loaderSource struct {
	m *model.MambaAD
	l *data.Loader
}

func (s loaderSource) Each(ctx context.Context, visit func([]string, [3][]float32, int) error) error {
	it := s.l.Epoch(ctx, 0)
	defer it.Close()
	var classes []string
	for {
		b, err := it.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		classes = classes[:0]
		for _, smp := range b.Samples {
			classes = append(classes, smp.Class)
		}
		if err := visit(classes, s.m.Features(b.Images, b.Len()), b.Len()); err != nil {
			return err
		}
	}
}

// makeOut creates the output directory and returns a cleanup that removes
// it again if the run fails before writing anything into it.
func (r *trainRun) makeOut() (func(error), error) {
	out := r.Config.Out
	_, statErr := os.Stat(out)
	created := os.IsNotExist(statErr)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	return func(err error) {
		if err == nil || !created {
			return
		}
		if ents, rerr := os.ReadDir(out); rerr == nil && len(ents) == 0 {
			os.Remove(out)
		}
	}, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// setup opens the data, builds or resumes the model and opens the log.
func (r *trainRun) setup(ctx context.Context) error {
	cfg := r.Config
	last := filepath.Join(cfg.Out, "last.ckpt")
	if _, err := os.Stat(last); err == nil && r.Resume == "" {
		return fmt.Errorf("%s already holds a run (%s); continue it with --resume or choose another --out", cfg.Out, last)
	}
	// A run killed while writing left its temporary files behind.
	for _, name := range []string{"last.ckpt", "model.ckpt", "config.yaml"} {
		if err := atomicfile.RemoveStale(filepath.Join(cfg.Out, name)); err != nil {
			return err
		}
	}
	ds, err := openData(cfg.Data.Dataset, cfg.Data.Root, cfg.Data.Folders, r.Stderr)
	if err != nil {
		return err
	}
	r.ds, r.classes = ds, data.SelectClasses(cfg.Data.Classes)
	samples, err := ds.Samples(data.Train, r.classes)
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		return fmt.Errorf("%s: no training images for classes %q", cfg.Data.Root, cfg.Data.Classes)
	}
	method, err := cfg.Model.method()
	if err != nil {
		return err
	}
	if b := cfg.Train.ImageBudget; b > 0 && method != detector.MethodMemory {
		cfg.Train.Epochs = max(1, int(math.Round(float64(b)/float64(len(samples)))))
		r.Config.Train.Epochs = cfg.Train.Epochs
		fmt.Fprintf(r.Stderr, "image budget %d: %s of %d training images\n", b, plural(cfg.Train.Epochs, "epoch"), len(samples))
	}
	var m *model.MambaAD
	if r.Resume != "" && method == detector.MethodMemory {
		return fmt.Errorf("the memory method trains nothing, so there is nothing to resume: run it again without --resume")
	}
	if r.Resume != "" {
		path := resumePath(cfg.Out, r.Resume)
		tr, f, err := train.Resume(path)
		if err != nil {
			return err
		}
		meta, err := detector.ParseMeta(path, f.Meta)
		if err != nil {
			return err
		}
		if err := sameNetwork(path, tr.Model.Cfg, cfg.Model.toModel()); err != nil {
			return err
		}
		r.tr, m, r.enc = tr, tr.Model, meta.Encoder
		r.startEpoch = tr.Epoch
		fmt.Fprintf(r.Stderr, "resuming %s at epoch %d, step %d\n", path, tr.Epoch+1, tr.StepInEpoch)
	} else {
		if m, r.enc, err = buildModel(cfg.Model, cfg.Train.Seed, r.Stderr); err != nil {
			return err
		}
		if cfg.Train.Init != "" {
			if err := modelio.LoadTrainable(m, cfg.Train.Init); err != nil {
				return err
			}
			fmt.Fprintf(r.Stderr, "fusion and decoder start from %s\n", cfg.Train.Init)
		}
	}
	if r.encRef, err = encoderRef(r.enc, cfg.Train.Seed); err != nil {
		return err
	}
	r.det = &detector.Detector{Model: m, Meta: detector.Meta{Encoder: r.enc, RunConfig: cfg.YAML(), Method: method,
		Dataset: detector.DatasetInfo{Root: cfg.Data.Root, Dataset: r.ds.Name(), Classes: cfg.Data.Classes,
			Folders: folderSpecs(cfg.Data.Folders)}}}
	if err := writeFileAtomic(filepath.Join(cfg.Out, "config.yaml"), func(w io.Writer) error {
		_, err := io.WriteString(w, cfg.YAML())
		return err
	}); err != nil {
		return err
	}
	logPath := filepath.Join(cfg.Out, "train.jsonl")
	if r.tr != nil {
		// Epochs logged after the checkpoint was written are trained again:
		// drop their lines so the log has each epoch once.
		if err := truncateLog(logPath, r.tr.Epoch); err != nil {
			return err
		}
	}
	r.log, err = os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return r.prepareTrainer(ctx, m, samples)
}

// resumable is how last.ckpt is stored: everything a resumed run needs,
// with the frozen encoder by reference to its weights file (or seed)
// instead of a copy. The memory bank and prototypes are rebuilt on resume.
func (r *trainRun) resumable() modelio.SaveOptions {
	meta := r.det.Meta
	meta.Classes, meta.Fusion = nil, nil
	return modelio.SaveOptions{Meta: meta.Entries(), EncoderRef: r.encRef}
}

// encoderRef says where a resumed run finds its encoder again.
func encoderRef(enc detector.EncoderInfo, seed uint64) (*modelio.EncoderRef, error) {
	if enc.Random {
		return &modelio.EncoderRef{RandomSeed: &seed}, nil
	}
	sum, err := modelio.FileSHA256(enc.Source)
	if err != nil {
		return nil, err
	}
	return &modelio.EncoderRef{Path: enc.Source, SHA256: sum}, nil
}

// sameNetwork refuses a configuration that would change the network of a
// resumed checkpoint (the same values given again are fine).
func sameNetwork(path string, have, want model.Config) error {
	switch {
	case have.Backbone != want.Backbone:
		return fmt.Errorf("backbone %s: %s was trained with %s, which cannot change when resuming", want.Backbone, path, have.Backbone)
	case have.ImageSize != want.ImageSize:
		return fmt.Errorf("image size %d: %s was trained at %d, which cannot change when resuming", want.ImageSize, path, have.ImageSize)
	case !slices.Equal(have.Depths, want.Depths) || have.Scan != want.Scan || have.Directions != want.Directions ||
		have.DState != want.DState || have.FusionBlocks != want.FusionBlocks:
		return fmt.Errorf("%s: the network configuration cannot change when resuming", path)
	}
	return nil
}

// source is where each step's encoder features come from: the cache, or
// the shuffled loader; ordered is the unshuffled one (for the memory bank
// and the prototypes when there is no cache).
type source struct {
	cache           *train.FeatureCache
	loader, ordered *data.Loader
}

func (r *trainRun) warnSkip(s data.Sample, err error) {
	r.bar.logf(r.Stderr, "warning: skipping %s: %v", s.Path, err)
}

// prepareTrainer decides between the feature cache and streaming, and
// creates (or checks the resumed) trainer.
func (r *trainRun) prepareTrainer(ctx context.Context, m *model.MambaAD, samples []data.Sample) error {
	cfg := r.Config
	mc := m.Cfg
	l, err := data.NewLoader(samples, data.LoaderConfig{Size: mc.ImageSize, BatchSize: cfg.Train.BatchSize,
		Shuffle: true, Seed: cfg.Train.Seed, DropLast: true, SkipBad: cfg.Data.SkipBad, Workers: cfg.Data.Workers,
		Warn: r.warnSkip})
	if err != nil {
		return err
	}
	iters := l.Batches()
	need := train.CacheBytes(m, len(samples))
	useCache := cfg.Train.CacheFeatures && need <= int64(cfg.Train.CacheLimitMB)<<20
	if cfg.Train.CacheFeatures && !useCache {
		fmt.Fprintf(r.Stderr, "note: caching features would need %d MB (limit %d MB): encoding every batch instead\n", need>>20, cfg.Train.CacheLimitMB)
	}
	unshuffled, err := data.NewLoader(samples, data.LoaderConfig{Size: mc.ImageSize, BatchSize: 8,
		SkipBad: cfg.Data.SkipBad, Workers: cfg.Data.Workers, Warn: r.warnSkip})
	if err != nil {
		return err
	}
	src := source{loader: l, ordered: unshuffled}
	if useCache {
		r.bar = newProgress(len(samples), "encoding", r.Quiet)
		c, err := train.BuildCache(ctx, m, unshuffled, len(samples), r.bar.set)
		r.bar.finish()
		if err != nil {
			return err
		}
		src.cache = c
		iters = train.ItersPerEpoch(c.N, cfg.Train.BatchSize)
	}
	r.src = src
	if r.det.Meta.Method == detector.MethodMemory {
		return nil // nothing to train
	}
	if r.tr == nil {
		if r.tr, err = train.NewTrainer(m, cfg.Train.Options, iters); err != nil {
			return err
		}
	} else if r.tr.StepsPerEpoch != iters {
		return fmt.Errorf("the training set changed since the checkpoint (%d steps per epoch then, %d now)", r.tr.StepsPerEpoch, iters)
	} else if e := cfg.Train.Epochs; e != r.tr.Options.Epochs {
		if err := r.tr.SetEpochs(e); err != nil {
			return err
		}
		fmt.Fprintf(r.Stderr, "note: the run now lasts %s (the learning-rate milestone moves with it)\n", plural(e, "epoch"))
	}
	return nil
}

// loop runs the remaining epochs with logging, checkpoints and evaluations.
func (r *trainRun) loop(ctx context.Context) error {
	t := r.tr
	o := t.Options
	// The bar counts this session's images, so its rate is images/s and
	// its ETA is the rest of the run's.
	remaining := (o.Epochs*t.StepsPerEpoch - t.Iter) * o.BatchSize
	r.bar = newProgress(remaining, "training", r.Quiet)
	fmt.Fprintf(r.Stderr, "training %s × %d steps of %d images at %d², %s encoder, lr %g\n",
		plural(o.Epochs, "epoch"), t.StepsPerEpoch, o.BatchSize, t.Model.Cfg.ImageSize, t.Model.Cfg.Backbone, o.BaseLR())
	r.epoch = epochStats{start: time.Now()}
	h := train.Hooks{
		Step: func(st train.StepStats, images int) {
			e := &r.epoch
			e.loss += st.Loss
			e.norm += st.GradNorm
			e.steps++
			e.images += images
			// The step may have completed the epoch; name the one it was in.
			ep := t.Epoch + 1
			if t.StepInEpoch == 0 {
				ep = t.Epoch
			}
			rate := float64(e.images) / time.Since(e.start).Seconds()
			r.bar.describe(fmt.Sprintf("epoch %d/%d loss %.4f %.1f img/s", ep, o.Epochs, e.loss/float64(e.steps), rate))
			r.bar.add(images)
		},
		EpochEnd: r.epochEnd,
	}
	if r.src.cache != nil {
		return t.RunCached(ctx, r.src.cache, h)
	}
	return t.RunStreaming(ctx, r.src.loader, h)
}

// truncateLog keeps the lines of the train.jsonl at path up to epoch
// (inclusive), replacing the file atomically; a missing log is fine.
func truncateLog(path string, epoch int) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var keep []byte
	dropped := false
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l struct {
			Epoch int `json:"epoch"`
		}
		if json.Unmarshal(line, &l) == nil && l.Epoch > epoch {
			dropped = true
			continue
		}
		if line[len(line)-1] != '\n' { // a line cut by a kill
			dropped = true
			continue
		}
		keep = append(keep, line...)
	}
	if !dropped {
		return nil
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(keep)
		return err
	})
}

// EpochLine is one JSONL record of train.jsonl.
type EpochLine struct {
	Epoch        int                `json:"epoch"`
	Iter         int                `json:"iter"`
	Loss         float64            `json:"loss"`
	GradNorm     float64            `json:"grad_norm"`
	LR           float64            `json:"lr"`
	Images       int                `json:"images"`
	ImagesPerSec float64            `json:"images_per_sec"`
	Seconds      float64            `json:"seconds"`
	Elapsed      float64            `json:"elapsed"`
	Eval         map[string]float64 `json:"eval,omitempty"`
	Time         string             `json:"time"`
}

func (r *trainRun) epochEnd(t *train.Trainer) error {
	e := r.epoch
	secs := time.Since(e.start).Seconds()
	line := EpochLine{Epoch: t.Epoch, Iter: t.Iter, LR: t.Optimizer.LR, Images: e.images, Seconds: secs,
		Elapsed: time.Since(r.start).Seconds(), Time: time.Now().UTC().Format(time.RFC3339)}
	if e.steps > 0 {
		line.Loss, line.GradNorm = e.loss/float64(e.steps), e.norm/float64(e.steps)
		line.ImagesPerSec = float64(e.images) / secs
	}
	// The checkpoint lands before the epoch's log line, so every logged
	// epoch can be resumed from; the last epoch is always saved.
	every := r.Config.Train.CheckpointEvery
	if t.Done() || (every > 0 && t.Epoch%every == 0) {
		if err := t.Save(filepath.Join(r.Config.Out, "last.ckpt"), r.resumable()); err != nil {
			return err
		}
		r.savedIter = t.Iter
	}
	if ev := r.Config.Train.EvalEvery; ev > 0 && t.Epoch%ev == 0 && !t.Done() {
		m, err := r.periodicEval()
		if err != nil {
			return err
		}
		line.Eval = m
	}
	b, _ := json.Marshal(line)
	if _, err := r.log.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("train.jsonl: %w", err)
	}
	if r.bar.bar == nil && !r.Quiet {
		fmt.Fprintf(r.Stderr, "epoch %d/%d loss %.5f lr %.3g %.1f img/s\n", t.Epoch, t.Options.Epochs, line.Loss, line.LR, line.ImagesPerSec)
	}
	r.epoch = epochStats{start: time.Now()}
	return nil
}

// periodicEval measures the model on the test split mid-run and puts it
// back in training mode.
func (r *trainRun) periodicEval() (map[string]float64, error) {
	samples, err := r.ds.Samples(data.Test, r.classes)
	if err != nil || len(samples) == 0 {
		return nil, err
	}
	dir := filepath.Join(r.Config.Out, fmt.Sprintf("eval-epoch%d", r.tr.Epoch))
	if err := r.fitFusion(context.Background()); err != nil {
		return nil, err
	}
	res, err := evalAndWrite(context.Background(), r.det, samples, r.evalSettings(), dir, r.info(""), io.Discard, r.Stderr, true)
	r.tr.TrainMode()
	if err != nil {
		return nil, err
	}
	return meanMetrics(res.Table.Mean), nil
}

func (r *trainRun) evalSettings() evalSettings {
	return evalSettings{EvalConfig: r.Config.Eval, SkipBad: r.Config.Data.SkipBad, Workers: r.Config.Data.Workers}
}

func (r *trainRun) info(ckpt string) runInfo {
	cmd := r.command
	if cmd == "" {
		cmd = "train"
	}
	return runInfo{Command: cmd, Checkpoint: ckpt, Dataset: r.Config.Data.Root, Encoder: r.enc, Config: r.Config.YAML(), Threshold: noThreshold}
}

// finalEval evaluates the trained model on the test split, if there is one.
func (r *trainRun) finalEval(ctx context.Context, ckpt string) error {
	samples, err := r.ds.Samples(data.Test, r.classes)
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		fmt.Fprintln(r.Stdout, "no test split: skipping the evaluation")
		return nil
	}
	_, err = evalAndWrite(ctx, r.det, samples, r.evalSettings(), filepath.Join(r.Config.Out, "eval"), r.info(ckpt), r.Stdout, r.Stderr, r.Quiet)
	if errors.Is(err, context.Canceled) {
		return ErrInterrupted
	}
	return err
}

// meanMetrics maps metric names to the mean row's values, leaving out
// undefined (NaN) ones, which JSON cannot carry.
func meanMetrics(res metrics.Result) map[string]float64 {
	out := map[string]float64{}
	for i, v := range res.Values() {
		if !math.IsNaN(v) {
			out[metrics.MetricNames[i]] = v
		}
	}
	return out
}
