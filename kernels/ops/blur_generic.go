package ops

// blurTapGo computes, for x in [0, len(out)),
// out[x] = base[offs[r]+x]·half[0] + Σ_{j=r..1} (base[offs[r−j]+x] +
// base[offs[r+j]+x])·half[j], scipy's symmetric correlate1d order.
func blurTapGo(out, base []float64, offs []int, half []float64) {
	r := len(half) - 1
	n := len(out)
	c := base[offs[r] : offs[r]+n]
	for x := range out {
		out[x] = c[x] * half[0]
	}
	for j := r; j >= 1; j-- {
		a, b := base[offs[r-j]:offs[r-j]+n], base[offs[r+j]:offs[r+j]+n]
		wj := half[j]
		for x := range out {
			out[x] += (a[x] + b[x]) * wj
		}
	}
}
