package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// LoaderConfig sets how a Loader batches samples.
type LoaderConfig struct {
	Size, Crop int // resize to Size×Size, then centre-crop to Crop×Crop (0 = Size)
	BatchSize  int
	Shuffle    bool   // a new order every epoch, derived from Seed and the epoch
	Seed       uint64 // same seed, same order, on any machine
	DropLast   bool   // drop a final batch smaller than BatchSize
	Masks      bool   // also load ground-truth masks (evaluation)
	// Workers is the number of decoding goroutines (0 = min(GOMAXPROCS, 4)).
	// They are the loader's own rather than package parallel's pool, so that
	// decoding overlaps the model's compute instead of queueing behind it.
	Workers int
	// Prefetch bounds memory: at most this many batches are decoded or
	// waiting ahead of the consumer (0 = 2).
	Prefetch int
	// SkipBad drops samples whose files cannot be read (corrupt, truncated,
	// missing, mismatched mask) instead of failing the epoch; each is
	// reported to Warn, from one goroutine at a time. A batch can then be
	// shorter than BatchSize; a batch with nothing left is not delivered.
	SkipBad bool
	Warn    func(s Sample, err error)
}

// Batch is a group of preprocessed samples, in loader order.
type Batch struct {
	Images  []float32 // B×3×Crop×Crop, ImageNet-normalised
	Masks   []uint8   // B×Crop×Crop of 0/1, nil unless LoaderConfig.Masks
	Samples []Sample
	Crop    int
}

// Len is the number of samples in the batch.
func (b *Batch) Len() int { return len(b.Samples) }

// Loader turns a sample list into batches, epoch after epoch.
type Loader struct {
	samples []Sample
	cfg     LoaderConfig
}

// NewLoader checks cfg and fills in its defaults.
func NewLoader(samples []Sample, cfg LoaderConfig) (*Loader, error) {
	if cfg.Crop == 0 {
		cfg.Crop = cfg.Size
	}
	if err := checkGeometry(cfg.Size, cfg.Crop); err != nil {
		return nil, err
	}
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: batch size %d must be positive", cfg.BatchSize)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = min(runtime.GOMAXPROCS(0), 4)
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 2
	}
	if cfg.Warn == nil {
		cfg.Warn = func(Sample, error) {}
	}
	return &Loader{samples: samples, cfg: cfg}, nil
}

// Batches is the number of batches per epoch (before any skipping).
func (l *Loader) Batches() int {
	n, b := len(l.samples), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// Order returns the sample indices of an epoch in delivery order.
func (l *Loader) Order(epoch int) []int {
	order := make([]int, len(l.samples))
	for i := range order {
		order[i] = i
	}
	if l.cfg.Shuffle {
		r := splitmix.New(l.cfg.Seed ^ uint64(epoch)*0xd1b54a32d192ed03)
		for i := len(order) - 1; i > 0; i-- {
			j := r.Intn(i + 1)
			order[i], order[j] = order[j], order[i]
		}
	}
	return order
}

// Epoch starts decoding epoch number epoch. Read it with Next until io.EOF
// and then Close it (Close may also be called early). Cancelling ctx stops
// the epoch; Next then returns ctx's error.
func (l *Loader) Epoch(ctx context.Context, epoch int) *Iter {
	ctx, cancel := context.WithCancel(ctx)
	it := &Iter{ctx: ctx, cancel: cancel, out: make(chan result, l.cfg.Prefetch),
		slots: make(chan struct{}, l.cfg.Prefetch)}
	order := l.Order(epoch)
	var chunks [][]int
	for lo := 0; lo < len(order); lo += l.cfg.BatchSize {
		hi := min(lo+l.cfg.BatchSize, len(order))
		if hi-lo < l.cfg.BatchSize && l.cfg.DropLast {
			break
		}
		chunks = append(chunks, order[lo:hi])
	}
	it.run(l, chunks)
	return it
}

// errStopped marks samples abandoned because the epoch was cancelled.
var errStopped = errors.New("stopped")

type result struct {
	b   *Batch
	err error
}

// Iter delivers one epoch's batches.
type Iter struct {
	ctx    context.Context
	cancel context.CancelFunc
	out    chan result
	slots  chan struct{} // one token per batch allocated but not yet delivered
	wg     sync.WaitGroup
	err    error
}

// Next returns the next batch, io.EOF after the last one, or the first
// error (a bad file when SkipBad is off, or the context's error).
func (it *Iter) Next() (*Batch, error) {
	if it.err != nil {
		return nil, it.err
	}
	select {
	case r, ok := <-it.out:
		switch {
		case !ok:
			it.err = io.EOF
			if err := it.ctx.Err(); err != nil {
				it.err = err
			}
		case r.err != nil:
			it.err = r.err
			it.cancel()
		default:
			<-it.slots
			return r.b, nil
		}
	case <-it.ctx.Done():
		it.err = it.ctx.Err()
	}
	return nil, it.err
}

// Close stops the epoch and waits for its goroutines to finish.
func (it *Iter) Close() {
	it.cancel()
	it.wg.Wait()
	if it.err == nil {
		it.err = errors.New("data: epoch closed")
	}
}
