// Package data reads anomaly-detection datasets in their own published
// folder layouts (no conversion step), preprocesses images exactly as the
// reference MambaAD toolkit does, and feeds them to training and
// evaluation through a parallel, bounded, deterministic loader.
//
// A Dataset lists Samples per split and class; Open picks a layout by name
// ("mvtec", "visa", "realiad", "mvtec3d", "unimedical", "cocoad", "btad",
// "mpdd", "mvtecloco", "meta", "folder") or detects it. LoadImage and
// LoadMask turn files into normalised tensors; Loader batches them.
package data

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Split selects the training (normal images only) or the test part.
type Split int

// The two splits every benchmark defines.
const (
	Train Split = iota
	Test
)

func (s Split) String() string {
	if s == Train {
		return "train"
	}
	return "test"
}

// Sample is one image and what the dataset says about it.
type Sample struct {
	Path   string // image file
	Class  string // product class, e.g. "bottle"
	Defect string // "good" for every normal image, whatever the dataset calls it
	Label  int    // 0 normal, 1 anomalous
	// MaskPath is the ground-truth mask, "" when there is none (normal
	// images, and anomalous images a dataset annotates only at image level).
	MaskPath string
	// ExtraMasks are further mask files whose union with MaskPath is the
	// ground truth (MVTec LOCO stores one file per defect region).
	ExtraMasks []string
	// Group names the physical object a multi-view image shows (Real-IAD's
	// "<class>/<specimen folder>"), "" when images stand alone.
	Group string
}

// Masks returns every mask file of s (none for a normal image).
func (s Sample) Masks() []string {
	if s.MaskPath == "" {
		return nil
	}
	return append([]string{s.MaskPath}, s.ExtraMasks...)
}

// Dataset is one benchmark on disk.
type Dataset interface {
	Name() string // registry name, e.g. "mvtec"
	Root() string
	Classes() []string // every class found, sorted
	// Samples lists a split for the given classes (nil or empty = all), in
	// class order then file order. Several classes give their union, which
	// is the multi-class training set.
	Samples(split Split, classes []string) ([]Sample, error)
}

// classSplits is what a layout knows about one class.
type classSplits struct {
	train, test []Sample
}

// lazyDataset implements Dataset for every layout: it scans a class the
// first time it is asked for, so opening Real-IAD (30 JSON files, 150 000
// images) costs nothing until a class is used.
type lazyDataset struct {
	name, root string
	classes    []string
	scan       func(class string) (classSplits, error)

	mu    sync.Mutex
	cache map[string]classSplits
}

func (d *lazyDataset) Name() string      { return d.name }
func (d *lazyDataset) Root() string      { return d.root }
func (d *lazyDataset) Classes() []string { return slices.Clone(d.classes) }

func (d *lazyDataset) Samples(split Split, classes []string) ([]Sample, error) {
	if len(classes) == 0 {
		classes = d.classes
	}
	var out []Sample
	for _, c := range classes {
		if !slices.Contains(d.classes, c) {
			return nil, fmt.Errorf("%s %s: no class %q (have %s)", d.name, d.root, c, strings.Join(d.classes, ", "))
		}
		cs, err := d.class(c)
		if err != nil {
			return nil, err
		}
		if split == Train {
			out = append(out, cs.train...)
		} else {
			out = append(out, cs.test...)
		}
	}
	return out, nil
}

func (d *lazyDataset) class(c string) (classSplits, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cs, ok := d.cache[c]; ok {
		return cs, nil
	}
	cs, err := d.scan(c)
	if err != nil {
		return classSplits{}, err
	}
	if d.cache == nil {
		d.cache = map[string]classSplits{}
	}
	d.cache[c] = cs
	return cs, nil
}

// SelectClasses parses a class list flag: "", "all" → nil (every class),
// otherwise comma-separated names with blanks trimmed.
func SelectClasses(flag string) []string {
	flag = strings.TrimSpace(flag)
	if flag == "" || flag == "all" {
		return nil
	}
	var out []string
	for _, c := range strings.Split(flag, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
