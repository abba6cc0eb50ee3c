package metrics

import "fmt"

// maxClassPixels bounds a class so that the integer AUROC count cannot
// overflow (pos·neg·2 < 2^64).
const maxClassPixels = 1 << 32

// Class accumulates the test images of one class; images are added one at a
// time and the metrics computed at the end. Pixels are stored as 4-byte
// (float32 maps) or 8-byte (float64 maps) keys plus, for anomalous pixels
// only, a 4-byte region index. A Class is not safe for concurrent use.
type Class struct {
	name   string
	opt    Options
	bits   int // 0 until the first image, then 32 or 64
	p32    pixels[uint32]
	p64    pixels[uint64]
	scores []float64
	labels []bool
	lab    labeler
}

// NewClass returns an empty class; opt is validated here.
func NewClass(name string, opt Options) (*Class, error) {
	o, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Class{name: name, opt: o}, nil
}

// Name returns the class name given to NewClass.
func (c *Class) Name() string { return c.name }

// Len returns the number of images added.
func (c *Class) Len() int { return len(c.scores) }

func (c *Class) pixelCount() int64 { return c.p32.count() + c.p64.count() }

func (c *Class) regionCount() int { return len(c.p32.areas) + len(c.p64.areas) }

// Add stores one image. On error (bad sizes, NaN or ±Inf in the map, a
// float64 map in a float32 class) nothing is stored.
func (c *Class) Add(img Image) error {
	idx := len(c.scores)
	fail := func(format string, a ...any) error {
		return fmt.Errorf("metrics: %s: %s", img.where(c.name, idx), fmt.Sprintf(format, a...))
	}
	if err := img.check(c.bits); err != nil {
		return fail("%v", err)
	}
	n := img.H * img.W
	if c.pixelCount()+int64(n) >= maxClassPixels {
		return fail("class would exceed %d pixels", int64(maxClassPixels))
	}
	var runs []run
	var areas []int64
	if img.Mask != nil {
		runs, areas = c.lab.label(img.Mask, img.H, img.W)
	}
	base := uint32(c.regionCount())
	bits, mx, bad := 32, 0.0, -1
	if img.Map64 != nil {
		bits = 64
		mx, bad = storeMap(&c.p64, img.Map64, runs, areas, img.W, base, put64, negInf64, posInf64)
	} else {
		mx, bad = storeMap(&c.p32, img.Map, runs, areas, img.W, base, put32, negInf32, posInf32)
	}
	if bad >= 0 {
		v := float64(0)
		if bits == 64 {
			v = img.Map64[bad]
		} else {
			v = float64(img.Map[bad])
		}
		return fail("map value at row %d, col %d is %v", bad/img.W, bad%img.W, v)
	}
	if img.Score != nil {
		mx = *img.Score
	}
	c.bits = bits
	c.scores = append(c.scores, mx)
	label := len(runs) > 0
	if img.Anomalous != nil {
		label = *img.Anomalous
	}
	c.labels = append(c.labels, label)
	return nil
}

// storeMap appends one image's pixels and regions and returns its max
// score, or, if the map holds a NaN or ±Inf (its key lies outside
// (negInf, posInf)), undoes the append and returns the first such index.
func storeMap[K key, T float32 | float64](px *pixels[K], m []T, runs []run, areas []int64, w int, base uint32, put func([]K, []T) (K, K), negInf, posInf K) (float64, int) {
	before := px.mark()
	lo, hi := appendImage(px, m, runs, w, base, put)
	if lo <= negInf || hi >= posInf {
		px.undo(before)
		return 0, firstNonFinite(m)
	}
	px.areas = append(px.areas, areas...)
	if px.count() == int64(len(m)) { // the first image
		px.lo, px.hi = lo, hi
	}
	px.lo, px.hi = min(px.lo, lo), max(px.hi, hi)
	return value(hi), -1
}

// Compute returns the class's metrics. It may be called again after more
// images are added. It fails only for a class without images; undefined
// metrics are NaN and explained in Result.Notes.
func (c *Class) Compute() (Result, error) {
	if len(c.scores) == 0 {
		return Result{}, fmt.Errorf("metrics: class %q has no images", c.name)
	}
	r := Result{Class: c.name, Images: len(c.scores), Regions: c.regionCount(), Pixels: c.pixelCount()}
	det, err := Scores(c.scores, c.labels)
	if err != nil {
		return Result{}, fmt.Errorf("metrics: class %q: %w", c.name, err)
	}
	r.IAUROC, r.IAP, r.IF1Max = det.AUROC, det.AP, det.F1Max
	for _, l := range c.labels {
		if l {
			r.AnomalousImages++
		}
	}
	if c.bits == 64 {
		pixelMetrics(&c.p64, c.opt, &r)
	} else {
		pixelMetrics(&c.p32, c.opt, &r)
	}
	r.Notes = append(undefinedNotes(&r), r.Notes...)
	v := r.Values()
	r.MAD = 0
	for _, x := range v[:7] {
		r.MAD += x
	}
	r.MAD /= 7
	return r, nil
}

// undefinedNotes explains NaN metrics by what the class lacks.
func undefinedNotes(r *Result) []string {
	var notes []string
	normalImages := r.Images - r.AnomalousImages
	switch {
	case r.AnomalousImages == 0:
		notes = append(notes, "I-AUROC, I-AP, I-F1max undefined: no anomalous images")
	case normalImages == 0:
		notes = append(notes, "I-AUROC undefined: no normal images")
	}
	switch {
	case r.AnomalousPixels == 0:
		notes = append(notes, "P-AUROC, P-AP, P-F1max, AU-PRO undefined: no anomalous pixels")
	case r.AnomalousPixels == r.Pixels:
		notes = append(notes, "P-AUROC, AU-PRO undefined: no normal pixels")
	}
	return notes
}

// pixelMetrics fills the pixel-level fields of r from one sorted sweep.
func pixelMetrics[K key](px *pixels[K], opt Options, r *Result) {
	px.sort()
	r.AnomalousPixels = int64(px.posK.n)
	var ref *reference
	var stops []stop[K]
	if opt.Mode == Reference {
		ref, stops = newReference(px, opt)
	}
	out := px.sweep(opt.MaxFPR, false, stops)
	r.PAUROC = out.rates.auroc()
	r.PAP = out.rates.avgPrecision()
	if ref == nil {
		r.PF1Max = out.rates.f1Max()
		r.AUPRO = out.pro.value()
		return
	}
	ref.finish(int64(px.neg.n), r.AnomalousPixels, len(px.areas), opt.MaxFPR, r)
}

// ProCurve returns the exact PRO curve: the point (0, 0), then one point per
// distinct score from the highest down (positive when score ≥ it), up to and
// including the first point whose FPR exceeds MaxFPR. It is the curve that
// the exact AU-PRO integrates.
func (c *Class) ProCurve() (fpr, pro []float64, err error) {
	var out sweepOut
	switch {
	case c.regionCount() == 0:
		return nil, nil, fmt.Errorf("metrics: class %q: no anomalous regions, PRO is undefined", c.name)
	case c.bits == 64:
		c.p64.sort()
		out = c.p64.sweep(c.opt.MaxFPR, true, nil)
	default:
		c.p32.sort()
		out = c.p32.sweep(c.opt.MaxFPR, true, nil)
	}
	if out.pro.neg == 0 {
		return nil, nil, fmt.Errorf("metrics: class %q: no normal pixels, FPR is undefined", c.name)
	}
	pts := out.pro.curve
	fpr, pro = make([]float64, len(pts)/2), make([]float64, len(pts)/2)
	for i := range fpr {
		fpr[i], pro[i] = pts[2*i], pts[2*i+1]
	}
	return fpr, pro, nil
}
