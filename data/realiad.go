package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Real-IAD ships its images and its splits separately:
//
//	<root>/realiad_1024/<class>/<image_path>         (or realiad_512, _256, _raw)
//	<root>/realiad_jsons/realiad_jsons/<class>.json     multi-view protocol
//	<root>/realiad_jsons/realiad_jsons_sv/<class>.json  single-view protocol
//
// Each JSON file is {"meta": {"prefix": "", "normal_class": "OK", …},
// "train": [entry, …], "test": [entry, …]} with entry = {"category",
// "anomaly_class" ("OK" or a defect code such as "AK"), "image_path",
// "mask_path" (null for OK)}, paths relative to the class folder. The
// reference toolkit also accepts a flat copy (<root>/<class>.json next to
// <root>/<class>/), which is found too.
//
// Not confirmed against a real download: the meaning of a non-empty
// "prefix" (taken here as a folder inserted before image_path and
// mask_path). Every image name ends in "_C<view>_<timestamp>"; Options.Views
// filters on that view field, as the reference does, and Group is the
// specimen folder, so the five views of one object share a Group.
type realIADEntry struct {
	AnomalyClass string  `json:"anomaly_class"`
	ImagePath    string  `json:"image_path"`
	MaskPath     *string `json:"mask_path"`
}

type realIADFile struct {
	Meta struct {
		Prefix      string `json:"prefix"`
		NormalClass string `json:"normal_class"`
	} `json:"meta"`
	Train []realIADEntry `json:"train"`
	Test  []realIADEntry `json:"test"`
}

func openRealIAD(root string, o Options) (Dataset, error) {
	jsonDir, err := realIADJSONDir(root, o.RealIADJSON)
	if err != nil {
		return nil, fmt.Errorf("realiad: %w", err)
	}
	entries, err := os.ReadDir(jsonDir)
	if err != nil {
		return nil, fmt.Errorf("realiad: %w", missing(jsonDir, err))
	}
	var classes []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			classes = append(classes, strings.TrimSuffix(e.Name(), ".json"))
		}
	}
	slices.Sort(classes)
	if len(classes) == 0 {
		return nil, fmt.Errorf("realiad: no <class>.json files in %s", jsonDir)
	}
	imageDir, err := realIADImageDir(root, o.RealIADImages, classes[0])
	if err != nil {
		return nil, fmt.Errorf("realiad: %w", err)
	}
	views := slices.Clone(o.Views)
	return &lazyDataset{name: "realiad", root: root, classes: classes, scan: func(c string) (classSplits, error) {
		cs, err := readRealIAD(filepath.Join(jsonDir, c+".json"), filepath.Join(imageDir, c), c, views)
		if err != nil {
			return cs, fmt.Errorf("realiad: %w", err)
		}
		return cs, nil
	}}, nil
}

// realIADJSONDir resolves the split folder: a path used as given, or a
// folder name looked up under <root>/realiad_jsons and <root>; with no name,
// the multi-view "realiad_jsons", then the flat layout (<root> itself).
func realIADJSONDir(root, name string) (string, error) {
	if name != "" && (filepath.IsAbs(name) || strings.ContainsRune(name, filepath.Separator)) {
		if !isDir(name) {
			return "", fmt.Errorf("split folder %s does not exist", name)
		}
		return name, nil
	}
	n := name
	if n == "" {
		n = "realiad_jsons"
	}
	cands := []string{filepath.Join(root, "realiad_jsons", n), filepath.Join(root, n)}
	if name == "" {
		cands = append(cands, root)
	}
	for _, c := range cands {
		if isDir(c) && hasJSON(c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("no split folder %q with <class>.json files under %s or %s",
		n, filepath.Join(root, "realiad_jsons"), root)
}

func hasJSON(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	return len(m) > 0
}

// realIADImageDir finds the folder holding <class>/ image folders.
func realIADImageDir(root, name, someClass string) (string, error) {
	if name != "" {
		d := name
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, name)
		}
		if !isDir(d) {
			return "", fmt.Errorf("image folder %s does not exist", d)
		}
		return d, nil
	}
	for _, n := range []string{"realiad_1024", "realiad_512", "realiad_256", "realiad_raw", ""} {
		d := filepath.Join(root, n)
		if isDir(filepath.Join(d, someClass)) {
			return d, nil
		}
	}
	return "", fmt.Errorf("no image folder (realiad_1024, realiad_512, realiad_256 or realiad_raw) holding %s/ under %s", someClass, root)
}

func readRealIAD(path, classDir, class string, views []string) (classSplits, error) {
	var cs classSplits
	raw, err := os.ReadFile(path)
	if err != nil {
		return cs, err
	}
	return parseRealIAD(path, raw, classDir, class, views)
}

// parseRealIAD reads the split file raw; path only names it in errors. It
// is the entry the fuzz tests feed.
func parseRealIAD(path string, raw []byte, classDir, class string, views []string) (classSplits, error) {
	var cs classSplits
	var f realIADFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return cs, fmt.Errorf("%s is not a valid Real-IAD split file: %v", path, err)
	}
	normal := f.Meta.NormalClass
	if normal == "" {
		normal = "OK"
	}
	for _, part := range []struct {
		dst     *[]Sample
		entries []realIADEntry
		split   Split
	}{{&cs.train, f.Train, Train}, {&cs.test, f.Test, Test}} {
		for i, e := range part.entries {
			s, err := e.sample(classDir, class, f.Meta.Prefix, normal)
			if err != nil {
				return cs, fmt.Errorf("%s: %s[%d]: %w", path, part.split, i, err)
			}
			if part.split == Train && s.Label != 0 {
				return cs, fmt.Errorf("%s: train[%d]: anomalous image %q in the training split", path, i, e.ImagePath)
			}
			if len(views) == 0 || slices.Contains(views, realIADView(e.ImagePath)) {
				*part.dst = append(*part.dst, s)
			}
		}
	}
	return cs, nil
}

func (e realIADEntry) sample(classDir, class, prefix, normal string) (Sample, error) {
	if e.ImagePath == "" {
		return Sample{}, errors.New("empty image_path")
	}
	join := func(p string) string { return filepath.Join(classDir, prefix, filepath.FromSlash(p)) }
	s := Sample{Path: join(e.ImagePath), Class: class, Defect: "good",
		Group: class + "/" + filepath.ToSlash(filepath.Dir(filepath.FromSlash(e.ImagePath)))}
	if e.AnomalyClass != normal {
		s.Label, s.Defect = 1, e.AnomalyClass
		if s.Defect == "" {
			s.Defect = "anomaly"
		}
		if e.MaskPath != nil && *e.MaskPath != "" {
			s.MaskPath = join(*e.MaskPath)
		}
	}
	return s, nil
}

// realIADView is the camera field of a Real-IAD image name
// ("audiojack_0001_OK_C1_20230922093358.jpg" → "C1"): the second-last
// underscore-separated part, as the reference reads it.
func realIADView(p string) string {
	parts := strings.Split(stem(filepath.Base(p)), "_")
	if len(parts) < 2 {
		return ""
	}
	return parts[len(parts)-2]
}
