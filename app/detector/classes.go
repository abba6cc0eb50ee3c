package detector

import (
	"fmt"
	"math"
	"slices"
)

// Prototypes recognise the product class of an image from the frozen
// encoder's last feature level: each class is the normalised mean of its
// training images' globally pooled, normalised layer-3 features, and an
// image belongs to the class whose prototype is most similar (cosine).
// The confidence is a softmax over the similarities whose temperature was
// fitted to the training images (temperature scaling), so that it reads as
// a probability.
type Prototypes struct {
	Names       []string
	Dim         int
	Vec         []float32 // len(Names)×Dim, unit rows
	Temperature float64
}

// Pool returns the globally average-pooled, L2-normalised features of n
// images from layer-3 features f3 (n, c, s, s).
func Pool(f3 []float32, n, c, s int) []float32 {
	out := make([]float32, n*c)
	hw := s * s
	for b := 0; b < n; b++ {
		row := out[b*c : (b+1)*c]
		for k := 0; k < c; k++ {
			var sum float64
			for _, v := range f3[(b*c+k)*hw : (b*c+k+1)*hw] {
				sum += float64(v)
			}
			row[k] = float32(sum / float64(hw))
		}
		normalise(row)
	}
	return out
}

func normalise(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(ss))
	for i := range v {
		v[i] *= inv
	}
}

// PrototypeBuilder collects pooled features per class.
type PrototypeBuilder struct {
	dim    int
	names  []string
	index  map[string]int
	sums   [][]float64
	pooled []float32 // every image's pooled vector, for the temperature fit
	labels []int
}

// NewPrototypeBuilder prepares prototypes of dim-wide pooled features.
func NewPrototypeBuilder(dim int) *PrototypeBuilder {
	return &PrototypeBuilder{dim: dim, index: map[string]int{}}
}

// Add records images of the given classes from their pooled features
// (len(classes)×dim, as Pool returns).
func (pb *PrototypeBuilder) Add(classes []string, pooled []float32) {
	for i, c := range classes {
		k, ok := pb.index[c]
		if !ok {
			k = len(pb.names)
			pb.index[c] = k
			pb.names = append(pb.names, c)
			pb.sums = append(pb.sums, make([]float64, pb.dim))
		}
		row := pooled[i*pb.dim : (i+1)*pb.dim]
		for j, v := range row {
			pb.sums[k][j] += float64(v)
		}
		pb.pooled = append(pb.pooled, row...)
		pb.labels = append(pb.labels, k)
	}
}

// Build makes the prototypes (classes in first-seen order) and fits the
// temperature.
func (pb *PrototypeBuilder) Build() (*Prototypes, error) {
	if len(pb.names) == 0 {
		return nil, fmt.Errorf("detector: no images to build class prototypes from")
	}
	p := &Prototypes{Names: slices.Clone(pb.names), Dim: pb.dim, Vec: make([]float32, len(pb.names)*pb.dim), Temperature: 1}
	for k := range pb.names {
		row := p.Vec[k*pb.dim : (k+1)*pb.dim]
		for j, v := range pb.sums[k] {
			row[j] = float32(v)
		}
		normalise(row)
	}
	if len(p.Names) > 1 {
		p.Temperature = p.fitTemperature(pb.pooled, pb.labels)
	}
	return p, nil
}

// fitTemperature picks the softmax temperature that minimises the cross
// entropy against the training images' own classes, smoothed by 1 % (so a
// perfectly separated training set does not drive the temperature to zero
// and every later guess to certainty), by golden-section search on log τ.
func (p *Prototypes) fitTemperature(pooled []float32, labels []int) float64 {
	sims := make([][]float64, len(labels))
	for i := range labels {
		sims[i] = p.similarities(pooled[i*p.Dim : (i+1)*p.Dim])
	}
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		const eps = 0.01
		other := eps / float64(len(p.Names)-1)
		s := 0.0
		for i, l := range labels {
			for k, v := range logSoftmax(sims[i], t) {
				w := other
				if k == l {
					w = 1 - eps
				}
				s -= w * v
			}
		}
		return s
	}
	lo, hi := math.Log(1e-3), math.Log(1.0)
	const g = 0.6180339887498949
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := nll(a), nll(b)
	for i := 0; i < 60; i++ {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = nll(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = nll(b)
		}
	}
	return math.Exp((lo + hi) / 2)
}

func (p *Prototypes) similarities(v []float32) []float64 {
	out := make([]float64, len(p.Names))
	for k := range p.Names {
		var s float64
		for j, x := range p.Vec[k*p.Dim : (k+1)*p.Dim] {
			s += float64(x) * float64(v[j])
		}
		out[k] = s
	}
	return out
}

func logSoftmax(s []float64, t float64) []float64 {
	m := slices.Max(s)
	var z float64
	for _, v := range s {
		z += math.Exp((v - m) / t)
	}
	out := make([]float64, len(s))
	lz := math.Log(z)
	for i, v := range s {
		out[i] = (v-m)/t - lz
	}
	return out
}

// ClassGuess is an inferred product class.
type ClassGuess struct {
	Class      string  `json:"class"`
	Confidence float64 `json:"confidence"` // softmax probability, 0–1
}

// Infer guesses the class of one image from its pooled features.
func (p *Prototypes) Infer(pooled []float32) ClassGuess {
	s := p.similarities(pooled)
	ls := logSoftmax(s, p.Temperature)
	best := 0
	for k := range s {
		if s[k] > s[best] {
			best = k
		}
	}
	return ClassGuess{Class: p.Names[best], Confidence: math.Exp(ls[best])}
}
