package imageio

import (
	"bytes"
	"image"
)

// StatBytes is Stat for an image held in memory (an upload, say): only the
// header is read, with the same limits. name labels errors in place of a
// file path.
func StatBytes(name string, b []byte) (Info, error) {
	if len(b) == 0 {
		return Info{}, &FileError{name, ErrEmpty}
	}
	size := int64(len(b))
	return statReader(name, newFileReader(bytes.NewReader(b), size), size)
}

// DecodeBytes is DecodeFile for an image held in memory: the header is
// checked against MaxPixels and against what len(b) bytes can encode before
// any pixel memory is allocated, and a decoder panic becomes an error. name
// labels errors in place of a file path. The pixels are the same as
// DecodeFile's for the same bytes.
func DecodeBytes(name string, b []byte) (image.Image, error) {
	return decodeSized(name, bytes.NewReader(b), int64(len(b)))
}
