package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// imageExts are the file types a layout walker treats as images. Anything
// else in an image folder (thumbnails databases, notes, depth .tiff in
// MVTec 3D-AD's xyz folders, which are never walked) is ignored.
var imageExts = []string{".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}

func isImageName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	return slices.Contains(imageExts, strings.ToLower(filepath.Ext(name)))
}

// listImages returns the image file names in dir, sorted as the reference
// sorts them (Python's list.sort on str: by code point, which for UTF-8
// names is byte order).
func listImages(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, missing(dir, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && isImageName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// listDirs returns the sorted sub-directory names of dir, skipping hidden
// ones.
func listDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, missing(dir, err)
	}
	var out []string
	for _, e := range entries {
		if isDir(filepath.Join(dir, e.Name())) && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// isDir follows symbolic links, as datasets are often linked into place.
func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// missing words a failed directory read so that the path is named once.
func missing(dir string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("folder %s does not exist", dir)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("folder %s: %v", dir, pe.Err)
	}
	return fmt.Errorf("folder %s: %v", dir, err)
}

func stem(name string) string { return strings.TrimSuffix(name, filepath.Ext(name)) }

// matchMasks finds the mask of every image in maskDir. Names are tried
// first: "<stem>_mask.<ext>" (MVTec AD, MPDD, Uni-Medical) and
// "<stem>.<ext>" (BTAD, MVTec 3D-AD's gt folders), with any image
// extension. If no image matches by name but both folders hold the same
// number of files, they are paired in sorted order, which is what the
// reference toolkit's meta.json generators do for every MVTec-like layout.
func matchMasks(images []string, maskDir string) ([]string, error) {
	masks, err := listImages(maskDir)
	if err != nil {
		return nil, err
	}
	byName := map[string]string{}
	for _, m := range masks {
		byName[strings.ToLower(m)] = m
	}
	out := make([]string, len(images))
	found := 0
	for i, img := range images {
		if m := lookupMask(byName, stem(img)); m != "" {
			out[i] = filepath.Join(maskDir, m)
			found++
		}
	}
	switch {
	case found == len(images):
		return out, nil
	case found == 0 && len(masks) == len(images):
		for i, m := range masks {
			out[i] = filepath.Join(maskDir, m)
		}
		return out, nil
	}
	for i, img := range images {
		if out[i] == "" {
			return nil, fmt.Errorf("no mask for image %s in %s (looked for %s_mask.png, %s.png and other image types)",
				img, maskDir, stem(img), stem(img))
		}
	}
	return out, nil
}

func lookupMask(byName map[string]string, s string) string {
	s = strings.ToLower(s)
	for _, suffix := range []string{"_mask", ""} {
		for _, ext := range imageExts {
			if m, ok := byName[s+suffix+ext]; ok {
				return m
			}
		}
	}
	return ""
}
