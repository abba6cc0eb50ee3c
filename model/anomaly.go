package model

import (
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/parallel"
)

// AnomalyMaps computes the reference's per-image anomaly map (spec §6) for
// n images: for each level i, 1 − cos(ft_i, fs_i) over channels, upsampled
// to size×size with bilinear align_corners=True, summed in float64 and
// divided by 9 (len(levels)·Σweights in the reference), then blurred with a
// Gaussian of σ = sigma (4 in the reference; 0 disables it). ft and fs are
// (n, c_i, s_i, s_i) NCHW with the channels and sides given. The result is
// (n, size, size) float64.
func AnomalyMaps(ft, fs [][]float32, chans, sides []int, n, size int, sigma float64) []float64 {
	out := make([]float64, n*size*size)
	AnomalyMapsInto(out, ft, fs, chans, sides, n, size, sigma)
	return out
}

// AnomalyMapsInto is AnomalyMaps writing into out (n·size·size).
func AnomalyMapsInto(out []float64, ft, fs [][]float32, chans, sides []int, n, size int, sigma float64) {
	anomalyMaps(out, ft, fs, chans, sides, n, size, sigma, nil)
}

func anomalyMaps(out []float64, ft, fs [][]float32, chans, sides []int, n, size int, sigma float64, pr *probe) {
	clear(out)
	plane := size * size
	// The reference divides by len(levels)·Σweights with unit weights; the
	// last level's upsampling divides as it adds.
	div := float64(len(ft) * len(ft))
	for i := range ft {
		hw := sides[i] * sides[i]
		t := pr.start()
		cos := nn.GetScratch(n * hw)
		ops.CosineSimilarity(ft[i], fs[i], n, chans[i], hw, cos)
		for j := range cos {
			cos[j] = 1 - cos[j]
		}
		pr.stop(t, OpCosine, 6*float64(n*chans[i]*hw), f32(2*n*chans[i]*hw+n*hw))
		t = pr.start()
		d := 0.0
		if i == len(ft)-1 {
			d = div
		}
		ops.BilinearAccumulate(cos, n, sides[i], sides[i], size, size, true, out, d)
		nn.PutScratch(cos)
		pr.stop(t, OpUpsample, 0, f32(n*hw)+16*float64(n*plane))
	}
	if sigma > 0 {
		t := pr.start()
		parallel.Run(n, func(b int) {
			m := out[b*plane : (b+1)*plane]
			ops.GaussianBlur(m, size, size, sigma, m)
		})
		taps := 2*int(4*sigma+0.5) + 1 // scipy's truncate = 4
		pr.stop(t, OpBlur, 4*float64(n*plane*taps), 16*float64(n*plane))
	}
}
