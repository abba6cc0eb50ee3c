package selscan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mambaad/mambaad/kernels/isa"
)

// TestPrepSoftplus checks each level's prep: δ = softplus(raw) within a
// few ulp (exactly raw above torch's threshold 20), σ = softplus'(raw),
// δ·u, u, δ·log2 e and the gathered dy, B and C, on raw from −100 to 100 (raw = bias + dt_low with
// DtW = 1, R = 1, so every lane and step sees a different value).
func TestPrepSoftplus(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	const n = 67
	for _, lv := range isa.Available() {
		ks := kernelsFor(lv)
		for _, N := range []int{16, 3} {
			c := kernelCase(rng, n, 1, N)
			for i := range c.dtw {
				c.dtw[i] = 1
			}
			for l := range c.bias {
				c.bias[l] = float32(-100 + 200*rng.Float64())
			}
			for j := 0; j < n; j++ {
				c.rec[j*c.rs] = float32([]float64{-30, -5, 0, 5, 19.9, 20.1, 60}[j%7] * rng.Float64())
			}
			for i := range c.pre {
				c.pre[i] = float32(math.NaN())
			}
			ks.prep(c)
			for j := 0; j < n; j++ {
				p := int(c.idx[j])
				for l := 0; l < lanes; l++ {
					raw := c.bias[l] + c.rec[p*c.rs]
					x := float64(raw)
					u := c.x[p*c.ts+l]
					o := j*preLen + l
					dt, sig := c.pre[o], c.pre[o+preSig*lanes]
					if err := relErr(dt, softplus64(x), 4e-7); err != nil || (x > 20 && dt != raw) {
						t.Fatalf("%v N=%d softplus(%g) = %g: %v", lv, N, x, dt, err)
					}
					if err := relErr(sig, sigmoid64(x), 1e-6); err != nil {
						t.Fatalf("%v N=%d sigmoid(%g) = %g: %v", lv, N, x, sig, err)
					}
					if c.pre[o+preDU*lanes] != dt*u || c.pre[o+preU*lanes] != u || c.pre[o+preDL2*lanes] != dt*log2e {
						t.Fatalf("%v N=%d step %d lane %d: δu, u or δ·log2 e wrong", lv, N, j, l)
					}
					if c.pre[o+preG*lanes] != c.dy[p*c.ts+l] || N == 16 && (c.pre[j*preLen+preB*lanes+l] != c.rec[p*c.rs+1+l] ||
						c.pre[j*preLen+preC*lanes+l] != c.rec[p*c.rs+1+N+l]) {
						t.Fatalf("%v N=%d step %d lane %d: dy, B or C not gathered", lv, N, j, l)
					}
				}
			}
		}
	}
}

// relErr allows a relative error tol, and any result below the smallest
// normal float32 where the true value is (exp may flush those to 0).
func relErr(got float32, want, tol float64) error {
	if !(math.Abs(float64(got)-want) <= tol*math.Abs(want)+0x1p-126) {
		return errorf("got %g, want %g (rel %.3g)", got, want, math.Abs(float64(got)-want)/math.Abs(want))
	}
	return nil
}
