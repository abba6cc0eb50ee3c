package data

import (
	"fmt"
	"path/filepath"
)

// treeLayout describes the MVTec AD family of layouts:
//
//	<class>/train/<normal>/*          training normals
//	<class>/test/<normal>/*           test normals
//	<class>/test/<defect>/*           test anomalies
//	<class>/ground_truth/<defect>/*   their masks
//
// with per-dataset twists captured by the fields.
type treeLayout struct {
	name   string
	normal string // folder of normal images: "good", or "ok" in BTAD
	// extraTrain are further folders of training normals, used when present
	// (MVTec 3D-AD's "validation", which the reference adds to training).
	extraTrain []string
	imageSub   string // images sit in <defect>/<imageSub> ("rgb" in MVTec 3D-AD)
	// maskDir returns the folder holding a defect's masks.
	maskDir func(classDir, defect string) string
	// regionMasks: each image has a folder of masks named after its stem,
	// to be unioned (MVTec LOCO: ground_truth/<defect>/<stem>/000.png …).
	regionMasks bool
}

func groundTruthDir(classDir, defect string) string {
	return filepath.Join(classDir, "ground_truth", defect)
}

var (
	mvtecLayout = treeLayout{name: "mvtec", normal: "good", maskDir: groundTruthDir}
	// MPDD and Uni-Medical are published in MVTec AD's layout.
	mpddLayout       = treeLayout{name: "mpdd", normal: "good", maskDir: groundTruthDir}
	uniMedicalLayout = treeLayout{name: "unimedical", normal: "good", maskDir: groundTruthDir}
	// BTAD: 01/02/03 with train/ok, test/ok|ko, ground_truth/ko/<stem>.png
	// (class 03 uses .bmp masks; matchMasks accepts either).
	btadLayout = treeLayout{name: "btad", normal: "ok", maskDir: groundTruthDir}
	// MVTec 3D-AD, RGB only: <split>/<defect>/rgb/*.png with masks in the
	// sibling gt folder; xyz (depth) folders are not read.
	mvtec3dLayout = treeLayout{
		name: "mvtec3d", normal: "good", extraTrain: []string{"validation"}, imageSub: "rgb",
		maskDir: func(classDir, defect string) string {
			return filepath.Join(classDir, "test", defect, "gt")
		},
	}
	// MVTec LOCO: test/{good,logical_anomalies,structural_anomalies}, one
	// mask folder per image. Training uses train/good only; the published
	// validation/good split is left for model selection, as in the paper.
	mvtecLocoLayout = treeLayout{name: "mvtecloco", normal: "good", maskDir: groundTruthDir, regionMasks: true}
)

// open finds the classes under root: folders holding train and test.
func (l treeLayout) open(root string) (Dataset, error) {
	dirs, err := listDirs(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.name, err)
	}
	var classes []string
	for _, d := range dirs {
		if isDir(filepath.Join(root, d, "train")) && isDir(filepath.Join(root, d, "test")) {
			classes = append(classes, d)
		}
	}
	if len(classes) == 0 {
		return nil, fmt.Errorf("%s: no class folders (<class>/train and <class>/test) under %s", l.name, root)
	}
	return &lazyDataset{name: l.name, root: root, classes: classes, scan: func(c string) (classSplits, error) {
		cs, err := l.scan(root, c)
		if err != nil {
			return cs, fmt.Errorf("%s: %w", l.name, err)
		}
		return cs, nil
	}}, nil
}

func (l treeLayout) scan(root, class string) (classSplits, error) {
	classDir := filepath.Join(root, class)
	var cs classSplits
	for i, split := range append([]string{"train"}, l.extraTrain...) {
		dir := filepath.Join(classDir, split, l.normal, l.imageSub)
		if i > 0 && !isDir(dir) {
			continue
		}
		s, err := l.folder(classDir, dir, class, l.normal)
		if err != nil {
			return cs, err
		}
		cs.train = append(cs.train, s...)
	}
	defects, err := listDirs(filepath.Join(classDir, "test"))
	if err != nil {
		return cs, err
	}
	for _, d := range defects {
		s, err := l.folder(classDir, filepath.Join(classDir, "test", d, l.imageSub), class, d)
		if err != nil {
			return cs, err
		}
		cs.test = append(cs.test, s...)
	}
	if len(cs.train) == 0 {
		return cs, fmt.Errorf("class %s has no training images under %s", class, filepath.Join(classDir, "train", l.normal))
	}
	if len(cs.test) == 0 {
		return cs, fmt.Errorf("class %s has no test images under %s", class, filepath.Join(classDir, "test"))
	}
	return cs, nil
}

// folder lists one image folder of a class as samples of the given defect.
func (l treeLayout) folder(classDir, dir, class, defect string) ([]Sample, error) {
	names, err := listImages(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Sample, len(names))
	for i, n := range names {
		out[i] = Sample{Path: filepath.Join(dir, n), Class: class, Defect: "good"}
	}
	if defect == l.normal || len(names) == 0 {
		return out, nil
	}
	for i := range out {
		out[i].Defect, out[i].Label = defect, 1
	}
	return out, l.attachMasks(out, names, l.maskDir(classDir, defect))
}

// attachMasks fills in mask paths. A defect without a mask folder at all is
// annotated at image level only, which is allowed; a mask folder that lacks
// some images' masks is an error.
func (l treeLayout) attachMasks(s []Sample, names []string, maskDir string) error {
	if !isDir(maskDir) {
		return nil
	}
	if l.regionMasks {
		for i, n := range names {
			masks, err := listImages(filepath.Join(maskDir, stem(n)))
			if err != nil {
				return fmt.Errorf("masks of %s: %w", s[i].Path, err)
			}
			if len(masks) == 0 {
				return fmt.Errorf("masks of %s: no mask files in %s", s[i].Path, filepath.Join(maskDir, stem(n)))
			}
			for j, m := range masks {
				masks[j] = filepath.Join(maskDir, stem(n), m)
			}
			s[i].MaskPath = masks[0]
			if len(masks) > 1 {
				s[i].ExtraMasks = masks[1:]
			}
		}
		return nil
	}
	masks, err := matchMasks(names, maskDir)
	if err != nil {
		return err
	}
	for i := range s {
		s[i].MaskPath = masks[i]
	}
	return nil
}
