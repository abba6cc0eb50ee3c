package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/mambaad/mambaad/app/train"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/metrics"
	"github.com/mambaad/mambaad/model"
)

// datasetInfo is stored in checkpoints so that `test` can find the data.
type datasetInfo struct {
	Root    string `json:"root"`
	Dataset string `json:"dataset"`
	Classes string `json:"classes"`
}

// trainRun is one training run in progress: its configuration, data,
// trainer and logs.
type trainRun struct {
	cfg       Config
	out, warn io.Writer
	quiet     bool
	ds        data.Dataset
	classes   []string
	tr        *train.Trainer
	enc       encoderInfo
	log       *os.File
	bar       *progress
	meta      map[string]string
	src       source
	epoch     epochStats
	start     time.Time
}

// epochStats accumulates what an epoch's JSONL line reports.
type epochStats struct {
	loss, norm float64
	steps      int
	images     int
	start      time.Time
}

func runTrain(ctx context.Context, cfg Config, resume string, quiet bool, out, warn io.Writer) error {
	r := &trainRun{cfg: cfg, out: out, warn: warn, quiet: quiet, start: time.Now()}
	if err := r.setup(resume); err != nil {
		return err
	}
	defer r.log.Close()
	err := r.loop(ctx)
	last := filepath.Join(cfg.Out, "last.ckpt")
	if errors.Is(err, context.Canceled) {
		r.bar.finish()
		if serr := r.tr.Save(last, r.meta); serr != nil {
			return fmt.Errorf("interrupted, and saving %s failed: %w", last, serr)
		}
		fmt.Fprintf(warn, "interrupted at epoch %d, step %d: saved %s\ncontinue with: mambaad train --out %s --resume\n",
			r.tr.Epoch+1, r.tr.StepInEpoch, last, cfg.Out)
		return errInterrupted
	}
	if err != nil {
		return err
	}
	r.bar.finish()
	final := filepath.Join(cfg.Out, "model.ckpt")
	for _, p := range []string{last, final} {
		if err := r.tr.Save(p, r.meta); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "trained %d epochs (%d steps) in %s; model: %s\n", r.tr.Epoch, r.tr.Iter,
		time.Since(r.start).Round(time.Second), final)
	return r.finalEval(ctx, final)
}

// setup opens the data, builds or resumes the model and opens the log.
func (r *trainRun) setup(resume string) error {
	cfg := r.cfg
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return err
	}
	last := filepath.Join(cfg.Out, "last.ckpt")
	if resume == "last" {
		resume = last
	}
	if _, err := os.Stat(last); err == nil && resume == "" {
		return fmt.Errorf("%s already holds a run (%s); continue it with --resume or choose another --out", cfg.Out, last)
	}
	ds, err := data.Open(cfg.Data.Dataset, cfg.Data.Root, data.Options{})
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
	var m *model.MambaAD
	if resume != "" {
		tr, f, err := train.Resume(resume)
		if err != nil {
			return err
		}
		r.tr, m = tr, tr.M
		json.Unmarshal([]byte(f.Meta["encoder"]), &r.enc)
		fmt.Fprintf(r.warn, "resuming %s at epoch %d, step %d\n", resume, tr.Epoch+1, tr.StepInEpoch)
	} else {
		if m, r.enc, err = buildModel(cfg.Model, cfg.Train.Seed, r.warn); err != nil {
			return err
		}
	}
	if err := r.prepareMeta(); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(cfg.Out, "config.yaml"), func(w io.Writer) error {
		_, err := io.WriteString(w, cfg.yamlString())
		return err
	}); err != nil {
		return err
	}
	r.log, err = os.OpenFile(filepath.Join(cfg.Out, "train.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return r.prepareTrainer(m, samples)
}

func (r *trainRun) prepareMeta() error {
	enc, _ := json.Marshal(r.enc)
	ds, _ := json.Marshal(datasetInfo{Root: r.cfg.Data.Root, Dataset: r.ds.Name(), Classes: r.cfg.Data.Classes})
	r.meta = map[string]string{"encoder": string(enc), "dataset": string(ds), "run_config": r.cfg.yamlString()}
	return nil
}

// source is where each step's encoder features come from.
type source struct {
	cache  *train.FeatureCache
	loader *data.Loader
}

// prepareTrainer decides between the feature cache and streaming, and
// creates (or checks the resumed) trainer.
func (r *trainRun) prepareTrainer(m *model.MambaAD, samples []data.Sample) error {
	cfg := r.cfg
	mc := m.Cfg
	l, err := data.NewLoader(samples, data.LoaderConfig{Size: mc.ImageSize, BatchSize: cfg.Train.BatchSize,
		Shuffle: true, Seed: cfg.Train.Seed, DropLast: true, SkipBad: cfg.Data.SkipBad, Workers: cfg.Data.Workers,
		Warn: func(s data.Sample, err error) { fmt.Fprintf(r.warn, "warning: skipping %s: %v\n", s.Path, err) }})
	if err != nil {
		return err
	}
	iters := l.Batches()
	need := train.CacheBytes(m, len(samples))
	useCache := cfg.Train.CacheFeatures && need <= int64(cfg.Train.CacheLimitMB)<<20
	if cfg.Train.CacheFeatures && !useCache {
		fmt.Fprintf(r.warn, "note: caching features would need %d MB (limit %d MB): encoding every batch instead\n", need>>20, cfg.Train.CacheLimitMB)
	}
	src := source{loader: l}
	if useCache {
		unshuffled, err := data.NewLoader(samples, data.LoaderConfig{Size: mc.ImageSize, BatchSize: 8,
			SkipBad: cfg.Data.SkipBad, Workers: cfg.Data.Workers,
			Warn: func(s data.Sample, err error) { fmt.Fprintf(r.warn, "warning: skipping %s: %v\n", s.Path, err) }})
		if err != nil {
			return err
		}
		bar := newProgress(len(samples), "encoding", "img", r.quiet)
		c, err := train.BuildCache(context.Background(), m, unshuffled, len(samples), bar.set)
		bar.finish()
		if err != nil {
			return err
		}
		src.cache = c
		iters = train.ItersPerEpoch(c.N, cfg.Train.BatchSize)
	}
	if r.tr == nil {
		if r.tr, err = train.NewTrainer(m, cfg.Train.Options, iters); err != nil {
			return err
		}
	} else if r.tr.ItersPerEp != iters {
		return fmt.Errorf("the training set changed since the checkpoint (%d steps per epoch then, %d now)", r.tr.ItersPerEp, iters)
	} else if e := cfg.Train.Epochs; e != r.tr.O.Epochs {
		if err := r.tr.SetEpochs(e); err != nil {
			return err
		}
		fmt.Fprintf(r.warn, "note: the run now lasts %d epochs (the learning-rate milestone moves with it)\n", e)
	}
	r.src = src
	return nil
}

// loop runs the remaining epochs with logging, checkpoints and evaluations.
func (r *trainRun) loop(ctx context.Context) error {
	t := r.tr
	o := t.O
	// The bar counts images, so its rate is images/s and its ETA is the run's.
	total := o.Epochs * t.ItersPerEp * o.BatchSize
	r.bar = newProgress(total, "training", "img", r.quiet)
	r.bar.set(t.Iter * o.BatchSize)
	fmt.Fprintf(r.warn, "training %d epochs × %d steps of %d images at %d², %s encoder, lr %g\n",
		o.Epochs, t.ItersPerEp, o.BatchSize, t.M.Cfg.ImageSize, t.M.Cfg.Backbone, o.BaseLR())
	r.epoch = epochStats{start: time.Now()}
	h := train.Hooks{
		Step: func(st train.StepStats, images int) {
			e := &r.epoch
			e.loss += st.Loss
			e.norm += st.GradNorm
			e.steps++
			e.images += images
			r.bar.describe(fmt.Sprintf("epoch %d/%d loss %.4f", t.Epoch+1, o.Epochs, e.loss/float64(e.steps)))
			r.bar.add(images)
		},
		EpochEnd: r.epochEnd,
	}
	if r.src.cache != nil {
		return t.RunCached(ctx, r.src.cache, h)
	}
	return t.RunStreaming(ctx, r.src.loader, h)
}

// epochLine is one JSONL record of train.jsonl.
type epochLine struct {
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
	line := epochLine{Epoch: t.Epoch, Iter: t.Iter, LR: t.Opt.LR, Images: e.images, Seconds: secs,
		Elapsed: time.Since(r.start).Seconds(), Time: time.Now().UTC().Format(time.RFC3339)}
	if e.steps > 0 {
		line.Loss, line.GradNorm = e.loss/float64(e.steps), e.norm/float64(e.steps)
		line.ImagesPerSec = float64(e.images) / secs
	}
	every := r.cfg.Train.CheckpointEvery
	if every > 0 && t.Epoch%every == 0 && !t.Done() {
		if err := t.Save(filepath.Join(r.cfg.Out, "last.ckpt"), r.meta); err != nil {
			return err
		}
	}
	if ev := r.cfg.Train.EvalEvery; ev > 0 && t.Epoch%ev == 0 && !t.Done() {
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
	if r.bar.bar == nil && !r.quiet {
		fmt.Fprintf(r.warn, "epoch %d/%d loss %.5f lr %.3g %.1f img/s\n", t.Epoch, t.O.Epochs, line.Loss, line.LR, line.ImagesPerSec)
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
	dir := filepath.Join(r.cfg.Out, fmt.Sprintf("eval-epoch%d", r.tr.Epoch))
	res, err := evalAndWrite(context.Background(), r.tr.M, samples, r.cfg.Eval, dir, r.info(""), io.Discard, r.warn, true)
	r.tr.TrainMode()
	if err != nil {
		return nil, err
	}
	return meanMetrics(res.Table.Mean), nil
}

func (r *trainRun) info(ckpt string) runInfo {
	return runInfo{Command: "train", Checkpoint: ckpt, Dataset: r.cfg.Data.Root, Encoder: r.enc, Config: r.tr.M.Cfg, Threshold: noThreshold}
}

// finalEval evaluates the trained model on the test split, if there is one.
func (r *trainRun) finalEval(ctx context.Context, ckpt string) error {
	samples, err := r.ds.Samples(data.Test, r.classes)
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		fmt.Fprintln(r.out, "no test split: skipping the evaluation")
		return nil
	}
	_, err = evalAndWrite(ctx, r.tr.M, samples, r.cfg.Eval, filepath.Join(r.cfg.Out, "eval"), r.info(ckpt), r.out, r.warn, r.quiet)
	if errors.Is(err, context.Canceled) {
		return errInterrupted
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
