package report

import (
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/mambaad/mambaad/internal/atomicfile"
)

// writeAtomic writes path through write atomically: readers see the old file
// or the complete new one, and a failure leaves no temporary file behind.
func writeAtomic(path string, write func(w io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// pngEncoder trades a little file size for speed: BestSpeed encodes a
// 256×256 overlay or a chart several times faster than the default level,
// and these files are viewed, not archived.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// SavePNG writes img to path as a PNG, atomically.
func SavePNG(path string, img image.Image) error {
	return writeAtomic(path, func(w io.Writer) error { return pngEncoder.Encode(w, img) })
}
