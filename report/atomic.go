package report

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
)

// writeAtomic writes path through write into a temporary file in the same
// directory and renames it over path only once everything (including the
// flush, fsync and close) succeeded. Readers of path therefore see either
// the old file or the complete new one, never a partial write, and a
// failure leaves no temporary file behind. The temporary file lives next to
// the target because rename is only atomic within one file system.
func writeAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("report: write %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; reports are meant to be shared.
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// pngEncoder trades a little file size for speed: BestSpeed encodes a
// 256×256 overlay or a chart several times faster than the default level,
// and these files are viewed, not archived.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// SavePNG writes img to path as a PNG, atomically.
func SavePNG(path string, img image.Image) error {
	return writeAtomic(path, func(w io.Writer) error { return pngEncoder.Encode(w, img) })
}
