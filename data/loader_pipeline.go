package data

import "sync"

// pending is a batch being decoded: workers fill its slots in any order and
// record per-slot errors; the assembler waits for all of them.
type pending struct {
	b    *Batch
	errs []error
	done sync.WaitGroup
}

type job struct {
	p    *pending
	slot int
}

// run starts three stages: a dispatcher that allocates each batch (after
// taking a slot, which bounds memory) and hands its samples to the workers,
// the workers, and an assembler that delivers batches in order.
func (it *Iter) run(l *Loader, chunks [][]int) {
	jobs := make(chan job)
	ready := make(chan *pending, l.cfg.Prefetch)
	it.wg.Add(2 + l.cfg.Workers)
	go func() {
		defer it.wg.Done()
		defer close(jobs)
		defer close(ready)
		for _, c := range chunks {
			if !it.dispatch(l, c, jobs, ready) {
				return
			}
		}
	}()
	for range l.cfg.Workers {
		go func() {
			defer it.wg.Done()
			for j := range jobs {
				j.p.errs[j.slot] = l.decode(j.p.b, j.slot)
				j.p.done.Done()
			}
		}()
	}
	go func() {
		defer it.wg.Done()
		defer close(it.out)
		for p := range ready {
			p.done.Wait()
			r, ok := l.assemble(p)
			if !ok {
				<-it.slots // nothing to deliver: give the slot back
				continue
			}
			select {
			case it.out <- r:
			case <-it.ctx.Done():
				return
			}
		}
	}()
}

// dispatch queues one batch; it reports false when the epoch is cancelled.
func (it *Iter) dispatch(l *Loader, idx []int, jobs chan<- job, ready chan<- *pending) bool {
	select {
	case it.slots <- struct{}{}:
	case <-it.ctx.Done():
		return false
	}
	p := l.newPending(idx)
	p.done.Add(len(idx))
	ready <- p // never blocks: ready holds at most Prefetch batches, as slots do
	for slot := range idx {
		select {
		case jobs <- job{p, slot}:
		case <-it.ctx.Done():
			for s := slot; s < len(idx); s++ {
				p.errs[s] = errStopped
				p.done.Done()
			}
			return false
		}
	}
	return true
}

func (l *Loader) newPending(idx []int) *pending {
	n, crop := len(idx), l.cfg.Crop
	b := &Batch{Images: make([]float32, n*3*crop*crop), Samples: make([]Sample, n), Crop: crop}
	if l.cfg.Masks {
		b.Masks = make([]uint8, n*crop*crop)
	}
	for i, k := range idx {
		b.Samples[i] = l.samples[k]
	}
	return &pending{b: b, errs: make([]error, n)}
}

// testHookDecode, when set by a test, runs before every sample decode.
var testHookDecode func()

func (l *Loader) decode(b *Batch, slot int) error {
	if testHookDecode != nil {
		testHookDecode()
	}
	crop := l.cfg.Crop
	img := b.Images[slot*3*crop*crop : (slot+1)*3*crop*crop]
	var mask []uint8
	if b.Masks != nil {
		mask = b.Masks[slot*crop*crop : (slot+1)*crop*crop]
	}
	return loadSampleInto(img, mask, b.Samples[slot], l.cfg.Size, crop)
}

// assemble turns a decoded batch into a result: the first error when bad
// files are not skipped, otherwise the batch without its bad samples
// (ok is false when none is left).
func (l *Loader) assemble(p *pending) (r result, ok bool) {
	bad := 0
	for i, err := range p.errs {
		switch {
		case err == nil:
		case err == errStopped:
			return result{}, false
		case !l.cfg.SkipBad:
			return result{err: err}, true
		default:
			l.cfg.Warn(p.b.Samples[i], err)
			bad++
		}
	}
	if bad == 0 {
		return result{b: p.b}, true
	}
	if bad == len(p.errs) {
		return result{}, false
	}
	return result{b: compact(p.b, p.errs)}, true
}

// compact keeps the samples whose error is nil.
func compact(b *Batch, errs []error) *Batch {
	img, msk := 3*b.Crop*b.Crop, b.Crop*b.Crop
	out := &Batch{Crop: b.Crop}
	for i, err := range errs {
		if err != nil {
			continue
		}
		out.Samples = append(out.Samples, b.Samples[i])
		out.Images = append(out.Images, b.Images[i*img:(i+1)*img]...)
		if b.Masks != nil {
			out.Masks = append(out.Masks, b.Masks[i*msk:(i+1)*msk]...)
		}
	}
	return out
}
