package metrics

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

func checkRadix[K key](t *testing.T, n int, gen func() K) {
	t.Helper()
	if n == 0 {
		if k, v := radixSort[K](nil, nil, 0, 0); len(k) != 0 || len(v) != 0 {
			t.Fatal("sorting nothing returned something")
		}
		return
	}
	keys := make([]K, n)
	vals := make([]uint32, n)
	type kv struct {
		k K
		v uint32
	}
	want := make([]kv, n)
	for i := range keys {
		keys[i], vals[i] = gen(), uint32(i)
		want[i] = kv{keys[i], vals[i]}
	}
	slices.SortStableFunc(want, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
	// Uneven blocks, as chunks stores them.
	var kb [][]K
	var vb [][]uint32
	for lo, size := 0, 1; lo < n; lo, size = lo+size, size*3 {
		hi := min(n, lo+size)
		kb, vb = append(kb, keys[lo:hi]), append(vb, vals[lo:hi])
	}
	lo, hi := slices.Min(keys), slices.Max(keys)
	gotK, gotV := radixSort(kb, vb, lo, hi)
	for i := range want {
		if gotK[i] != want[i].k || gotV[i] != want[i].v {
			t.Fatalf("n=%d: element %d = (%d, %d), want (%d, %d) (stable order)", n, i, gotK[i], gotV[i], want[i].k, want[i].v)
		}
	}
	gotP, _ := radixSort(split(slices.Clone(keys), 1000), nil, lo, hi)
	for i := range want {
		if gotP[i] != want[i].k {
			t.Fatalf("n=%d keys only: element %d = %d, want %d", n, i, gotP[i], want[i].k)
		}
	}
}

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 1000, 3 << 16} { // the last one runs in parallel chunks
		checkRadix(t, n, func() uint32 { return rng.Uint32() })
		checkRadix(t, n, func() uint64 { return rng.Uint64() })
		// Few distinct keys sharing high bits: most passes are skipped.
		checkRadix(t, n, func() uint32 { return 0x9000_0000 | uint32(rng.IntN(50)) })
		checkRadix(t, n, func() uint64 { return key64(float64(rng.IntN(300)) / 7) })
		checkRadix(t, n, func() uint32 { return 42 }) // no pass at all
	}
}

func TestKeyOrder(t *testing.T) {
	vals := []float64{-1e300, -3.5, -1, -1e-300, 0, 1e-300, 0.25, 1, 7, 1e300}
	for i := 1; i < len(vals); i++ {
		if key64(vals[i-1]) >= key64(vals[i]) {
			t.Errorf("key64 order broken between %v and %v", vals[i-1], vals[i])
		}
		a, b := float32(vals[i-1]), float32(vals[i])
		if a < b && key32(a) >= key32(b) {
			t.Errorf("key32 order broken between %v and %v", a, b)
		}
	}
	negZero := float32(0)
	negZero = -negZero
	if key32(negZero) != key32(0) || key64(float64(negZero)) != key64(0) {
		t.Error("-0 and +0 must share a key (they tie in numpy)")
	}
	for _, v := range vals {
		if got := value(key64(v)); got != v {
			t.Errorf("value(key64(%v)) = %v", v, got)
		}
		if got := value(key32(float32(v))); got != float64(float32(v)) {
			t.Errorf("value(key32(%v)) = %v", float32(v), got)
		}
	}
}

// BenchmarkRadixSort sorts the keys of 170 synthetic 256×256 maps (the
// largest MVTec class), as Compute does.
func BenchmarkRadixSort(b *testing.B) {
	g := newSynth(256, 1)
	var keys []uint32
	for range 170 {
		img := g.image(false)
		for _, v := range img.Map {
			keys = append(keys, key32(v))
		}
	}
	blocks := split(keys, maxBlock)
	lo, hi := slices.Min(keys), slices.Max(keys)
	b.SetBytes(int64(4 * len(keys)))
	for b.Loop() {
		radixSort(blocks, nil, lo, hi)
	}
}
