package serve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/nn"
)

// Model is one served model name: its spec, the loaded instance (swapped
// atomically on reload) and its queue, which outlives reloads so that no
// queued request is lost by one.
type Model struct {
	Name  string
	spec  ModelSpec
	cfg   *Config
	queue chan *job
	inst  atomic.Pointer[instance]
	// reloadMu serialises loads of this model.
	reloadMu sync.Mutex
	met      *metrics
	// perImage is the recent inference time per image in nanoseconds
	// (for Retry-After).
	perImage atomic.Int64
	// workers counts running worker goroutines of every instance.
	workers sync.WaitGroup
}

// instance is one loaded version: a detector per worker.
type instance struct {
	version  string
	path     string
	loadedAt time.Time
	dets     []*detector.Detector
	stop     chan struct{}
	info     ModelInfo
}

// ModelInfo is what the page and the metadata endpoints say about a loaded
// model.
type ModelInfo struct {
	Name       string                   `json:"name"`
	Version    string                   `json:"version"`
	Path       string                   `json:"path"`
	LoadedAt   time.Time                `json:"loaded_at"`
	Method     string                   `json:"method"`
	ImageSize  int                      `json:"image_size"`
	Backbone   string                   `json:"backbone"`
	Encoder    string                   `json:"encoder"`
	RandomEnc  bool                     `json:"random_encoder"`
	Classes    []string                 `json:"classes"`
	Thresholds map[string]ThresholdInfo `json:"thresholds"`
	Global     *ThresholdInfo           `json:"global_threshold,omitempty"`
	Dataset    string                   `json:"dataset,omitempty"`
	MaxBatch   int                      `json:"max_batch"`
	Workers    int                      `json:"workers"`
}

// ThresholdInfo is one calibrated threshold.
type ThresholdInfo struct {
	Value  float64 `json:"value"`
	Method string  `json:"method,omitempty"`
	FPR    float64 `json:"fpr,omitempty"`
	Images int     `json:"images,omitempty"`
}

func thresholdInfo(t detector.Threshold) ThresholdInfo {
	return ThresholdInfo{Value: t.Value, Method: t.Method, FPR: t.FPR, Images: t.Images}
}

func newModel(spec ModelSpec, cfg *Config, met *metrics) *Model {
	return &Model{Name: spec.Name, spec: spec, cfg: cfg, queue: make(chan *job, cfg.QueueSize), met: met}
}

// current is the serving instance (nil before the first load).
func (m *Model) current() *instance { return m.inst.Load() }

// Info describes the serving instance.
func (m *Model) Info() (ModelInfo, bool) {
	in := m.current()
	if in == nil {
		return ModelInfo{Name: m.Name}, false
	}
	return in.info, true
}

// resolveVersion finds the checkpoint a spec path names now and its
// version. A file is its own version, named by the start of its SHA-256. A
// directory holding model.ckpt (or exactly one *.ckpt) is that file. Any
// other directory is a model repository: each sub-directory holding a
// checkpoint is a version, and the highest (numerically when every name is
// a number, else by name) is served — the layout of Triton and OpenVINO
// Model Server, so a new version is published by adding a directory and
// reloading.
func resolveVersion(path string) (file, version string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	if !st.IsDir() {
		sum, err := modelio.FileSHA256(path)
		if err != nil {
			return "", "", err
		}
		return path, sum[:12], nil
	}
	if f, ok := dirCheckpoint(path); ok {
		sum, err := modelio.FileSHA256(f)
		if err != nil {
			return "", "", err
		}
		return f, sum[:12], nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", "", err
	}
	var versions []string
	files := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		if f, ok := dirCheckpoint(filepath.Join(path, e.Name())); ok {
			versions = append(versions, e.Name())
			files[e.Name()] = f
		}
	}
	if len(versions) == 0 {
		return "", "", fmt.Errorf("%s: no checkpoint (want model.ckpt, one *.ckpt, or version sub-directories holding one)", path)
	}
	numeric := true
	for _, v := range versions {
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			numeric = false
		}
	}
	sort.Slice(versions, func(i, j int) bool {
		if numeric {
			a, _ := strconv.ParseUint(versions[i], 10, 64)
			b, _ := strconv.ParseUint(versions[j], 10, 64)
			return a < b
		}
		return versions[i] < versions[j]
	})
	v := versions[len(versions)-1]
	return files[v], v, nil
}

// dirCheckpoint is the checkpoint a directory holds directly: model.ckpt,
// else its only *.ckpt.
func dirCheckpoint(dir string) (string, bool) {
	f := filepath.Join(dir, "model.ckpt")
	if st, err := os.Stat(f); err == nil && !st.IsDir() {
		return f, true
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*.ckpt"))
	if len(m) == 1 {
		return m[0], true
	}
	return "", false
}

// ErrUnchanged is returned by load when the checkpoint is the version
// already serving.
var ErrUnchanged = errors.New("the checkpoint is the version already serving")

// load reads the spec's current checkpoint, warms it up and swaps it in;
// on any failure the serving instance (if any) stays. force reloads even
// an unchanged version.
func (m *Model) load(force bool) (string, error) {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	file, version, err := resolveVersion(m.spec.Path)
	if err != nil {
		return "", err
	}
	old := m.current()
	if old != nil && !force && old.version == version && old.path == file {
		return version, ErrUnchanged
	}
	in := &instance{version: version, path: file, loadedAt: time.Now(), stop: make(chan struct{})}
	for range m.cfg.Workers {
		d, err := detector.Load(file)
		if err != nil {
			return "", err
		}
		if err := d.Model.SetPrecision(m.cfg.Precision); err != nil {
			return "", err
		}
		if old != nil && d.Model.Cfg.ImageSize != old.dets[0].Model.Cfg.ImageSize {
			m.cfg.Logger.Warn("the new version has another image size; queued images of the old size are answered 503", "model", m.Name,
				"old", old.dets[0].Model.Cfg.ImageSize, "new", d.Model.Cfg.ImageSize)
		}
		if !m.cfg.NoWarmup {
			if err := warmup(d); err != nil {
				return "", fmt.Errorf("%s: warm-up: %w", file, err)
			}
		}
		in.dets = append(in.dets, d)
	}
	in.info = m.describe(in)
	if old != nil {
		close(old.stop) // old workers finish their batch, then exit
	}
	m.inst.Store(in)
	for _, d := range in.dets {
		m.workers.Add(1)
		go m.work(in, d)
	}
	if old != nil {
		m.met.modelInfo.DeleteLabelValues(m.Name, old.version)
	}
	m.met.modelInfo.WithLabelValues(m.Name, version).Set(1)
	// The warm-up's activation buffers go back to the system: an idle
	// server holds its weights, not a batch's worth of scratch (the first
	// batch allocates them again, a few milliseconds).
	nn.ReleaseScratch()
	debug.FreeOSMemory()
	return version, nil
}

// warmup runs one forward pass so the first request does not pay for
// first-touch page faults and buffer allocation.
func warmup(d *detector.Detector) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	s := d.Model.Cfg.ImageSize
	d.Predict(make([]float32, 3*s*s), 1)
	return nil
}

func (m *Model) describe(in *instance) ModelInfo {
	d := in.dets[0]
	meta := d.Meta
	info := ModelInfo{Name: m.Name, Version: in.version, Path: in.path, LoadedAt: in.loadedAt,
		Method: string(meta.Method), ImageSize: d.Model.Cfg.ImageSize, Backbone: d.Model.Cfg.Backbone,
		Encoder: meta.Encoder.String(), RandomEnc: meta.Encoder.Random, Thresholds: map[string]ThresholdInfo{},
		Dataset: meta.Dataset.Dataset, MaxBatch: m.cfg.MaxBatch, Workers: m.cfg.Workers, Classes: []string{}}
	if d.Protos != nil {
		info.Classes = slices.Clone(d.Protos.Names)
	}
	for c, t := range meta.Thresholds.Classes {
		info.Thresholds[c] = thresholdInfo(t)
		if !slices.Contains(info.Classes, c) {
			info.Classes = append(info.Classes, c)
		}
	}
	if g := meta.Thresholds.Global; g != nil {
		t := thresholdInfo(*g)
		info.Global = &t
	}
	return info
}

// stopWorkers ends the serving instance's workers once the queue is no
// longer fed, and waits for them.
func (m *Model) stopWorkers() {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	if in := m.current(); in != nil {
		select {
		case <-in.stop:
		default:
			close(in.stop)
		}
	}
	m.workers.Wait()
}

// job is one image waiting for a worker.
type job struct {
	ctx      context.Context
	input    []float32 // 3×size×size, preprocessed
	size     int
	enqueued time.Time
	out      chan jobResult // buffered: a worker never blocks on it
}

// jobResult is a worker's answer for one image.
type jobResult struct {
	det     *detector.Detector
	version string
	score   float64
	amap    []float32 // size×size, shared with the other images of the batch (read only)
	size    int
	guess   *detector.ClassGuess
	batch   int
	queued  time.Duration
	infer   time.Duration
	err     error
}

// errBusy and friends are the ways enqueue refuses an image.
var (
	errQueueFull = errors.New("queue full")
	errNotLoaded = errors.New("model not loaded")
)

// enqueue hands an image to the workers without waiting: a full queue is
// an error at once.
func (m *Model) enqueue(j *job) error {
	if m.current() == nil {
		return errNotLoaded
	}
	j.enqueued = time.Now()
	select {
	case m.queue <- j:
		m.met.queueLen.WithLabelValues(m.Name).Set(float64(len(m.queue)))
		return nil
	default:
		return errQueueFull
	}
}

// retryAfter estimates the seconds until the queue has room: the images
// ahead times the recent time per image, over the workers (1–60 s).
func (m *Model) retryAfter() int {
	per := time.Duration(m.perImage.Load())
	if per <= 0 {
		per = 200 * time.Millisecond
	}
	s := int((time.Duration(len(m.queue)+m.cfg.MaxBatch)*per/time.Duration(m.cfg.Workers) + time.Second - 1) / time.Second)
	return min(max(s, 1), 60)
}

// work is one worker: it owns d and scores batches from the queue until
// its instance is replaced or the server stops.
func (m *Model) work(in *instance, d *detector.Detector) {
	defer m.workers.Done()
	size := d.Model.Cfg.ImageSize
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first *job
		select {
		case <-in.stop:
			return
		case first = <-m.queue:
		}
		batch := append(make([]*job, 0, m.cfg.MaxBatch), first)
		if m.cfg.MaxBatch > 1 {
			timer.Reset(m.cfg.MaxDelay)
		fill:
			for len(batch) < m.cfg.MaxBatch {
				select {
				case j := <-m.queue:
					batch = append(batch, j)
				case <-timer.C:
					break fill
				}
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		m.met.queueLen.WithLabelValues(m.Name).Set(float64(len(m.queue)))
		m.runBatch(in, d, size, batch)
	}
}

// runBatch scores the live images of a batch in one Predict call. Images
// whose request has already given up are skipped; a panic answers the
// batch with an error instead of ending the process.
func (m *Model) runBatch(in *instance, d *detector.Detector, size int, batch []*job) {
	start := time.Now()
	live := batch[:0:0]
	for _, j := range batch {
		switch {
		case j.ctx.Err() != nil:
			m.met.dropped.WithLabelValues(m.Name).Inc()
		case j.size != size:
			j.out <- jobResult{err: fmt.Errorf("the model was reloaded with image size %d while this %d×%d image waited; send it again", size, j.size, j.size)}
		default:
			live = append(live, j)
		}
	}
	if len(live) == 0 {
		return
	}
	plane := 3 * size * size
	images := make([]float32, len(live)*plane)
	for i, j := range live {
		m.met.queueWait.WithLabelValues(m.Name).Observe(start.Sub(j.enqueued).Seconds())
		copy(images[i*plane:], j.input)
	}
	p, err := predictSafe(d, images, len(live))
	took := time.Since(start)
	m.met.batchSize.WithLabelValues(m.Name).Observe(float64(len(live)))
	m.met.inferTime.WithLabelValues(m.Name).Observe(took.Seconds())
	if err != nil {
		m.cfg.Logger.Error("inference failed", "model", m.Name, "version", in.version, "batch", len(live), "err", err)
		for _, j := range live {
			j.out <- jobResult{err: err}
		}
		return
	}
	per := int64(took) / int64(len(live))
	if old := m.perImage.Load(); old > 0 {
		per = (3*old + per) / 4
	}
	m.perImage.Store(per)
	for i, j := range live {
		r := jobResult{det: d, version: in.version, score: p.Scores[i], amap: p.Map(i), size: size,
			batch: len(live), queued: start.Sub(j.enqueued), infer: took}
		if p.Classes != nil {
			g := p.Classes[i]
			r.guess = &g
		}
		j.out <- r
	}
}

// errInference marks a failure inside the model (a 500).
var errInference = errors.New("inference failed")

func predictSafe(d *detector.Detector, images []float32, n int) (p detector.Prediction, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: internal error: %v", errInference, r)
		}
	}()
	return d.Predict(images, n), nil
}
