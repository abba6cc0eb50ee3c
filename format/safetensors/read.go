package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// MaxHeader bounds the JSON header (the reference implementation's limit),
// so a corrupt length cannot make a reader allocate gigabytes.
const MaxHeader = 100_000_000

// Info describes one tensor of a file without converting its data.
type Info struct {
	Name       string
	DType      DType
	Shape      []int
	Begin, End int // byte range within the data section
}

// File is a parsed and validated safetensors file held in memory.
type File struct {
	Path  string            // used in error messages
	Meta  map[string]string // the __metadata__ entries (never nil)
	Infos []Info            // in data-section order
	data  []byte
	index map[string]int
}

// Open reads and validates a safetensors file.
func Open(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return Parse(path, b)
}

// Parse validates an in-memory safetensors file; path only names it in
// errors. The returned File keeps b.
func Parse(path string, b []byte) (*File, error) {
	fail := func(format string, a ...any) (*File, error) {
		return nil, fmt.Errorf("safetensors: %s: "+format, append([]any{path}, a...)...)
	}
	if len(b) < 8 {
		return fail("file is %d bytes, too short for the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeader || n > uint64(len(b)-8) {
		return fail("header length %d does not fit the %d-byte file (limit %d)", n, len(b), MaxHeader)
	}
	f := &File{Path: path, data: b[8+n:], index: map[string]int{}}
	if err := f.parseHeader(b[8 : 8+n]); err != nil {
		return fail("%v", err)
	}
	if err := f.checkLayout(); err != nil {
		return fail("%v", err)
	}
	return f, nil
}

type headerEntry struct {
	DType       DType   `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// parseHeader walks the top-level object token by token so that duplicate
// names are caught (a map would silently keep the last one).
func (f *File) parseHeader(h []byte) error {
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("header is not a JSON object")
	}
	f.Meta = map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("bad header JSON: %v", err)
		}
		name := tok.(string) // object keys are always strings
		if err := f.parseEntry(dec, name); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("bad header JSON: %v", err)
	}
	if rest := h[dec.InputOffset():]; len(bytes.TrimSpace(rest)) != 0 {
		return fmt.Errorf("header has %d stray bytes after the JSON object", len(rest))
	}
	return nil
}

func (f *File) parseEntry(dec *json.Decoder, name string) error {
	if name == "__metadata__" {
		var m map[string]string
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("__metadata__ must map strings to strings: %v", err)
		}
		for k, v := range m {
			f.Meta[k] = v
		}
		return nil
	}
	if _, dup := f.index[name]; dup {
		return fmt.Errorf("tensor %q appears twice in the header", name)
	}
	var e headerEntry
	if err := dec.Decode(&e); err != nil {
		return fmt.Errorf("tensor %q: bad header entry: %v", name, err)
	}
	info, err := e.info(name)
	if err != nil {
		return fmt.Errorf("tensor %q: %v", name, err)
	}
	f.index[name] = len(f.Infos)
	f.Infos = append(f.Infos, info)
	return nil
}

func (e *headerEntry) info(name string) (Info, error) {
	size := e.DType.Size()
	if size == 0 {
		return Info{}, errDType(e.DType)
	}
	if e.Shape == nil || len(e.DataOffsets) != 2 {
		return Info{}, fmt.Errorf("needs a shape and two data_offsets")
	}
	shape := make([]int, len(e.Shape))
	for i, d := range e.Shape {
		if d < 0 || d > 1<<48 {
			return Info{}, fmt.Errorf("bad dimension %d in shape %v", d, e.Shape)
		}
		shape[i] = int(d)
	}
	numel, ok := Numel(shape)
	if !ok || numel > (1<<62)/size {
		return Info{}, fmt.Errorf("shape %v is too large", e.Shape)
	}
	b, end := e.DataOffsets[0], e.DataOffsets[1]
	if b < 0 || end < b || end-b != int64(numel*size) {
		return Info{}, fmt.Errorf("data_offsets %v do not hold %d %s elements of shape %v",
			e.DataOffsets, numel, e.DType, e.Shape)
	}
	return Info{Name: name, DType: e.DType, Shape: shape, Begin: int(b), End: int(end)}, nil
}

// checkLayout requires the tensors to tile the data section exactly, as the
// reference reader does: no overlap, no gap, nothing missing or trailing.
// This is what turns a truncated file into an error.
func (f *File) checkLayout() error {
	slices.SortStableFunc(f.Infos, func(a, b Info) int {
		if a.Begin != b.Begin {
			return a.Begin - b.Begin
		}
		return a.End - b.End
	})
	pos := 0
	for i, t := range f.Infos {
		f.index[t.Name] = i
		if t.Begin != pos {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] leave a gap or overlap at byte %d",
				t.Name, t.Begin, t.End, pos)
		}
		if t.End > len(f.data) {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] run past the %d-byte data section (truncated file?)",
				t.Name, t.Begin, t.End, len(f.data))
		}
		pos = t.End
	}
	if pos != len(f.data) {
		return fmt.Errorf("data section is %d bytes but the tensors cover %d", len(f.data), pos)
	}
	return nil
}
