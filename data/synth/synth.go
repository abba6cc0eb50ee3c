// Package synth writes a synthetic anomaly-detection dataset in the MVTec AD
// layout: procedural textures and objects, with realistic defects
// (scratches, holes, stains, cracks, missing pieces) and exact masks. It is
// mambaad's built-in data for the demo and for tests: it needs no download,
// takes seconds, and is the same for a given seed on every machine.
package synth

import (
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/mambaad/mambaad/data/internal/splitmix"
	"github.com/mambaad/mambaad/parallel"
)

// Options size the dataset. Zero fields take the defaults shown.
type Options struct {
	Size       int      // image side in pixels (256)
	Train      int      // normal training images per class (40)
	TestGood   int      // normal test images per class (8)
	TestDefect int      // defective test images per class, spread over its defect types (12)
	Seed       uint64   // generator seed (0 is a valid seed)
	Classes    []string // subset of ClassNames(); empty means all
}

func (o Options) withDefaults() (Options, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Size, 256)
	def(&o.Train, 40)
	def(&o.TestGood, 8)
	def(&o.TestDefect, 12)
	if o.Size < 32 || o.Size > 4096 {
		return o, fmt.Errorf("synth: image size %d is outside 32…4096", o.Size)
	}
	if o.Train < 0 || o.TestGood < 0 || o.TestDefect < 0 {
		return o, errors.New("synth: image counts must not be negative")
	}
	if len(o.Classes) == 0 {
		o.Classes = ClassNames()
	}
	for _, c := range o.Classes {
		if findClass(c) == nil {
			return o, fmt.Errorf("synth: unknown class %q (have %s)", c, strings.Join(ClassNames(), ", "))
		}
	}
	return o, nil
}

// ClassNames lists the classes Generate can draw.
func ClassNames() []string {
	var out []string
	for _, c := range classes {
		out = append(out, c.name)
	}
	return out
}

func findClass(name string) *class {
	for i := range classes {
		if classes[i].name == name {
			return &classes[i]
		}
	}
	return nil
}

// class draws one sample: a normal image, then the defect if one is named.
type class struct {
	name    string
	defects []string
	draw    func(r *splitmix.Rand, size int, defect string) *canvas
}

var classes = []class{
	{name: "fabric", defects: []string{"cut", "hole", "stain"}, draw: drawFabric},
	{name: "wood", defects: []string{"crack", "hole", "scratch", "stain"}, draw: drawWood},
	{name: "nut", defects: []string{"missing", "rust", "scratch"}, draw: drawNut},
	{name: "chip", defects: []string{"broken", "missing_pin", "scratch", "stain"}, draw: drawChip},
}

// job is one file to draw.
type job struct {
	class  *class
	rel    string // image path relative to the dataset root
	defect string // "" for a normal image
	seed   uint64
}

// Generate writes the dataset to dir, which must not exist or be empty.
// Everything is drawn into a temporary sibling folder that is renamed to
// dir only when complete, so an interrupted run never leaves a tree that
// looks finished.
func Generate(dir string, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("synth: %s already exists and is not empty", dir)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := render(tmp, plan(o), o.Size); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	os.Remove(dir) // an empty folder may stand in the way of the rename
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// plan lists every file. Each image's seed depends only on the run seed,
// its class name and its place, so images do not shift when other classes
// or counts change.
func plan(o Options) []job {
	var jobs []job
	for _, name := range o.Classes {
		c := findClass(name)
		h := fnv.New64a()
		h.Write([]byte(name))
		base := splitmix.Mix(o.Seed ^ h.Sum64())
		add := func(kind uint64, i int, rel, defect string) {
			jobs = append(jobs, job{c, rel, defect, splitmix.Mix(base + kind<<32 + uint64(i))})
		}
		for i := range o.Train {
			add(1, i, fmt.Sprintf("%s/train/good/%03d.png", name, i), "")
		}
		for i := range o.TestGood {
			add(2, i, fmt.Sprintf("%s/test/good/%03d.png", name, i), "")
		}
		perDefect := map[string]int{}
		for i := range o.TestDefect {
			d := c.defects[i%len(c.defects)]
			add(3, i, fmt.Sprintf("%s/test/%s/%03d.png", name, d, perDefect[d]), d)
			perDefect[d]++
		}
	}
	return jobs
}

// render draws and writes all jobs on the shared worker pool.
func render(root string, jobs []job, size int) error {
	errs := make([]error, len(jobs))
	parallel.Run(len(jobs), func(i int) {
		errs[i] = jobs[i].write(root, size)
	})
	return errors.Join(errs...)
}

func (j job) write(root string, size int) error {
	cv := j.class.draw(splitmix.New(j.seed), size, j.defect)
	img, mask := cv.images(j.seed)
	if err := writePNG(filepath.Join(root, j.rel), img); err != nil {
		return err
	}
	if j.defect == "" {
		return nil
	}
	parts := strings.Split(j.rel, "/") // class/test/defect/name.png
	name := strings.TrimSuffix(parts[3], ".png") + "_mask.png"
	return writePNG(filepath.Join(root, parts[0], "ground_truth", parts[2], name), mask)
}

var encoder = png.Encoder{CompressionLevel: png.BestSpeed}

func writePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := encoder.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("synth: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}
