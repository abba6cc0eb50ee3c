// Package parallel is the one worker pool every parallel kernel in mambaad
// shares. It is sized by GOMAXPROCS at first use.
//
// The design keeps nested parallelism safe without bookkeeping: the caller
// always works on its own loop, and idle workers join it only if they are
// free at that instant (an unbuffered, non-blocking hand-off). A loop started
// from inside another loop therefore finds every worker busy and simply runs
// on the calling goroutine, so there is no deadlock and no oversubscription.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

type job struct {
	next  *atomic.Int64 // next chunk index to claim
	count int64         // number of chunks
	run   func(chunk int)
	wg    *sync.WaitGroup
}

var (
	once    sync.Once
	jobs    chan job
	workers atomic.Int64 // what Workers reports: the pool's size, unless SetWorkers
)

func start() {
	started := runtime.GOMAXPROCS(0) // goroutines in the pool, the caller's included
	workers.Store(int64(started))
	jobs = make(chan job) // unbuffered: a send succeeds only if a worker is idle
	var ready sync.WaitGroup
	ready.Add(started - 1)
	for i := 1; i < started; i++ {
		go func() {
			ready.Done()
			for j := range jobs {
				j.drain()
				j.wg.Done()
			}
		}()
	}
	// Let the workers reach their receive so the very first loop can hand
	// work off (a hand-off only succeeds to a worker already waiting).
	ready.Wait()
	for i := 0; i < 4; i++ {
		runtime.Gosched()
	}
}

func (j job) drain() {
	for {
		c := j.next.Add(1) - 1
		if c >= j.count {
			return
		}
		j.run(int(c))
	}
}

// Workers reports how many goroutines (the caller included) can run a loop.
func Workers() int {
	once.Do(start)
	return int(workers.Load())
}

// SetWorkers makes Workers report n (≥ 1) and loops use at most n
// goroutines, and returns the previous value. It exists for tests that
// check that a result does not depend on the worker count: the pool keeps
// the goroutines it started, so n above that only changes how work is
// divided. It must not be called while a loop runs.
func SetWorkers(n int) (previous int) {
	once.Do(start)
	return int(workers.Swap(int64(max(n, 1))))
}

// For calls fn(lo, hi) on disjoint ranges that cover [0, n). Ranges hold at
// least grain items (except the last), so callers choose grain to make one
// call worth a hand-off (a few microseconds of work). fn must be safe to run
// concurrently on different ranges. For returns when all ranges are done.
//
// The ranges depend on the worker count and are run by whichever worker is
// free, so fn must not let its result depend on them: a reduction must
// keep a partial per range of its own fixed split (see Run) and combine
// the partials in order, never per worker or in completion order.
func For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	w := Workers()
	chunks := (n + grain - 1) / grain
	// A few chunks per worker balances uneven work without much overhead.
	if maxChunks := 4 * w; chunks > maxChunks {
		chunks = maxChunks
	}
	if chunks <= 1 || w == 1 {
		fn(0, n)
		return
	}
	size := (n + chunks - 1) / chunks
	chunks = (n + size - 1) / size
	run := func(c int) {
		lo := c * size
		hi := min(lo+size, n)
		fn(lo, hi)
	}
	Run(chunks, run)
}

// Run calls fn(i) for every i in [0, count), spreading the calls over idle
// workers and the caller. It returns when all calls have returned. Which
// worker runs which i, and in what order, varies from call to call.
func Run(count int, fn func(i int)) {
	if count <= 0 {
		return
	}
	w := Workers()
	if count == 1 || w == 1 {
		for i := 0; i < count; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	j := job{next: &next, count: int64(count), run: fn, wg: &wg}
	for i := 1; i < w && i < count; i++ {
		wg.Add(1)
		select {
		case jobs <- j:
		default:
			wg.Done()
		}
	}
	j.drain()
	wg.Wait()
}
