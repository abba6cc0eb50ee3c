package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FolderOptions describe one class of a custom dataset laid out as plain
// folders, in the manner of anomalib's Folder: a folder of normal images,
// optionally a folder of abnormal images and a folder of their masks
// (matched by name: <stem>_mask.<ext> or <stem>.<ext>; an abnormal image
// without a mask has its image-level label only, Sample.MaskPath ""; the
// Note option is told). Relative folders are taken from the dataset root.
type FolderOptions struct {
	Class      string // class name; default (one class only): the root folder's name
	Normal     string // normal images (required); training images, less the test share
	Abnormal   string // abnormal images (test only); "" for none
	Mask       string // masks of the abnormal images; "" for none
	NormalTest string // normal test images; "" to take a share of Normal instead
	// TestShare is the fraction of Normal moved to the test split when
	// NormalTest is empty. 0 means automatic: DefaultTestShare when the
	// class has abnormal images, nothing otherwise (a class of normal images
	// only trains on all of them and has no test split). A negative value
	// holds nothing out. The images taken are spread evenly over the
	// name-sorted list, so the split is the same on every run.
	TestShare float64
}

// DefaultTestShare is the share of normal images held out as test normals
// when a folder class has abnormal images but no normal test folder.
const DefaultTestShare = 0.2

// NoTestShare as FolderOptions.TestShare holds no normal images out.
const NoTestShare = -1.0

// The folder names the "folder" layout recognises by itself, each group in
// order of preference (matched case-insensitively).
var (
	FolderNormalNames     = []string{"good", "normal", "ok"}
	FolderAbnormalNames   = []string{"bad", "abnormal", "defect", "anomaly"}
	FolderMaskNames       = []string{"masks", "mask", "ground_truth"}
	FolderNormalTestNames = []string{"test_good", "test_normal", "test_ok"}
)

// folderExpect is the tail of every error about an unusable folder tree.
const folderExpect = "expected DIR/good/*.png [DIR/bad/*.png DIR/masks/*.png DIR/test_good/*.png] " +
	"or DIR/<class>/good/… per class (see mambaad train --help)"

func openFolder(root string, o Options) (Dataset, error) {
	var specs []FolderOptions
	var err error
	if len(o.Folders) == 0 {
		if specs, err = discoverFolders(root); err != nil {
			return nil, err
		}
	} else if specs, err = resolveFolders(root, o.Folders); err != nil {
		return nil, err
	}
	byClass := map[string]FolderOptions{}
	var classes []string
	for _, f := range specs {
		byClass[f.Class] = f
		classes = append(classes, f.Class)
	}
	slices.Sort(classes)
	return &lazyDataset{name: "folder", root: root, classes: classes, scan: func(class string) (classSplits, error) {
		cs, err := byClass[class].scan(class, o.Note)
		if err != nil {
			return cs, fmt.Errorf("folder dataset %s: class %s: %w", root, class, err)
		}
		return cs, nil
	}}, nil
}

// resolveFolders checks explicitly configured classes and makes their
// folders relative to root.
func resolveFolders(root string, in []FolderOptions) ([]FolderOptions, error) {
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, p)
	}
	seen := map[string]bool{}
	out := make([]FolderOptions, len(in))
	for i, f := range in {
		what := fmt.Sprintf("folder dataset %s: class %q", root, f.Class)
		if f.Class == "" {
			if len(in) > 1 {
				return nil, fmt.Errorf("folder dataset %s: %d folder classes given, so each needs a class name", root, len(in))
			}
			f.Class = rootName(root)
			what = fmt.Sprintf("folder dataset %s", root)
		}
		if seen[f.Class] {
			return nil, fmt.Errorf("folder dataset %s: class %q given twice", root, f.Class)
		}
		seen[f.Class] = true
		if f.Normal == "" {
			return nil, fmt.Errorf("%s: no normal-image folder given", what)
		}
		if f.TestShare >= 1 || f.TestShare != f.TestShare {
			return nil, fmt.Errorf("%s: test share %g is not in [0, 1)", what, f.TestShare)
		}
		if f.NormalTest != "" && f.TestShare > 0 {
			return nil, fmt.Errorf("%s: give a normal test folder or a test share, not both", what)
		}
		f.Normal, f.Abnormal, f.Mask, f.NormalTest = rel(f.Normal), rel(f.Abnormal), rel(f.Mask), rel(f.NormalTest)
		for _, d := range []string{f.Normal, f.Abnormal, f.Mask, f.NormalTest} {
			if d != "" && !isDir(d) {
				return nil, fmt.Errorf("%s: folder %s does not exist", what, d)
			}
		}
		out[i] = f
	}
	return out, nil
}

// discoverFolders finds the classes of a folder tree by the conventional
// names: root itself as one class (root/good, …), else every sub-folder
// that holds a normal folder (root/<class>/good, …).
func discoverFolders(root string) ([]FolderOptions, error) {
	f, other, err := conventionalFolders(root)
	if err != nil {
		return nil, fmt.Errorf("folder dataset %s: %w", root, err)
	}
	if f.Normal != "" {
		f.Class = rootName(root)
		return []FolderOptions{f}, nil
	}
	if other != "" {
		return nil, fmt.Errorf("folder dataset %s: %s/ but no good/ (or normal/, ok/) folder; %s", root, other, folderExpect)
	}
	dirs, err := listDirs(root)
	if err != nil {
		return nil, err
	}
	var out []FolderOptions
	for _, d := range dirs {
		f, other, err := conventionalFolders(filepath.Join(root, d))
		if err != nil {
			return nil, fmt.Errorf("folder dataset %s: class %s: %w", root, d, err)
		}
		switch {
		case f.Normal != "":
			f.Class = d
			out = append(out, f)
		case other != "":
			return nil, fmt.Errorf("folder dataset %s: class folder %s has %s/ but no good/ (or normal/, ok/) folder; %s",
				root, d, other, folderExpect)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("folder dataset %s: %w; %s", root, errNoClassFolders, folderExpect)
	}
	return out, nil
}

// conventionalFolders looks for the conventional sub-folders of dir. It
// returns them as a class (Normal "" when dir has no normal folder) and the
// name of the first one found of any kind ("" for none); two names of one
// kind (good/ and ok/) are an error.
func conventionalFolders(dir string) (f FolderOptions, first string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return f, "", missing(dir, err)
	}
	for _, g := range []struct {
		names []string
		dst   *string
	}{{FolderNormalNames, &f.Normal}, {FolderAbnormalNames, &f.Abnormal}, {FolderMaskNames, &f.Mask}, {FolderNormalTestNames, &f.NormalTest}} {
		var found []string
		for _, e := range entries {
			if slices.Contains(g.names, strings.ToLower(e.Name())) && isDir(filepath.Join(dir, e.Name())) {
				found = append(found, e.Name())
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			*g.dst = filepath.Join(dir, found[0])
			if first == "" {
				first = found[0]
			}
		default:
			return FolderOptions{}, "", fmt.Errorf("both %s/ and %s/ in %s: keep one", found[0], found[1], dir)
		}
	}
	return f, first, nil
}

var errNoClassFolders = errors.New("no class folders found")

// detectFolder reports whether root is unambiguously a folder dataset by
// the conventional names and not an MVTec-like tree. A tree that uses the
// names but cannot be read as one (bad/ without good/, both good/ and ok/)
// gives the reason.
func detectFolder(root string) (bool, error) {
	specs, err := discoverFolders(root)
	if errors.Is(err, errNoClassFolders) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, f := range specs {
		c := filepath.Dir(f.Normal)
		if isDir(filepath.Join(c, "train")) || isDir(filepath.Join(c, "test")) {
			return false, nil
		}
	}
	return true, nil
}

// rootName is the default class name of a one-class folder dataset.
func rootName(root string) string {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return filepath.Base(root)
}

func (f FolderOptions) scan(class string, note func(string)) (classSplits, error) {
	var cs classSplits
	normal, err := listSamples(f.Normal, class)
	if err != nil {
		return cs, err
	}
	var bad []Sample
	if f.Abnormal != "" {
		if bad, err = f.abnormal(class, note); err != nil {
			return cs, err
		}
	}
	share := f.TestShare
	if share == 0 && len(bad) > 0 {
		share = DefaultTestShare
	}
	switch {
	case f.NormalTest != "":
		cs.train = normal
		if cs.test, err = listSamples(f.NormalTest, class); err != nil {
			return cs, err
		}
	case share > 0:
		cs.train, cs.test = splitShare(normal, share)
	default:
		cs.train = normal
	}
	cs.test = append(cs.test, bad...)
	if len(cs.train) == 0 {
		return cs, fmt.Errorf("no training images in %s", f.Normal)
	}
	if len(cs.test) == 0 && note != nil {
		note(fmt.Sprintf("folder class %s: normal images only; all %d train and there is no test split (add bad/ or test_good/ to evaluate)",
			class, len(cs.train)))
	}
	return cs, nil
}

// abnormal lists the abnormal images with their masks, found by name. A
// missing mask is not an error: the image keeps its image-level label, and
// note is told once how many lack one.
func (f FolderOptions) abnormal(class string, note func(string)) ([]Sample, error) {
	names, err := listImages(f.Abnormal)
	if err != nil {
		return nil, err
	}
	byName := map[string]string{}
	if f.Mask != "" {
		masks, err := listImages(f.Mask)
		if err != nil {
			return nil, err
		}
		for _, m := range masks {
			byName[strings.ToLower(m)] = m
		}
	}
	out := make([]Sample, len(names))
	unmasked := 0
	for i, n := range names {
		out[i] = Sample{Path: filepath.Join(f.Abnormal, n), Class: class, Defect: "anomaly", Label: 1}
		if m := lookupMask(byName, stem(n)); m != "" {
			out[i].MaskPath = filepath.Join(f.Mask, m)
		} else {
			unmasked++
		}
	}
	if unmasked > 0 && note != nil {
		where := "no mask folder"
		if f.Mask != "" {
			where = fmt.Sprintf("no <stem>_mask.<ext> or <stem>.<ext> in %s", f.Mask)
		}
		note(fmt.Sprintf("folder class %s: %d of %d abnormal images have no mask (%s); they count as anomalous at image level "+
			"and add no defect region to the pixel metrics", class, unmasked, len(names), where))
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
