package data

import (
	"errors"
	"fmt"
	"path/filepath"
)

// FolderOptions describe a custom dataset of one class laid out as plain
// folders, in the manner of anomalib's Folder: a folder of normal images,
// a folder of abnormal images and, optionally, a folder of their masks
// (matched by name: <stem>_mask.<ext> or <stem>.<ext>). Relative folders are
// taken from the dataset root.
type FolderOptions struct {
	Class      string // class name; default: the root folder's name
	Normal     string // normal images (required); training images, less the test share
	Abnormal   string // abnormal images (test only); "" for none
	Mask       string // masks of the abnormal images; "" for none
	NormalTest string // normal test images; "" to take a share of Normal instead
	// TestShare is the fraction of Normal moved to the test split when
	// NormalTest is empty (default 0.2). The images taken are spread evenly
	// over the name-sorted list, so the split is the same on every run.
	TestShare float64
}

func openFolder(root string, o Options) (Dataset, error) {
	f := o.Folder
	if f.Normal == "" {
		return nil, errors.New("folder: no normal-image folder given")
	}
	class := f.Class
	if class == "" {
		class = filepath.Base(filepath.Clean(root))
	}
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, p)
	}
	f.Normal, f.Abnormal, f.Mask, f.NormalTest = rel(f.Normal), rel(f.Abnormal), rel(f.Mask), rel(f.NormalTest)
	if f.TestShare == 0 {
		f.TestShare = 0.2
	}
	if f.TestShare < 0 || f.TestShare >= 1 {
		return nil, fmt.Errorf("folder: test share %g is not in [0, 1)", f.TestShare)
	}
	for _, d := range []string{f.Normal, f.Abnormal, f.Mask, f.NormalTest} {
		if d != "" && !isDir(d) {
			return nil, fmt.Errorf("folder: folder %s does not exist", d)
		}
	}
	return &lazyDataset{name: "folder", root: root, classes: []string{class}, scan: func(string) (classSplits, error) {
		cs, err := f.scan(class)
		if err != nil {
			return cs, fmt.Errorf("folder: %w", err)
		}
		return cs, nil
	}}, nil
}

func (f FolderOptions) scan(class string) (classSplits, error) {
	var cs classSplits
	normal, err := listSamples(f.Normal, class)
	if err != nil {
		return cs, err
	}
	if f.NormalTest != "" {
		cs.train = normal
		if cs.test, err = listSamples(f.NormalTest, class); err != nil {
			return cs, err
		}
	} else {
		cs.train, cs.test = splitShare(normal, f.TestShare)
	}
	if f.Abnormal != "" {
		bad, err := f.abnormal(class)
		if err != nil {
			return cs, err
		}
		cs.test = append(cs.test, bad...)
	}
	if len(cs.train) == 0 {
		return cs, fmt.Errorf("no training images in %s", f.Normal)
	}
	return cs, nil
}

func (f FolderOptions) abnormal(class string) ([]Sample, error) {
	names, err := listImages(f.Abnormal)
	if err != nil {
		return nil, err
	}
	var masks []string
	if f.Mask != "" {
		if masks, err = matchMasks(names, f.Mask); err != nil {
			return nil, err
		}
	}
	out := make([]Sample, len(names))
	for i, n := range names {
		out[i] = Sample{Path: filepath.Join(f.Abnormal, n), Class: class, Defect: "anomaly", Label: 1}
		if masks != nil {
			out[i].MaskPath = masks[i]
		}
	}
	return out, nil
}

func listSamples(dir, class string) ([]Sample, error) {
	names, err := listImages(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Sample, len(names))
	for i, n := range names {
		out[i] = Sample{Path: filepath.Join(dir, n), Class: class, Defect: "good"}
	}
	return out, nil
}

// splitShare moves about share·len(s) samples, evenly spaced, to the test
// list: sample i goes to test when ⌊(i+1)·share⌋ > ⌊i·share⌋.
func splitShare(s []Sample, share float64) (train, test []Sample) {
	for i, x := range s {
		if int(float64(i+1)*share) > int(float64(i)*share) {
			test = append(test, x)
		} else {
			train = append(train, x)
		}
	}
	return train, test
}
