package pth

import (
	"archive/zip"
	"fmt"
	"io"
	"math"
	"path"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// openZip reads a zip-format checkpoint: <top>/data.pkl is the pickle and
// each storage key k is the record <top>/data/k, read when first needed.
func openZip(r io.ReaderAt, size int64) (any, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip archive (truncated?): %w", err)
	}
	records := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		records[zf.Name] = zf
	}
	top, err := topDir(zr.File)
	if err != nil {
		return nil, err
	}
	if err := checkByteOrder(records[top+"/byteorder"]); err != nil {
		return nil, err
	}
	return unpickleZip(records, top)
}

// topDir finds the archive's one top folder holding data.pkl.
func topDir(files []*zip.File) (string, error) {
	var tops []string
	for _, zf := range files {
		dir, base := path.Split(zf.Name)
		if base == "constants.pkl" {
			return "", fmt.Errorf("this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint")
		}
		if base == "data.pkl" && strings.Count(zf.Name, "/") == 1 {
			tops = append(tops, strings.TrimSuffix(dir, "/"))
		}
	}
	if len(tops) != 1 {
		return "", fmt.Errorf("zip archive has %d <top>/data.pkl records, want 1 (not a torch.save file?)", len(tops))
	}
	return tops[0], nil
}

// checkByteOrder rejects big-endian archives; absent means little-endian.
func checkByteOrder(zf *zip.File) error {
	if zf == nil {
		return nil
	}
	b, err := readRecord(zf, 16)
	if err != nil {
		return fmt.Errorf("record %s: %w", pyName(zf.Name), err)
	}
	if s := strings.TrimSpace(string(b)); s != "little" {
		return fmt.Errorf("byte order %q is not supported (only little-endian)", s)
	}
	return nil
}

func unpickleZip(records map[string]*zip.File, top string) (any, error) {
	pkl := records[top+"/data.pkl"]
	b, err := readRecord(pkl, int64(min(pkl.UncompressedSize64, math.MaxInt32)))
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", pyName(pkl.Name), err)
	}
	seen := map[string]*storage{}
	obj, _, err := unpickle(b, func(id *types.Tuple) (any, error) {
		s, err := storageArgs(id)
		if err != nil {
			return nil, err
		}
		if old, ok := seen[s.key]; ok {
			return old, nil
		}
		s.fetch = zipFetch(records[top+"/data/"+s.key], s, top)
		seen[s.key] = s
		return s, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pyName(pkl.Name), err)
	}
	return obj, nil
}

// zipFetch reads a storage record, insisting on exactly the declared size.
func zipFetch(zf *zip.File, s *storage, top string) func() ([]byte, error) {
	return func() ([]byte, error) {
		if zf == nil {
			return nil, fmt.Errorf("storage record %s is missing", pyName(top+"/data/"+s.key))
		}
		if s.size == 0 {
			return nil, fmt.Errorf("storage %q: unknown element size of %s", s.key, s.class)
		}
		if s.numel > math.MaxInt64/s.size || zf.UncompressedSize64 != uint64(s.numel*s.size) {
			return nil, fmt.Errorf("storage record %s holds %d bytes, want %d × %s",
				pyName(zf.Name), zf.UncompressedSize64, s.numel, s.class)
		}
		b, err := readRecord(zf, int64(s.numel*s.size))
		if err != nil {
			return nil, fmt.Errorf("storage record %s: %w", pyName(zf.Name), err)
		}
		return b, nil
	}
}

// readRecord reads a whole record of at most limit bytes. The buffer grows
// with what the record really holds, not with the size its header claims
// (archive/zip fails a record that decompresses to more than that), and
// reading to EOF makes archive/zip verify the record's CRC-32.
func readRecord(zf *zip.File, limit int64) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("record is larger than %d bytes", limit)
	}
	return b, nil
}
