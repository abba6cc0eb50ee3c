package onnx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/internal/exporttest"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/nn"
)

// Parity targets: ONNX Runtime's anomaly map within 1e-4 relative of
// mambaad's, element by element.
const mapRelTol = 1e-4

// smallModel is a fast model with every kind of layer: 64×64 input,
// ResNet18, one LSS module of two HSS blocks per stage, and weights drawn
// away from their initial values (BatchNorm statistics, LayerNorm scales,
// A, Δ bias) so that every tensor's export is exercised.
func smallModel(t testing.TB, scan string, k, n int, seed uint64) *model.MambaAD {
	t.Helper()
	cfg := model.Config{Backbone: "resnet18", ImageSize: 64, Depths: []int{2, 2, 2, 2}, Scan: scan,
		Directions: k, DState: n, FusionBlocks: 2}
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

func writeModel(t testing.TB, m *Model) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, m.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkParity runs the exported model in ONNX Runtime on the images and
// compares map and score with detector.Predict.
func checkParity(t *testing.T, ort *exporttest.ORT, m *model.MambaAD, o Options, x []float32, n int) exporttest.Parity {
	t.Helper()
	em, err := Export(m, o)
	if err != nil {
		t.Fatal(err)
	}
	path := writeModel(t, em)
	S := m.Cfg.ImageSize
	res := ort.Run(t, path, x, n, S)
	want := detector.FromModel(m).Predict(x, n)
	gotMap, gotScore := res.Out[OutputMap], res.Out[OutputScore]
	if len(gotMap) != n*S*S || len(gotScore) != n {
		t.Fatalf("ORT outputs %v, want a %d×1×%d×%d map and %d scores", res.Shapes, n, S, S, n)
	}
	p := exporttest.Compare(gotMap, want.Maps, 1e-3)
	for b := 0; b < n; b++ {
		if d := math.Abs(float64(gotScore[b])-want.Scores[b]) / want.Scores[b]; d > mapRelTol {
			t.Errorf("image %d: ORT score %v, mambaad %v (relative %.2g)", b, gotScore[b], want.Scores[b], d)
		}
	}
	if p.MaxRel > mapRelTol {
		t.Errorf("anomaly map: max relative error %.3g at %d (ORT %v, mambaad %v) > %g", p.MaxRel, p.At, gotMap[p.At], want.Maps[p.At], mapRelTol)
	}
	return p
}

// TestORTParitySmall covers every scan order with 2, 4 and 8 directions on
// a small model, batch 2.
func TestORTParitySmall(t *testing.T) {
	ort := exporttest.NeedORT(t)
	x := Images(2, 64, 1)
	var lines []string
	for _, scan := range []string{"sweep", "scan", "zorder", "zigzag", "hilbert"} {
		for _, k := range []int{2, 4, 8} {
			t.Run(fmt.Sprintf("%s/K%d", scan, k), func(t *testing.T) {
				m := smallModel(t, scan, k, 4, uint64(k))
				p := checkParity(t, ort, m, Options{}, x, 2)
				lines = append(lines, fmt.Sprintf("%-8s K=%d  map max rel %.2e  max abs/max %.2e", scan, k, p.MaxRel, p.MaxAbsOverMax))
			})
		}
	}
	t.Log("parity, 64×64 ResNet18 model, batch 2:\n" + strings.Join(lines, "\n"))
}

// TestORTParityChunks runs the segmented scan (three Scans per SS2D) at
// several chunk lengths, down to 2 steps per segment, against the same
// mambaad prediction.
func TestORTParityChunks(t *testing.T) {
	ort := exporttest.NeedORT(t)
	x := Images(2, 64, 2)
	m := smallModel(t, "hilbert", 8, 4, 9)
	for _, chunk := range []int{2, 8, 16, 64} {
		t.Run(fmt.Sprintf("chunk%d", chunk), func(t *testing.T) {
			p := checkParity(t, ort, m, Options{ScanChunk: chunk}, x, 2)
			t.Logf("chunk %d: map max rel %.2e", chunk, p.MaxRel)
		})
	}
}

// TestORTReconstructions compares the encoder features and the decoder's
// reconstructions themselves (the anomaly map is 1 − cos of them, which
// damps decoder differences): every level within 1e-5 of its largest
// value, for each scan order, while the same weights on another order
// reconstruct visibly differently.
func TestORTReconstructions(t *testing.T) {
	ort := exporttest.NeedORT(t)
	const n = 2
	x := Images(n, 64, 3)
	var base [][]float32
	for _, scan := range []string{"sweep", "zigzag", "hilbert"} {
		m := smallModel(t, scan, 8, 8, 4)
		em, err := Export(m, Options{debugOutputs: true})
		if err != nil {
			t.Fatal(err)
		}
		res := ort.Run(t, writeModel(t, em), x, n, 64)
		f := m.Features(x, n)
		feats := [][]float32{append([]float32(nil), f[0]...), append([]float32(nil), f[1]...), append([]float32(nil), f[2]...)}
		rec := m.Reconstruct(f, n)
		for i := range 3 {
			pf := exporttest.Compare(res.Out[fmt.Sprintf("features_%d", i+1)], feats[i], 1e-3)
			pr := exporttest.Compare(res.Out[fmt.Sprintf("reconstructions_%d", i+1)], rec[i], 1e-3)
			t.Logf("%s level %d: features abs/max %.2e, reconstructions abs/max %.2e", scan, i+1, pf.MaxAbsOverMax, pr.MaxAbsOverMax)
			if pf.MaxAbsOverMax > 1e-5 || pr.MaxAbsOverMax > 1e-5 {
				t.Errorf("%s level %d: features differ by %.2g, reconstructions by %.2g of their largest value", scan, i+1, pf.MaxAbsOverMax, pr.MaxAbsOverMax)
			}
			if base == nil {
				continue
			}
			if d := exporttest.Compare(rec[i], base[i], 1e-3); d.MaxAbsOverMax < 1e-3 {
				t.Errorf("%s level %d: reconstructions differ from sweep's by only %.2g: the test cannot see the scan order", scan, i+1, d.MaxAbsOverMax)
			}
		}
		if base == nil {
			for i := range 3 {
				base = append(base, append([]float32(nil), rec[i]...))
			}
		}
	}
}
