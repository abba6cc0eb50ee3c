package exporttest

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/nn"
)

// SmallModel is a fast model with every kind of layer: 64×64 input,
// ResNet18, one LSS module of two HSS blocks per stage, and weights drawn
// away from their initial values (BatchNorm statistics, LayerNorm scales,
// A, Δ bias) so that every tensor's export is exercised.
func SmallModel(t testing.TB, scan string, k, n int, seed uint64) *model.MambaAD {
	t.Helper()
	return NewModel(t, model.Config{Backbone: "resnet18", ImageSize: 64, Depths: []int{2, 2, 2, 2}, Scan: scan,
		Directions: k, DState: n, FusionBlocks: 2}, seed)
}

// NewModel builds a model of any configuration with random encoder
// weights and perturbed trainable ones (see Perturb).
func NewModel(t testing.TB, cfg model.Config, seed uint64) *model.MambaAD {
	t.Helper()
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(seed)
	m.Enc.InitRandom(seed)
	Perturb(m, seed)
	return m
}

// Perturb moves every trainable tensor (and the encoder's BatchNorms) off
// its initial value, deterministically, keeping the network well scaled:
// multiplicative noise on weights, small offsets on biases and means,
// variances in [0.5, 1.5].
func Perturb(m *model.MambaAD, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 77))
	all := m.All()
	for _, p := range all {
		if p.Int64 {
			continue
		}
		name := p.Name
		if std, ok := linearStd(p); ok {
			for i := range p.W {
				p.W[i] = std * float32(r.NormFloat64())
			}
			continue
		}
		for i := range p.W {
			switch {
			case strings.HasSuffix(name, "running_var"):
				p.W[i] = 0.5 + r.Float32()
			case strings.HasSuffix(name, "running_mean"), strings.HasSuffix(name, ".bias"), strings.HasSuffix(name, "dt_projs_bias"):
				p.W[i] += 0.1 * float32(r.NormFloat64())
			case strings.HasSuffix(name, "A_logs"):
				p.W[i] += 0.2 * float32(r.NormFloat64())
			default:
				p.W[i] *= 1 + 0.2*float32(r.NormFloat64())
				if len(p.Shape) == 1 && strings.HasSuffix(name, ".weight") {
					p.W[i] += 0.1 * float32(r.NormFloat64())
				}
			}
		}
	}
	m.Enc.Fold()
}

// linearStd gives the Mamba projections (initialised at std 0.02, which
// leaves SS2D's contribution to the residual stream at the 1e-3 level) a
// trained network's scale, 1/√fan_in, so that the scan decides the
// reconstruction and every scan order gives a different map.
func linearStd(p *nn.Param) (float32, bool) {
	for _, suffix := range []string{"in_proj.weight", "out_proj.weight", "x_proj_weight", "dt_projs_weight", "expand.weight"} {
		if strings.HasSuffix(p.Name, suffix) {
			fanIn := p.Shape[len(p.Shape)-1]
			return float32(1 / math.Sqrt(float64(fanIn))), true
		}
	}
	return 0, false
}

// Images returns n deterministic normalised images with smooth structure
// and a local defect-like blob, so maps are not flat.
func Images(n, size int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 5))
	x := make([]float32, n*3*size*size)
	for b := 0; b < n; b++ {
		cx, cy := r.Float64()*float64(size), r.Float64()*float64(size)
		for c := 0; c < 3; c++ {
			f := 1 + r.Float64()*4
			for i := 0; i < size; i++ {
				for j := 0; j < size; j++ {
					v := math.Sin(f*float64(i)/float64(size)*math.Pi) * math.Cos(f*float64(j)/float64(size)*2)
					if d := math.Hypot(float64(i)-cy, float64(j)-cx); d < float64(size)/8 {
						v += 1.5
					}
					v += 0.3 * r.NormFloat64()
					x[((b*3+c)*size+i)*size+j] = float32(v)
				}
			}
		}
	}
	return x
}
