package nn

import "sync"

// Scratch hands out temporary float32 buffers that are reused across
// layers and calls. The large per-direction tensors of SS2D (K·D·L floats
// per image) are only needed inside one layer's forward or backward, so
// sharing them keeps the peak memory at one layer's worth instead of one per
// layer. Buffers are not zeroed.
var scratch = struct {
	sync.Mutex
	free map[int][][]float32
}{free: map[int][][]float32{}}

// GetScratch returns a buffer of n elements (contents undefined).
func GetScratch(n int) []float32 {
	scratch.Lock()
	defer scratch.Unlock()
	if l := scratch.free[n]; len(l) > 0 {
		b := l[len(l)-1]
		scratch.free[n] = l[:len(l)-1]
		return b
	}
	return make([]float32, n)
}

// PutScratch returns buffers obtained from GetScratch.
func PutScratch(bufs ...[]float32) {
	scratch.Lock()
	defer scratch.Unlock()
	for _, b := range bufs {
		if b != nil {
			scratch.free[len(b)] = append(scratch.free[len(b)], b)
		}
	}
}

// ReleaseScratch drops all pooled buffers so the garbage collector can
// reclaim them (between training and a large evaluation, for example).
func ReleaseScratch() {
	scratch.Lock()
	defer scratch.Unlock()
	scratch.free = map[int][][]float32{}
}
