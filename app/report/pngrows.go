package report

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
)

// RowFunc fills row y of an image being written by SavePNGRows: w bytes
// for a grey image, 3·w (R, G, B) for a colour one. Rows are asked for in
// order, each once; row holds stale bytes and must be overwritten
// entirely.
type RowFunc func(y int, row []uint8) error

// SavePNGRows writes a w×h 8-bit PNG, grey or RGB, atomically, asking fill
// for one row at a time. Only a few rows are in memory at any moment, so
// the size of the image costs time, not memory: predict writes heat maps
// and masks of 100-megapixel inputs this way.
func SavePNGRows(path string, w, h int, gray bool, fill RowFunc) error {
	return writeAtomic(path, func(out io.Writer) error { return EncodePNGRows(out, w, h, gray, fill) })
}

// EncodePNGRows is SavePNGRows to a writer. It chooses each row's filter
// the way image/png does (the one with the smallest sum of absolute
// filtered bytes) and compresses at zlib's BestSpeed level, like the
// package's other PNGs.
func EncodePNGRows(out io.Writer, w, h int, gray bool, fill RowFunc) error {
	if w <= 0 || h <= 0 || int64(w)*int64(h) > 1<<31 {
		return fmt.Errorf("report: cannot write a %d×%d PNG", w, h)
	}
	bpp, ctype := 3, byte(2)
	if gray {
		bpp, ctype = 1, 0
	}
	if _, err := io.WriteString(out, "\x89PNG\r\n\x1a\n"); err != nil {
		return err
	}
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, ctype // bit depth, colour type; compression, filter, interlace 0
	if err := writeChunk(out, "IHDR", ihdr[:]); err != nil {
		return err
	}
	idat := &chunkWriter{w: out}
	buf := bufio.NewWriterSize(idat, 1<<16) // IDAT chunks of 64 KiB
	zw, err := zlib.NewWriterLevel(buf, zlib.BestSpeed)
	if err != nil {
		return err
	}
	n := bpp * w
	prev, cur := make([]uint8, n), make([]uint8, n)
	var filtered [5][]uint8
	for f := range filtered {
		filtered[f] = make([]uint8, 1+n)
		filtered[f][0] = uint8(f)
	}
	for y := 0; y < h; y++ {
		if err := fill(y, cur); err != nil {
			return err
		}
		best := filterRow(&filtered, cur, prev, bpp)
		if _, err := zw.Write(filtered[best]); err != nil {
			return err
		}
		prev, cur = cur, prev
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	if idat.err != nil {
		return idat.err
	}
	return writeChunk(out, "IEND", nil)
}

// filterRow computes the five PNG filters of cur (above it: prev) into
// f[k][1:] and returns the one with the smallest sum of absolute values,
// taking bytes as signed, the heuristic libpng and image/png use (the
// first such filter on a tie). One pass computes the filters and their
// sums together, without branches on the byte values but Paeth's.
func filterRow(f *[5][]uint8, cur, prev []uint8, bpp int) int {
	n := len(cur)
	none, sub, up, avg, paeth := f[0][1:n+1], f[1][1:n+1], f[2][1:n+1], f[3][1:n+1], f[4][1:n+1]
	prev = prev[:n]
	var sums [5]int
	head := min(bpp, n)
	for i := 0; i < head; i++ { // a = c = 0: sub and paeth are none, avg is b/2
		v, b := cur[i], prev[i]
		none[i], sub[i], up[i], avg[i], paeth[i] = v, v, v-b, v-b/2, v-b
		sums[0] += abs8(v)
		sums[2] += abs8(v - b)
		sums[3] += abs8(v - b/2)
	}
	sums[1], sums[4] = sums[0], sums[2]
	for i := head; i < n; i++ {
		v, a, b, c := cur[i], cur[i-bpp], prev[i], prev[i-bpp]
		fs, fu, fa, fp := v-a, v-b, v-uint8((uint(a)+uint(b))>>1), v-paethPredictor(a, b, c)
		none[i], sub[i], up[i], avg[i], paeth[i] = v, fs, fu, fa, fp
		sums[0] += abs8(v)
		sums[1] += abs8(fs)
		sums[2] += abs8(fu)
		sums[3] += abs8(fa)
		sums[4] += abs8(fp)
	}
	best := 0
	for k := 1; k < len(sums); k++ {
		if sums[k] < sums[best] {
			best = k
		}
	}
	return best
}

// abs8 is |v| with v taken as a signed byte.
func abs8(v uint8) int {
	x := int(int8(v))
	m := x >> (strconv.IntSize - 1)
	return (x ^ m) - m
}

func paethPredictor(a, b, c uint8) uint8 {
	// p = a+b−c; |p−a| = |b−c|, |p−b| = |a−c|, |p−c| = |a+b−2c|.
	pa := abs(int(b) - int(c))
	pb := abs(int(a) - int(c))
	pc := abs(int(a) + int(b) - 2*int(c))
	r := c
	if pb <= pc {
		r = b
	}
	if pa <= pb && pa <= pc {
		r = a
	}
	return r
}

func abs(x int) int {
	m := x >> (strconv.IntSize - 1)
	return (x ^ m) - m
}

// chunkWriter turns each Write into one IDAT chunk.
type chunkWriter struct {
	w   io.Writer
	err error
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	if c.err == nil {
		c.err = writeChunk(c.w, "IDAT", p)
	}
	if c.err != nil {
		return 0, c.err
	}
	return len(p), nil
}

func writeChunk(w io.Writer, typ string, data []byte) error {
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(len(data)))
	copy(hdr[4:], typ)
	crc := crc32.NewIEEE()
	crc.Write(hdr[4:])
	crc.Write(data)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc.Sum32())
	for _, b := range [][]byte{hdr[:], data, sum[:]} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
