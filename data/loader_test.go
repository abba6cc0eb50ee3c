package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// numbered writes n images whose pixel value is their index, so a batch
// tells which samples it holds.
func numbered(t *testing.T, n int) []Sample {
	root := t.TempDir()
	s := make([]Sample, n)
	for i := range s {
		s[i] = Sample{Path: put(t, root, fmt.Sprintf("%03d.png", i), tinyPNG(uint8(i))), Class: "c", Defect: "good"}
	}
	return s
}

// ids recovers sample indices from the first value of each image.
func ids(b *Batch) []int {
	out := make([]int, b.Len())
	plane := b.Crop * b.Crop
	for i := range out {
		v := b.Images[i*3*plane]*Std[0] + Mean[0] // undo Normalize on channel 0
		out[i] = int(v*255 + 0.5)
	}
	return out
}

func drain(t *testing.T, it *Iter) (batches [][]int, err error) {
	t.Helper()
	defer it.Close()
	for {
		b, err := it.Next()
		if err == io.EOF {
			return batches, nil
		}
		if err != nil {
			return batches, err
		}
		batches = append(batches, ids(b))
	}
}

func TestLoaderOrderAndBatches(t *testing.T) {
	s := numbered(t, 23)
	cfg := LoaderConfig{Size: 8, BatchSize: 5, Shuffle: true, Seed: 7, Workers: 3}
	l, err := NewLoader(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(t, l.Epoch(context.Background(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || len(got[4]) != 3 || l.Batches() != 5 {
		t.Fatalf("batches %v", got)
	}
	if flat := slices.Concat(got...); !slices.Equal(flat, l.Order(0)) {
		t.Fatalf("delivered %v, order %v", flat, l.Order(0))
	}
	sorted := slices.Sorted(slices.Values(l.Order(0)))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("order is not a permutation: %v", l.Order(0))
		}
	}
	if slices.Equal(l.Order(0), l.Order(1)) {
		t.Error("epochs 0 and 1 have the same order")
	}
	l2, _ := NewLoader(s, cfg)
	if !slices.Equal(l.Order(3), l2.Order(3)) {
		t.Error("same seed gave different orders")
	}
	cfg.DropLast = true
	l3, _ := NewLoader(s, cfg)
	got, _ = drain(t, l3.Epoch(context.Background(), 0))
	if len(got) != 4 || l3.Batches() != 4 {
		t.Errorf("drop-last: %d batches", len(got))
	}
}

// The shuffle is specified here, not by a library: a seed must give this
// exact order on every machine and Go release.
func TestLoaderOrderIsPinned(t *testing.T) {
	l, _ := NewLoader(make([]Sample, 10), LoaderConfig{Size: 8, BatchSize: 1, Shuffle: true, Seed: 42})
	want := []int{8, 3, 6, 5, 4, 0, 9, 2, 1, 7} // also computed by an independent Python SplitMix64
	if got := l.Order(0); !slices.Equal(got, want) {
		t.Errorf("Order(0) = %v, want %v", got, want)
	}
	l, _ = NewLoader(make([]Sample, 4), LoaderConfig{Size: 8, BatchSize: 1})
	if got := l.Order(5); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Errorf("unshuffled order %v", got)
	}
}

func TestLoaderSkipsBadFiles(t *testing.T) {
	s := numbered(t, 6)
	s[1].Path = put(t, t.TempDir(), "broken.png", []byte("not a png"))
	s[4].Path += ".gone"
	var warned []string
	l, _ := NewLoader(s, LoaderConfig{Size: 8, BatchSize: 2, SkipBad: true,
		Warn: func(x Sample, err error) { warned = append(warned, err.Error()) }})
	got, err := drain(t, l.Epoch(context.Background(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if flat := slices.Concat(got...); !slices.Equal(flat, []int{0, 2, 3, 5}) {
		t.Errorf("delivered %v", flat)
	}
	if len(warned) != 2 || !strings.Contains(warned[0], "broken.png") || !strings.Contains(warned[1], ".gone") {
		t.Errorf("warnings %q", warned)
	}
	l, _ = NewLoader(s, LoaderConfig{Size: 8, BatchSize: 2})
	if _, err := drain(t, l.Epoch(context.Background(), 0)); err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Errorf("without SkipBad: %v", err)
	}
}

func TestLoaderMasks(t *testing.T) {
	root := t.TempDir()
	img := put(t, root, "a.png", tinyPNG(1))
	s := []Sample{{Path: img}, {Path: img, Label: 1, MaskPath: put(t, root, "m.png", tinyPNG(255))}}
	l, _ := NewLoader(s, LoaderConfig{Size: 4, BatchSize: 2, Masks: true})
	it := l.Epoch(context.Background(), 0)
	defer it.Close()
	b, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Masks) != 32 || count(b.Masks[:16]) != 0 || count(b.Masks[16:]) != 16 {
		t.Errorf("masks %v", b.Masks)
	}
}

// With Prefetch 1, while the consumer holds a batch the loader decodes at
// most one more: memory stays bounded whatever the epoch length.
func TestLoaderPrefetchBound(t *testing.T) {
	var decoded atomic.Int64
	testHookDecode = func() { decoded.Add(1) }
	defer func() { testHookDecode = nil }()
	l, _ := NewLoader(numbered(t, 40), LoaderConfig{Size: 8, BatchSize: 2, Prefetch: 1, Workers: 4})
	it := l.Epoch(context.Background(), 0)
	defer it.Close()
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := decoded.Load(); n > 4 {
		t.Errorf("%d samples decoded while the consumer held batch 0, want ≤ 4", n)
	}
}

func TestLoaderCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	l, _ := NewLoader(numbered(t, 40), LoaderConfig{Size: 8, BatchSize: 2, Workers: 3})
	ctx, cancel := context.WithCancel(context.Background())
	it := l.Epoch(ctx, 0)
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	var err error
	for range 30 {
		if _, err = it.Next(); err != nil {
			break
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v", err)
	}
	it.Close()
	time.Sleep(20 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before, %d after Close", before, after)
	}
	// Closing early without cancelling also stops everything.
	it = l.Epoch(context.Background(), 1)
	it.Close()
	if _, err := it.Next(); err == nil {
		t.Error("Next after Close returned no error")
	}
}

func TestLoaderConfigErrors(t *testing.T) {
	if _, err := NewLoader(nil, LoaderConfig{Size: 8}); err == nil {
		t.Error("batch size 0 accepted")
	}
	if _, err := NewLoader(nil, LoaderConfig{BatchSize: 1}); err == nil {
		t.Error("size 0 accepted")
	}
	l, _ := NewLoader(nil, LoaderConfig{Size: 8, BatchSize: 4})
	if got, err := drain(t, l.Epoch(context.Background(), 0)); err != nil || len(got) != 0 {
		t.Errorf("empty epoch: %v, %v", got, err)
	}
}
