package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/model"
)

// Hooks lets the caller observe and extend a run. Every field may be nil.
type Hooks struct {
	// Step is called after every optimiser step with the images it used.
	Step func(st StepStats, images int)
	// EpochEnd is called after each epoch (t.Epoch is the number completed);
	// an error stops the run.
	EpochEnd func(t *Trainer) error
}

// FeatureCache keeps the frozen encoder's features of every training image.
// Without augmentation they never change, so computing them once turns an
// epoch into fusion + decoder work only.
type FeatureCache struct {
	N       int
	Samples []data.Sample // the N cached images, in cache order
	per     [3]int        // values per image at each level
	level   [3][]float32  // N·per[i] values
}

// Batch returns the cached features of images lo..hi-1 (views into the
// cache: read only).
func (c *FeatureCache) Batch(lo, hi int) [3][]float32 {
	var f [3][]float32
	for i := range f {
		f[i] = c.level[i][lo*c.per[i] : hi*c.per[i]]
	}
	return f
}

// CacheBytes is the memory a cache of n images needs for model m.
func CacheBytes(m *model.MambaAD, n int) int64 {
	ch, sides := m.FeatureShapes()
	var per int64
	for i := range ch {
		per += int64(ch[i] * sides[i] * sides[i])
	}
	return per * 4 * int64(n)
}

// BuildCache runs the encoder over every sample of l (in its unshuffled
// order, epoch 0) and stores the features. progress (may be nil) is told
// how many images are done.
func BuildCache(ctx context.Context, m *model.MambaAD, l *data.Loader, n int, progress func(done int)) (*FeatureCache, error) {
	ch, sides := m.FeatureShapes()
	c := &FeatureCache{}
	for i := range ch {
		c.per[i] = ch[i] * sides[i] * sides[i]
		c.level[i] = make([]float32, 0, n*c.per[i])
	}
	it := l.Epoch(ctx, 0)
	defer it.Close()
	for {
		b, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		f := m.Features(b.Images, b.Len())
		for i := range f {
			c.level[i] = append(c.level[i], f[i]...)
		}
		c.N += b.Len()
		c.Samples = append(c.Samples, b.Samples...)
		if progress != nil {
			progress(c.N)
		}
	}
	if c.N == 0 {
		return nil, fmt.Errorf("train: no training image could be read")
	}
	return c, nil
}

// gather copies the features of images idx into dst (allocated as needed).
func (c *FeatureCache) gather(idx []int, dst *[3][]float32) {
	for i := range dst {
		dst[i] = ensure(dst[i], len(idx)*c.per[i])
		for j, k := range idx {
			copy(dst[i][j*c.per[i]:(j+1)*c.per[i]], c.level[i][k*c.per[i]:(k+1)*c.per[i]])
		}
	}
}

// EpochOrder is the deterministic shuffled order of n cached images in an
// epoch: the same seed and epoch give the same order on any machine.
func EpochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch)+0x65706f6368)).Perm(n)
}

// ItersPerEpoch is the number of full batches (the reference drops the last
// partial batch).
func ItersPerEpoch(n, batch int) int { return n / batch }

// RunCached trains until the last epoch from cached features. It returns
// ctx's error if cancelled between steps (the trainer's state is then
// consistent and can be saved).
func (t *Trainer) RunCached(ctx context.Context, c *FeatureCache, h Hooks) error {
	bs := t.Options.BatchSize
	var buf [3][]float32
	for !t.Done() {
		ep := t.Epoch
		order := EpochOrder(t.Options.Seed, ep, c.N)
		for t.Epoch == ep {
			if err := ctx.Err(); err != nil {
				return err
			}
			s := t.StepInEpoch
			c.gather(order[s*bs:(s+1)*bs], &buf)
			st, err := t.Step(buf, bs)
			if err != nil {
				return err
			}
			if h.Step != nil {
				h.Step(st, bs)
			}
		}
		if h.EpochEnd != nil {
			if err := h.EpochEnd(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// RunStreaming trains until the last epoch, encoding every batch as it
// comes from the loader (for augmented data or sets too large to cache).
// The loader must shuffle with drop-last so epochs are deterministic and a
// resumed run can skip the steps already done.
func (t *Trainer) RunStreaming(ctx context.Context, l *data.Loader, h Hooks) error {
	for !t.Done() {
		ep := t.Epoch
		it := l.Epoch(ctx, ep)
		skip := t.StepInEpoch
		for t.Epoch == ep {
			b, err := it.Next()
			if errors.Is(err, io.EOF) {
				// A short epoch (skipped bad files): count it as complete.
				t.Epoch, t.StepInEpoch = ep+1, 0
				break
			}
			if err != nil {
				it.Close()
				return err
			}
			if skip > 0 {
				skip--
				continue
			}
			f := t.Model.Features(b.Images, b.Len())
			st, err := t.Step(f, b.Len())
			if err != nil {
				it.Close()
				return err
			}
			if h.Step != nil {
				h.Step(st, b.Len())
			}
		}
		it.Close()
		if h.EpochEnd != nil {
			if err := h.EpochEnd(t); err != nil {
				return err
			}
		}
	}
	return nil
}
