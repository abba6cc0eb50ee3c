// Package imageio reads image files and reproduces, bit for bit where it
// can, the pixel operations of the Python Imaging Library that the reference
// MambaAD preprocessing relies on: Image.convert("RGB"), the mask loader's
// convert("L") > 0, and Image.resize with the bilinear filter.
//
// Decoding uses the Go standard library (PNG, JPEG) and golang.org/x/image
// (TIFF, BMP, WebP). Every error names the file. Images larger than
// MaxPixels are refused from their header alone, before any pixel memory is
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

// Stat reads only the header of path. It refuses files over MaxPixels.
func Stat(path string) (Info, error) {
	f, err := open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	return statReader(path, bufio.NewReader(f))
}

func statReader(path string, r io.Reader) (Info, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return Info{}, &FileError{path, classify(err)}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, &FileError{path, fmt.Errorf("%w (%d×%d)", ErrNoPixels, cfg.Width, cfg.Height)}
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Info{}, &FileError{path, fmt.Errorf("%w: %d×%d is over the %d-megapixel limit",
			ErrTooLarge, cfg.Width, cfg.Height, MaxPixels/1_000_000)}
	}
	return Info{cfg.Width, cfg.Height, format}, nil
}

// DecodeFile decodes the image at path after checking its header against
// MaxPixels. The format is detected from the content, not the extension.
func DecodeFile(path string) (image.Image, error) {
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if _, err := statReader(path, br); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, &FileError{path, err}
	}
	br.Reset(f)
	return decode(path, br)
}

// decode turns a decoder panic (seen in the past on hostile TIFF and BMP
// files) into an error so that one bad file cannot bring a run down.
func decode(path string, r io.Reader) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, &FileError{path, fmt.Errorf("%w: decoder failed: %v", ErrCorrupt, p)}
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

func open(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{path, err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &FileError{path, err}
	}
	if st.IsDir() {
		f.Close()
		return nil, &FileError{path, errors.New("is a directory, not an image")}
	}
	if st.Size() == 0 {
		f.Close()
		return nil, &FileError{path, ErrEmpty}
	}
	return f, nil
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
