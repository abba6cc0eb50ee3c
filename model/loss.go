package model

import "github.com/mambaad/mambaad/kernels/ops"

// LossWeight is the reference's λ: each scale's MSE counts 5 times.
const LossWeight = 5

// Loss returns Σ_i λ·mean((fs_i − ft_i)²) and writes d loss / d fs_i into
// grads (which must have the shapes of fs; nil skips the gradient). The
// encoder features ft are constants.
func Loss(ft, fs, grads [][]float32) float64 {
	total := 0.0
	for i := range fs {
		total += LossWeight * ops.MSE(fs[i], ft[i])
		if grads != nil {
			ops.MSEBackward(fs[i], ft[i], LossWeight, grads[i])
		}
	}
	return total
}
