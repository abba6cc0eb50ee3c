package predict

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"sync"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/imageio"
)

// Result is one image's outcome, printed as a JSON line: the path, the
// detector's decision (class, score, threshold, normalised score, verdict)
// and the files written. Score is absent when the image could not be read
// (Error says why); the verdict is absent without a threshold.
type Result struct {
	Path string `json:"path"`
	*detector.Decision
	Heatmap string `json:"heatmap,omitempty"` // overlay PNG
	Mask    string `json:"mask,omitempty"`    // binary mask PNG (needs a threshold)
	Error   string `json:"error,omitempty"`
}

// Threshold is the decision threshold of the result (nil: none).
func (r *Result) Threshold() *float64 {
	if r.Decision == nil {
		return nil
	}
	return r.Decision.Threshold
}

// Options control a prediction run.
type Options struct {
	// Class is the product class of every image ("": infer each image's
	// class when the detector has prototypes).
	Class string
	// Threshold overrides the calibrated thresholds (nil: use them).
	Threshold *float64
	OutDir    string // "" writes no images
	BatchSize int    // 0 = 8
	// Lo and Hi fix the heat-map colour scale; both 0 scale each map from
	// its own minimum to max(its maximum, the threshold).
	Lo, Hi float32
	// Size and Crop are the preprocessing: resize to Size×Size, then
	// centre-crop to Crop×Crop, which must be the model's image size.
	// 0 means the model's image size (a plain resize).
	Size, Crop int
}

// batchPixels bounds the decoded input pixels a batch holds from scoring
// to drawing: a batch ends early when it reaches this many, so a batch of
// huge images is never all in memory at once (a 100-megapixel input forms
// a batch of its own).
const batchPixels = 32 << 20

// Run scores paths with d and calls emit for each, in input order, on the
// caller's goroutine. A file that cannot be read gives a Result with Error
// set; Run goes on with the rest and returns the number of such failures.
//
// The heat map and the mask of an image are written at the image's own
// resolution (see WriteImages).
//
// Run is a pipeline of three stages, so that reading and writing files
// overlap the network: a reader decodes the next batches (several files
// at once) while the network scores the current one, and the heat maps
// and masks of the previous batch are written (several at once) meanwhile.
// Batches are formed exactly as one after another would form them, so the
// results, and every file written, are the same bytes. Memory stays
// bounded: the reader holds at most two batches' worth of decoded pixels
// (2·batchPixels) ahead of the network, and hands over one batch at a
// time. When ctx is cancelled every stage stops, Run waits for them and
// returns ctx's error; each file is written atomically, so none is left
// half-written.
func Run(ctx context.Context, d *detector.Detector, paths []string, o Options, emit func(Result)) (failed int, err error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	s := d.Model.Cfg.ImageSize
	if o.Crop == 0 {
		o.Crop = s
	}
	if o.Size == 0 {
		o.Size = o.Crop
	}
	if o.Crop != s {
		return 0, fmt.Errorf("predict: crop %d differs from the model's image size %d", o.Crop, s)
	}
	if err := d.CheckClass(o.Class); err != nil {
		return 0, err
	}
	if len(paths) == 0 {
		return 0, nil
	}
	names := outputNames(paths)
	workers := max(1, min(runtime.GOMAXPROCS(0), o.BatchSize))

	pctx := ctx
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	ahead := newBudget(2 * batchPixels)
	batches := make(chan *batch, 1) // reader → network
	scored := make(chan *batch)     // network → writer (this goroutine)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(batches)
		readBatches(ctx, paths, o, workers, ahead, batches)
	}()
	go func() {
		defer wg.Done()
		defer close(scored)
		for b := range batches {
			ahead.release(b.px)
			if ctx.Err() != nil {
				return
			}
			if len(b.ok) > 0 {
				b.score(d, o)
			}
			select {
			case scored <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	done := 0
	for b := range scored {
		n, err := b.finish(ctx, names, o, workers, emit)
		failed += n
		if err != nil {
			return failed, err
		}
		done += len(b.entries)
	}
	if done < len(paths) { // the stages stop early only when ctx is done
		if err := pctx.Err(); err != nil {
			return failed, err
		}
		return failed, fmt.Errorf("predict: stopped after %d of %d inputs", done, len(paths))
	}
	return failed, nil
}

// entry is one input on its way through the pipeline: its decoded picture
// (kept for the heat map) and network input, or why it could not be read.
type entry struct {
	i    int
	pic  image.Image
	in   []float32 // network input, until scored
	amap []float32 // anomaly map, until written
	err  error
	r    Result
}

// batch is what the network scores at once: the entries of consecutive
// inputs, the unreadable ones included (they only pass through).
type batch struct {
	entries []*entry
	ok      []*entry // the readable ones, in order
	px      int      // pixels held against the reader's budget
}

// readBatches decodes paths in order, workers files at a time, and sends
// them in batches formed as a sequential loop would: up to o.BatchSize
// readable images, ending early once the pictures kept for the heat maps
// reach batchPixels. Each file's pixels (read from its header) are taken
// from the ahead budget before it is decoded and given back when the
// network takes its batch (at once when no picture is kept).
func readBatches(ctx context.Context, paths []string, o Options, workers int, ahead *budget, out chan<- *batch) {
	type future struct {
		px int
		c  chan *entry
	}
	futures := make(chan future, workers-1)
	go func() {
		defer close(futures)
		for i, p := range paths {
			px := 0
			if info, err := imageio.Stat(p); err == nil {
				px = min(info.Width*info.Height, batchPixels)
			}
			if !ahead.acquire(ctx, px) {
				return
			}
			f := future{px, make(chan *entry, 1)}
			select {
			case futures <- f:
			case <-ctx.Done():
				ahead.release(px)
				return
			}
			go func() {
				e := &entry{i: i, r: Result{Path: p}}
				if e.pic, e.err = imageio.DecodeFile(p); e.err == nil {
					e.in = data.ImageTensor(e.pic, o.Size, o.Crop)
				}
				if o.OutDir == "" {
					e.pic = nil
				}
				f.c <- e
			}()
		}
	}()
	// Drain on the way out so that no decoder is left blocked and every
	// reserved pixel is returned.
	defer func() {
		for f := range futures {
			<-f.c
			ahead.release(f.px)
		}
	}()
	b, pixels := &batch{}, 0
	for {
		var f future
		var more bool
		select {
		case f, more = <-futures:
		case <-ctx.Done():
			return
		}
		if more {
			var e *entry
			select {
			case e = <-f.c:
			case <-ctx.Done():
				ahead.release(f.px)
				return
			}
			if o.OutDir == "" || e.err != nil {
				ahead.release(f.px)
			} else {
				b.px += f.px
			}
			b.entries = append(b.entries, e)
			if e.err == nil {
				b.ok = append(b.ok, e)
				if e.pic != nil {
					pixels += e.pic.Bounds().Dx() * e.pic.Bounds().Dy()
				}
			}
			if len(b.ok) < o.BatchSize && pixels < batchPixels {
				continue
			}
		}
		if len(b.entries) > 0 {
			select {
			case out <- b:
			case <-ctx.Done():
				ahead.release(b.px)
				return
			}
		}
		if !more {
			return
		}
		b, pixels = &batch{}, 0
	}
}

// score runs the network over the batch's readable images and decides
// each one.
func (b *batch) score(d *detector.Detector, o Options) {
	s := o.Crop
	imgs := make([]float32, 0, len(b.ok)*3*s*s)
	for _, e := range b.ok {
		imgs = append(imgs, e.in...)
		e.in = nil
	}
	p := d.Predict(imgs, len(b.ok))
	for j, e := range b.ok {
		var guess *detector.ClassGuess
		if p.Classes != nil {
			guess = &p.Classes[j]
		}
		dec := d.Decide(p.Scores[j], o.Class, guess, o.Threshold)
		e.r.Decision = &dec
		if o.OutDir != "" {
			e.amap = p.Map(j)
		}
	}
}

// finish writes the heat maps and masks of the batch, workers at a time,
// and emits its results in input order. It stops at the first write error
// (the results before it emitted) or when ctx is done.
func (b *batch) finish(ctx context.Context, names []string, o Options, workers int, emit func(Result)) (failed int, err error) {
	errs := make([]error, len(b.ok))
	if o.OutDir != "" {
		next := make(chan int)
		var wg sync.WaitGroup
		for range min(workers, len(b.ok)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range next {
					e := b.ok[j]
					errs[j] = ctx.Err()
					if errs[j] == nil {
						errs[j] = WriteImages(&e.r, names[e.i], e.pic, e.amap, o)
					}
					e.pic, e.amap = nil, nil
				}
			}()
		}
		for j := range b.ok {
			next <- j
		}
		close(next)
		wg.Wait()
	}
	j := 0
	for _, e := range b.entries {
		if e.err != nil {
			failed++
			emit(Result{Path: e.r.Path, Error: e.err.Error()})
			continue
		}
		if err := errs[j]; err != nil {
			return failed, err
		}
		j++
		emit(e.r)
	}
	return failed, nil
}

// budget is a counting semaphore of pixels for the reader, which is its
// only acquirer (so a waiting request cannot be overtaken).
type budget struct {
	mu    sync.Mutex
	free  int
	freed chan struct{}
}

func newBudget(n int) *budget { return &budget{free: n, freed: make(chan struct{}, 1)} }

// acquire takes n, waiting until it is free; false if ctx ended first.
func (b *budget) acquire(ctx context.Context, n int) bool {
	for {
		b.mu.Lock()
		if n <= b.free {
			b.free -= n
			b.mu.Unlock()
			return true
		}
		b.mu.Unlock()
		select {
		case <-b.freed:
		case <-ctx.Done():
			return false
		}
	}
}

func (b *budget) release(n int) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
	select {
	case b.freed <- struct{}{}:
	default:
	}
}
