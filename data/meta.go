package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The reference toolkit (ADer) indexes a dataset with a meta.json at its
// root:
//
//	{"train": {"<class>": [entry, …], …}, "test": {…}}
//	entry = {"img_path": "bottle/test/broken_large/000.png",
//	         "mask_path": "bottle/ground_truth/broken_large/000_mask.png",
//	         "cls_name": "bottle", "specie_name": "broken_large", "anomaly": 1}
//
// with paths relative to the root and mask_path "" for normal images.
// COCO-AD is published in this format only, one file per split:
// meta_20_<split>.json with the single class "coco". A "validation" key
// (MVTec 3D-AD's generated meta) is not read; use the "mvtec3d" layout.
type metaEntry struct {
	ImgPath    string          `json:"img_path"`
	MaskPath   string          `json:"mask_path"`
	ClsName    string          `json:"cls_name"`
	SpecieName string          `json:"specie_name"`
	Anomaly    json.RawMessage `json:"anomaly"`
}

type metaFile struct {
	Train map[string][]metaEntry `json:"train"`
	Test  map[string][]metaEntry `json:"test"`
}

func openMeta(root string, o Options) (Dataset, error) {
	name := o.Meta
	if name == "" {
		name = "meta.json"
	}
	return openMetaFile("meta", root, filepath.Join(root, name))
}

func openCOCOAD(root string, o Options) (Dataset, error) {
	if o.COCOSplit < 0 || o.COCOSplit > 3 {
		return nil, fmt.Errorf("cocoad: split %d is not one of 0, 1, 2, 3", o.COCOSplit)
	}
	return openMetaFile("cocoad", root, filepath.Join(root, fmt.Sprintf("meta_20_%d.json", o.COCOSplit)))
}

func openMetaFile(name, root, path string) (Dataset, error) {
	bySplit, err := readMeta(root, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var classes []string
	for c := range bySplit {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	return &lazyDataset{name: name, root: root, classes: classes, scan: func(c string) (classSplits, error) {
		return bySplit[c], nil
	}}, nil
}

func readMeta(root, path string) (map[string]classSplits, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("index file %s does not exist", path)
		}
		return nil, err
	}
	return parseMeta(root, path, raw)
}

// parseMeta reads the meta file raw; path only names it in errors. It is
// the entry the fuzz tests feed.
func parseMeta(root, path string, raw []byte) (map[string]classSplits, error) {
	var mf metaFile
	if err := json.Unmarshal(raw, &mf); err != nil {
		return nil, fmt.Errorf("%s is not a valid meta file: %v", path, err)
	}
	if mf.Train == nil && mf.Test == nil {
		return nil, fmt.Errorf("%s has neither a \"train\" nor a \"test\" section", path)
	}
	out := map[string]classSplits{}
	for _, part := range []struct {
		split   Split
		classes map[string][]metaEntry
	}{{Train, mf.Train}, {Test, mf.Test}} {
		for class, entries := range part.classes {
			if class == "" {
				return nil, fmt.Errorf("%s: %s has a class with an empty name", path, part.split)
			}
			cs := out[class]
			for i, e := range entries {
				s, err := e.sample(root, class)
				if err != nil {
					return nil, fmt.Errorf("%s: %s[%q][%d]: %w", path, part.split, class, i, err)
				}
				if part.split == Train && s.Label != 0 {
					return nil, fmt.Errorf("%s: train[%q][%d]: anomalous image %q in the training split", path, class, i, e.ImgPath)
				}
				if part.split == Train {
					cs.train = append(cs.train, s)
				} else {
					cs.test = append(cs.test, s)
				}
			}
			out[class] = cs
		}
	}
	return out, nil
}

func (e metaEntry) sample(root, class string) (Sample, error) {
	if e.ImgPath == "" {
		return Sample{}, errors.New("empty img_path")
	}
	label, err := parseAnomaly(e.Anomaly)
	if err != nil {
		return Sample{}, err
	}
	s := Sample{Path: filepath.Join(root, filepath.FromSlash(e.ImgPath)), Class: class, Defect: "good", Label: label}
	if label == 1 {
		s.Defect = e.SpecieName
		if s.Defect == "" {
			s.Defect = "anomaly"
		}
		if e.MaskPath != "" {
			s.MaskPath = filepath.Join(root, filepath.FromSlash(e.MaskPath))
		}
	}
	return s, nil
}

// parseAnomaly accepts 0/1 as a number, a boolean or a string, since
// hand-written meta files vary.
func parseAnomaly(raw json.RawMessage) (int, error) {
	var v any
	if len(raw) == 0 {
		return 0, errors.New("missing \"anomaly\"")
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, err
	}
	switch t := v.(type) {
	case float64:
		if t == 0 || t == 1 {
			return int(t), nil
		}
	case bool:
		if t {
			return 1, nil
		}
		return 0, nil
	case string:
		if n, err := strconv.Atoi(t); err == nil && (n == 0 || n == 1) {
			return n, nil
		}
	}
	return 0, fmt.Errorf("\"anomaly\" is %s, want 0 or 1", quoteShort(string(raw)))
}

// quoteShort quotes text from a dataset file for an error message: one
// line, eliding all but the start of a long value.
func quoteShort(s string) string {
	if len(s) > 80 {
		return strconv.Quote(strings.ToValidUTF8(s[:80], "")) + "…"
	}
	return strconv.Quote(s)
}
