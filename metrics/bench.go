package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	rtmetrics "runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// mvtecTest lists the MVTec AD test split: class, images, anomalous images
// (1,725 images, 1,258 anomalous). The benchmark mimics it at 256×256.
var mvtecTest = []struct {
	name   string
	n, bad int
}{
	{"bottle", 83, 63}, {"cable", 150, 92}, {"capsule", 132, 109},
	{"carpet", 117, 89}, {"grid", 78, 57}, {"hazelnut", 110, 70},
	{"leather", 124, 92}, {"metal_nut", 115, 93}, {"pill", 167, 141},
	{"screw", 160, 119}, {"tile", 117, 84}, {"toothbrush", 42, 30},
	{"transistor", 100, 40}, {"wood", 79, 60}, {"zipper", 151, 119},
}

// BenchFullSet measures the seven metrics on a synthetic test set the size
// of MVTec AD (15 classes, 1,725 float32 maps of 256×256 with blob and
// scratch defects covering about 5-10 % of each anomalous image). Maps are
// generated one at a time and handed to a Class as an evaluation loop
// would; seconds covers Add and Compute only, not the generation.
//
// peakBytes is the largest Go-runtime memory footprint seen during the run
// (runtime/metrics /memory/classes/total:bytes minus the heap returned to
// the OS), sampled every millisecond. It covers the whole process, so a
// caller holding other large data sees it included.
func BenchFullSet(opt Options) (seconds float64, peakBytes uint64, err error) {
	stop := sampleMemory()
	var busy time.Duration
	for ci, cl := range mvtecTest {
		d, err := benchClass(opt, cl.name, cl.n, cl.bad, 256, uint64(ci))
		if err != nil {
			stop()
			return 0, 0, err
		}
		busy += d
	}
	return busy.Seconds(), stop(), nil
}

// benchClass generates and evaluates one class, returning the time spent in
// Add and Compute.
func benchClass(opt Options, name string, n, bad, size int, seed uint64) (time.Duration, error) {
	c, err := NewClass(name, opt)
	if err != nil {
		return 0, err
	}
	g := newSynth(size, seed)
	var busy time.Duration
	for i := range n {
		img := g.image(i < bad)
		t0 := time.Now()
		err := c.Add(img)
		busy += time.Since(t0)
		if err != nil {
			return 0, err
		}
	}
	t0 := time.Now()
	r, err := c.Compute()
	busy += time.Since(t0)
	if err != nil {
		return 0, err
	}
	for i, v := range r.Values() {
		if math.IsNaN(v) || v <= 0 || v > 1 {
			return 0, fmt.Errorf("metrics: benchmark class %s: %s = %v is implausible", name, MetricNames[i], v)
		}
	}
	return busy, nil
}

// sampleMemory starts a sampler and returns a function that stops it and
// reports the peak.
func sampleMemory() func() uint64 {
	samples := []rtmetrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	var peak atomic.Uint64
	read := func() {
		rtmetrics.Read(samples)
		used := samples[0].Value.Uint64() - samples[1].Value.Uint64()
		if used > peak.Load() {
			peak.Store(used)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		read()
		return peak.Load()
	}
}

// synth draws plausible anomaly maps: a smooth background with noise,
// defects (elliptic blobs and thin scratches at random angles) that score
// higher but not perfectly, and occasional false-positive hot spots.
type synth struct {
	size int
	rng  *rand.Rand
	m    []float32
	mask []uint8
}

func newSynth(size int, seed uint64) *synth {
	return &synth{
		size: size,
		rng:  rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		m:    make([]float32, size*size),
		mask: make([]uint8, size*size),
	}
}

// image returns a new map (and mask when anomalous); the buffers are reused
// by the next call, as an evaluation loop would reuse its output.
func (g *synth) image(anomalous bool) Image {
	n := g.size
	fr, fc := 1+3*g.rng.Float64(), 1+3*g.rng.Float64()
	pr, pc := 2*math.Pi*g.rng.Float64(), 2*math.Pi*g.rng.Float64()
	row := make([]float32, n)
	for i := range row {
		row[i] = float32(0.08 * math.Sin(fc*float64(i)/float64(n)*2*math.Pi+pc))
	}
	state := g.rng.Uint64() | 1
	for r := 0; r < n; r++ {
		base := float32(0.25 + 0.08*math.Sin(fr*float64(r)/float64(n)*2*math.Pi+pr))
		for c := 0; c < n; c++ {
			state ^= state << 13 // xorshift noise: cheap, and exact ties stay rare
			state ^= state >> 7
			state ^= state << 17
			g.m[r*n+c] = base + row[c] + float32(state>>40)*(0.1/(1<<24))
		}
	}
	clear(g.mask)
	if g.rng.IntN(4) == 0 {
		g.blob(false)
	}
	if !anomalous {
		return Image{H: n, W: n, Map: g.m}
	}
	target := (0.05 + 0.05*g.rng.Float64()) * float64(n*n)
	for covered := 0.0; covered < target; {
		if g.rng.IntN(3) == 0 {
			covered += g.scratch()
		} else {
			covered += g.blob(true)
		}
	}
	return Image{H: n, W: n, Map: g.m, Mask: g.mask}
}

// blob raises an ellipse; a true defect is also marked in the mask.
func (g *synth) blob(defect bool) float64 {
	n := float64(g.size)
	cy, cx := g.rng.Float64()*n, g.rng.Float64()*n
	a, b := 6+30*g.rng.Float64(), 6+30*g.rng.Float64()
	lift := float32(0.1 + 0.4*g.rng.Float64())
	area := 0.0
	for r := max(0, int(cy-b)); r < min(g.size, int(cy+b)+1); r++ {
		for c := max(0, int(cx-a)); c < min(g.size, int(cx+a)+1); c++ {
			dy, dx := (float64(r)-cy)/b, (float64(c)-cx)/a
			d := dy*dy + dx*dx
			if d > 1 {
				continue
			}
			p := r*g.size + c
			g.m[p] += lift * float32(1-0.5*d)
			if defect && g.mask[p] == 0 {
				g.mask[p] = 255
				area++
			}
		}
	}
	return area
}

// scratch marks a 1-3 pixel wide line at a random angle, so diagonal
// scratches exercise 8-connectivity.
func (g *synth) scratch() float64 {
	n := float64(g.size)
	y, x := g.rng.Float64()*n, g.rng.Float64()*n
	th := g.rng.Float64() * math.Pi
	dy, dx := math.Sin(th), math.Cos(th)
	width := 1 + g.rng.IntN(3)
	lift := float32(0.15 + 0.3*g.rng.Float64())
	area := 0.0
	for k := 0; k < 40+g.rng.IntN(120); k++ {
		r, c := int(y+float64(k)*dy), int(x+float64(k)*dx)
		for w := 0; w < width; w++ {
			if r < 0 || r >= g.size || c+w < 0 || c+w >= g.size {
				continue
			}
			p := r*g.size + c + w
			if g.mask[p] == 0 {
				g.m[p] += lift
				g.mask[p] = 1
				area++
			}
		}
	}
	return area + 1 // never zero, so the caller's loop ends
}
