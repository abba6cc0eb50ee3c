package ops

import (
	"fmt"
	"math"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestGoldenAnomalyMap rebuilds ADer's cal_anomaly_map from the stored
// features: a_i = bilinear(align_corners)(1 − cos(ft_i, fs_i)) to 256²,
// summed in float64, divided by 9, then the σ=4 blur.
func TestGoldenAnomalyMap(t *testing.T) {
	f := golden.Open(t, "anomaly_map.npz")
	const out = 256
	nogauss := f.Get(t, "anomaly_map_nogauss")
	n := nogauss.Shape[0]
	sum := make([]float64, n*out*out)
	for lvl := 0; lvl < 3; lvl++ {
		ft, fs := f.Get(t, fmt.Sprintf("ft%d", lvl)), f.Get(t, fmt.Sprintf("fs%d", lvl))
		c, h, w := ft.Shape[1], ft.Shape[2], ft.Shape[3]
		cos := make([]float32, n*h*w)
		CosineSimilarity(ft.Data, fs.Data, n, c, h*w, cos)
		for i, v := range cos {
			cos[i] = 1 - v
		}
		amap := testutil.NaNs(n * out * out)
		Bilinear(cos, n, h, w, out, out, true, amap)
		want := f.Get(t, fmt.Sprintf("a_map%d", lvl))
		testutil.Close(t, fmt.Sprintf("a_map%d", lvl), amap, want.Data, 2e-6, 0)
		for i, v := range amap {
			sum[i] += float64(v)
		}
	}
	for i := range sum {
		sum[i] /= 9
	}
	worst := 0.0
	for i, v := range sum {
		worst = max(worst, math.Abs(v-nogauss.F64[i]))
	}
	if worst > 1e-6 {
		t.Fatalf("anomaly_map_nogauss: max error %g", worst)
	}
	t.Logf("a_map and nogauss parity: max |Δ| %.3g", worst)
}

func TestGoldenGaussianBlur(t *testing.T) {
	f := golden.Open(t, "anomaly_map.npz")
	src, want := f.Get(t, "anomaly_map_nogauss"), f.Get(t, "anomaly_map")
	n, h, w := src.Shape[0], src.Shape[1], src.Shape[2]
	levels(t, func(t *testing.T, l isa.Level) {
		worst := 0.0
		for s := 0; s < n; s++ {
			dst := make([]float64, h*w)
			for i := range dst {
				dst[i] = math.NaN()
			}
			gaussianBlur(l, src.F64[s*h*w:(s+1)*h*w], h, w, 4, GaussianTruncate, dst)
			for i, v := range dst {
				d := math.Abs(v - want.F64[s*h*w+i])
				if !(d <= worst) {
					worst = d
				}
			}
		}
		if worst > 1e-12 {
			t.Fatalf("blur vs scipy: max |Δ| %g", worst)
		}
		t.Logf("blur vs scipy: max |Δ| %.3g", worst)
	})
}
