// Package imageio reads image files and reproduces, bit for bit where it
// can, the pixel operations of the Python Imaging Library that the reference
// MambaAD preprocessing relies on: Image.convert("RGB"), the mask loader's
// convert("L") > 0, and Image.resize with the bilinear filter.
//
// Decoding uses the Go standard library (PNG, JPEG) and golang.org/x/image
// (TIFF, BMP, WebP). Every error names the file. Images larger than
// MaxPixels, or whose header declares more pixels than the file's size can
// encode, are refused from their header alone, before any pixel memory is
// allocated, so a hostile or mistaken file cannot exhaust memory.
package imageio

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strings"

	// Registered decoders: image.Decode picks one by the file's magic bytes.
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// MaxPixels is the largest width×height accepted (100 megapixels). Real
// anomaly-detection images are at most a few megapixels; anything larger is
// almost certainly a mistake and would need gigabytes once decoded.
const MaxPixels = 100_000_000

// Sentinel errors, matched with errors.Is on the *FileError returned.
var (
	ErrEmpty     = errors.New("empty file")
	ErrTooLarge  = errors.New("image too large")
	ErrFormat    = errors.New("unknown image format (want PNG, JPEG, TIFF, BMP or WebP)")
	ErrCorrupt   = errors.New("corrupt or truncated image")
	ErrVariant   = errors.New("unsupported variant of the format")
	ErrNoPixels  = errors.New("image has no pixels")
	ErrSizeMatch = errors.New("mask size differs from image size")
)

// FileError ties a decoding problem to the file it came from.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return "image " + e.Path + ": " + e.Err.Error() }

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *FileError) Unwrap() error { return e.Err }

// Info is what the header of an image file says, read without decoding.
type Info struct {
	Width, Height int
	Format        string // "png", "jpeg", "tiff", "bmp" or "webp"
}

// Stat reads only the header of path. It refuses files over MaxPixels,
// and headers that declare more pixels than the file can hold (see
// maxPixelsFor).
func Stat(path string) (Info, error) {
	f, size, err := open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	return statReader(path, newFileReader(f, size), size)
}

// fileReader is how the decoders read a file: sequentially, with Peek for
// image.Decode's format sniffing, and also as an io.ReaderAt. The TIFF
// decoder follows offsets from the file; given a plain reader it buffers
// the file up to each offset, 10 MB at a time however short the file, so
// that an 8-byte TIFF header pointing 800 MB ahead made it allocate 20 MB.
// With ReadAt, reading past the end fails without allocating.
type fileReader struct {
	*bufio.Reader
	at io.ReaderAt
}

func newFileReader(r io.ReaderAt, size int64) fileReader {
	return fileReader{bufio.NewReader(io.NewSectionReader(r, 0, size)), r}
}

func (r fileReader) ReadAt(p []byte, off int64) (int, error) { return r.at.ReadAt(p, off) }

func statReader(path string, r io.Reader, size int64) (Info, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return Info{}, &FileError{path, classify(err)}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, &FileError{path, fmt.Errorf("%w (%d×%d)", ErrNoPixels, cfg.Width, cfg.Height)}
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > MaxPixels {
		return Info{}, &FileError{path, fmt.Errorf("%w: %d×%d is over the %d-megapixel limit",
			ErrTooLarge, cfg.Width, cfg.Height, MaxPixels/1_000_000)}
	}
	if limit := maxPixelsFor(format, size); pixels > limit {
		return Info{}, &FileError{path, fmt.Errorf("%w: the header declares %d×%d pixels, more than a %d-byte %s file can hold (at most %d; truncated or corrupt?)",
			ErrTooLarge, cfg.Width, cfg.Height, size, format, limit)}
	}
	return Info{cfg.Width, cfg.Height, format}, nil
}

// Decoders allocate the whole image from the header's dimensions before
// they read any pixel data, so a header on a few bytes of file could make
// them allocate hundreds of megabytes. maxPixelsFor bounds the pixels a
// file of size bytes may declare: a fixed allowance of one megapixel (so
// that every image up to 1024×1024 passes whatever its file size), plus
// size times the densest each format can encode:
//
//   - PNG: 8256 pixels per byte, exact: 1-bit pixels under deflate's
//     1032:1 ceiling;
//   - JPEG: 512, exact for conformant files: every 8×8 block costs at least
//     one bit;
//   - BMP: 8, exact: the pixels are stored uncompressed, 1 bit at least;
//   - TIFF and WebP: 8192, which uncompressed and PackBits TIFF never
//     reach, nor LZW or Deflate TIFF of 8 bits or more per pixel, nor lossy
//     WebP; only near-blank bilevel, fax or lossless images over a
//     megapixel can be denser, and those are refused.
func maxPixelsFor(format string, size int64) int64 {
	perByte := int64(8)
	switch format {
	case "png":
		perByte = 8 * 1032
	case "jpeg":
		perByte = 512
	case "tiff", "webp":
		perByte = 8192
	}
	return min(MaxPixels, 1<<20+perByte*size)
}

// DecodeFile decodes the image at path after checking its header against
// MaxPixels and the file's size. The format is detected from the content,
// not the extension.
func DecodeFile(path string) (image.Image, error) {
	f, size, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeSized(path, f, size)
}

// decodeSized decodes the size-byte image in r, header checks first; path
// only names it in errors. It is the entry the fuzz tests feed.
func decodeSized(path string, r io.ReaderAt, size int64) (image.Image, error) {
	if size == 0 {
		return nil, &FileError{path, ErrEmpty}
	}
	if _, err := statReader(path, newFileReader(r, size), size); err != nil {
		return nil, err
	}
	return decode(path, newFileReader(r, size))
}

// errDecoderPanic marks a panic inside a decoder (seen in the past on
// hostile TIFF and BMP files), which decode turns into an error so that one
// bad file cannot bring a run down. The fuzz tests fail if one happens.
var errDecoderPanic = errors.New("decoder failed")

func decode(path string, r io.Reader) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, &FileError{path, fmt.Errorf("%w: %w: %v", ErrCorrupt, errDecoderPanic, p)}
		}
	}()
	img, _, err = image.Decode(r)
	if err != nil {
		return nil, &FileError{path, classify(err)}
	}
	if b := img.Bounds(); b.Empty() {
		return nil, &FileError{path, ErrNoPixels}
	}
	return img, nil
}

func open(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, &FileError{path, err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, &FileError{path, err}
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, &FileError{path, errors.New("is a directory, not an image")}
	}
	if st.Size() == 0 {
		f.Close()
		return nil, 0, &FileError{path, ErrEmpty}
	}
	return f, st.Size(), nil
}

// classify maps decoder errors onto the package's sentinels while keeping
// the decoder's own message, which is often the most precise clue.
func classify(err error) error {
	switch {
	case errors.Is(err, image.ErrFormat):
		return ErrFormat
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		strings.Contains(err.Error(), "unexpected EOF"):
		return fmt.Errorf("%w: file ends early", ErrCorrupt)
	case strings.Contains(err.Error(), "unsupported"):
		// e.g. JPEG-compressed TIFF, 12-bit JPEG, arithmetic coding
		return fmt.Errorf("%w: %v", ErrVariant, err)
	default:
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
}
