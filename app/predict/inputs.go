package predict

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// imageExts are the file types predict picks up from directories.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".bmp": true,
	".tif": true, ".tiff": true, ".webp": true}

// ExpandInputs turns command-line arguments — files, directories (searched
// recursively for images) and glob patterns — into a sorted list of files
// without duplicates. An argument that matches nothing is an error naming it.
func ExpandInputs(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, a := range args {
		matches := []string{a}
		if strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil {
				return nil, fmt.Errorf("%s: bad pattern: %w", a, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches", a)
			}
			matches = m
		}
		for _, p := range matches {
			st, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if !st.IsDir() {
				add(p)
				continue
			}
			n := len(out)
			err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() && imageExts[strings.ToLower(filepath.Ext(q))] {
					add(q)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if len(out) == n {
				return nil, fmt.Errorf("%s: no images in this directory", p)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// outputNames gives each input a distinct file-name stem for its heat map
// and mask: its path relative to the inputs' common directory, with the
// separators replaced (MVTec has a 000.png in every folder).
func outputNames(paths []string) []string {
	abs := make([]string, len(paths))
	for i, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			a = p
		}
		abs[i] = filepath.Clean(a)
	}
	common := filepath.Dir(abs[0])
	for _, a := range abs[1:] {
		for !strings.HasPrefix(a, common+string(filepath.Separator)) && common != filepath.Dir(common) {
			common = filepath.Dir(common)
		}
	}
	names := make([]string, len(abs))
	for i, a := range abs {
		rel, err := filepath.Rel(common, a)
		if err != nil {
			rel = filepath.Base(a)
		}
		rel = strings.TrimSuffix(rel, filepath.Ext(rel))
		names[i] = strings.ReplaceAll(rel, string(filepath.Separator), "__")
	}
	return names
}
