package metrics

import (
	"math/bits"

	"github.com/mambaad/mambaad/parallel"
)

// LSD radix sort of integer keys, optionally carrying a uint32 payload, in
// parallel passes.
//
// The keys are sorted as offsets from the smallest key, so only the bits
// that vary are sorted: one class's scores usually span a few binades, about
// 25 significant bits of a float32, which two passes of 13-bit digits cover
// instead of three of 11. One first read counts every digit for every
// source block; a digit that is the same for all keys is skipped. Each pass
// turns per-chunk counts into per-chunk write offsets (digit-major,
// chunk-minor, which keeps the sort stable) and scatters the chunks
// concurrently. The first pass reads the stored blocks directly, so the
// data is never copied into one slice before sorting.

const (
	maxDigitBits = 13      // 8192 buckets: the counts stay in L2
	radixGrain   = 1 << 16 // keys per chunk at least
)

// digits describes the passes: count digits of width bits above lo.
type digits[K key] struct {
	lo     K
	width  uint
	count  int
	bucket int
}

func planDigits[K key](lo, hi K) digits[K] {
	span := uint(bits.Len64(uint64(hi - lo)))
	n := int((span + maxDigitBits - 1) / maxDigitBits)
	if n == 0 {
		return digits[K]{lo: lo}
	}
	w := (span + uint(n) - 1) / uint(n)
	return digits[K]{lo: lo, width: w, count: n, bucket: 1 << w}
}

// radixSort returns the keys of blocks, all within [lo, hi], in ascending
// order, with the payload of vblocks (nil, or blocks of the same lengths)
// permuted alongside.
func radixSort[K key](blocks [][]K, vblocks [][]uint32, lo, hi K) ([]K, []uint32) {
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	if n == 0 {
		return nil, nil
	}
	dg := planDigits(lo, hi)
	withVals := vblocks != nil
	hists := countAll(blocks, dg)
	var keys, kbuf []K
	var vals, vbuf []uint32
	first := true
	for d := range dg.count {
		var counts [][]int
		if first {
			counts = make([][]int, len(blocks))
			for b := range blocks {
				counts[b] = hists[b][d]
			}
		} else {
			blocks, vblocks = split(keys, chunkSize(n)), split(vals, chunkSize(n))
			counts = countDigit(blocks, dg, d)
		}
		if !toOffsets(counts, n) {
			continue
		}
		if kbuf == nil {
			kbuf = make([]K, n)
			if withVals {
				vbuf = make([]uint32, n)
			}
		}
		scatter(blocks, vblocks, kbuf, vbuf, counts, dg, d)
		keys, kbuf = kbuf, keys
		vals, vbuf = vbuf, vals
		first = false
	}
	if first { // all keys equal: just concatenate
		keys = concat(blocks)
		if withVals {
			vals = concat(vblocks)
		}
	}
	return keys, vals
}

func concat[E any](blocks [][]E) []E {
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	out := make([]E, 0, n)
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out
}

func chunkSize(n int) int {
	chunks := 1
	if w := parallel.Workers(); w > 1 && n >= 2*radixGrain {
		chunks = min(4*w, n/radixGrain)
	}
	return max(1, (n+chunks-1)/chunks)
}

// split views s as consecutive chunks of size elements (nil stays nil).
func split[E any](s []E, size int) [][]E {
	if s == nil {
		return nil
	}
	var out [][]E
	for lo := 0; lo < len(s); lo += size {
		out = append(out, s[lo:min(lo+size, len(s))])
	}
	return out
}

// countAll histograms every digit of every block in one read.
func countAll[K key](blocks [][]K, dg digits[K]) [][][]int {
	hists := make([][][]int, len(blocks))
	mask := uint64(dg.bucket - 1)
	parallel.Run(len(blocks), func(b int) {
		h := make([][]int, dg.count)
		for d := range h {
			h[d] = make([]int, dg.bucket)
		}
		for _, k := range blocks[b] {
			x := uint64(k - dg.lo)
			for d := range h {
				h[d][x&mask]++
				x >>= dg.width
			}
		}
		hists[b] = h
	})
	return hists
}

func countDigit[K key](chunks [][]K, dg digits[K], d int) [][]int {
	counts := make([][]int, len(chunks))
	shift, mask := uint(d)*dg.width, uint64(dg.bucket-1)
	parallel.Run(len(chunks), func(c int) {
		h := make([]int, dg.bucket)
		for _, k := range chunks[c] {
			h[(uint64(k-dg.lo)>>shift)&mask]++
		}
		counts[c] = h
	})
	return counts
}

// toOffsets turns per-chunk counts into per-chunk first write positions. It
// reports false if one digit value holds all n keys: the pass would not
// move anything.
func toOffsets(counts [][]int, n int) bool {
	total := make([]int, len(counts[0]))
	for c := range counts {
		for d, x := range counts[c] {
			total[d] += x
		}
	}
	for _, t := range total {
		if t == n {
			return false
		}
	}
	pos := 0
	for d := range total {
		for c := range counts {
			cnt := counts[c][d]
			counts[c][d] = pos
			pos += cnt
		}
	}
	return true
}

func scatter[K key](chunks [][]K, vchunks [][]uint32, dst []K, vdst []uint32, offs [][]int, dg digits[K], d int) {
	shift, mask := uint(d)*dg.width, uint64(dg.bucket-1)
	parallel.Run(len(chunks), func(c int) {
		off := offs[c]
		if vchunks == nil {
			for _, k := range chunks[c] {
				x := (uint64(k-dg.lo) >> shift) & mask
				dst[off[x]] = k
				off[x]++
			}
			return
		}
		vs := vchunks[c]
		vs = vs[:len(chunks[c])] // same lengths by construction; fail loudly if not
		for i, k := range chunks[c] {
			x := (uint64(k-dg.lo) >> shift) & mask
			dst[off[x]] = k
			vdst[off[x]] = vs[i]
			off[x]++
		}
	})
}
