package testutil

// CentralDiff returns the central difference (loss(x + h·eᵢ) −
// loss(x − h·eᵢ)) / 2h: it perturbs x[i] in place, calls loss, which reads
// x, and restores x[i].
func CentralDiff(x []float64, i int, h float64, loss func() float64) float64 {
	old := x[i]
	x[i] = old + h
	up := loss()
	x[i] = old - h
	down := loss()
	x[i] = old
	return (up - down) / (2 * h)
}

// NumGrad returns the central-difference gradient of loss at x, with step
// 1e-6, as a float64 gradient check wants it. loss receives a copy of x
// with one element perturbed at a time; x itself is not changed.
func NumGrad(x []float64, loss func(x []float64) float64) []float64 {
	const h = 1e-6
	g := make([]float64, len(x))
	xp := append([]float64(nil), x...)
	for i := range xp {
		g[i] = CentralDiff(xp, i, h, func() float64 { return loss(xp) })
	}
	return g
}
