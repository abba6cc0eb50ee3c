package model

import "slices"

// Prediction is the model's verdict material for a batch of images.
type Prediction struct {
	N, Size int
	Maps    []float32 // (N, Size, Size) anomaly maps after the Gaussian blur
	Scores  []float64 // image scores: the maximum of each map
}

// Sigma is the reference's anomaly-map Gaussian blur.
const Sigma = 4

// Predict runs the whole network in inference mode on normalised images
// (n, 3, S, S) and returns anomaly maps and scores (spec §6). The model
// must not be in training mode (call SetTrain(false, 0) first).
func (m *MambaAD) Predict(images []float32, n int) Prediction {
	f := m.Features(images, n)
	outs := m.Reconstruct(f, n)
	chans, sides := m.FeatureShapes()
	s := m.Cfg.ImageSize
	maps64 := make([]float64, n*s*s)
	anomalyMaps(maps64, f[:], outs, chans, sides, n, s, Sigma, m.prof)
	p := Prediction{N: n, Size: s, Maps: make([]float32, len(maps64)), Scores: make([]float64, n)}
	for i, v := range maps64 {
		p.Maps[i] = float32(v)
	}
	for b := 0; b < n; b++ {
		p.Scores[b] = slices.Max(maps64[b*s*s : (b+1)*s*s])
	}
	return p
}

// Map returns image b's anomaly map.
func (p *Prediction) Map(b int) []float32 {
	return p.Maps[b*p.Size*p.Size : (b+1)*p.Size*p.Size]
}
