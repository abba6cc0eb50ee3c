package onnx

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/internal/exporttest"
	"github.com/mambaad/mambaad/model"
)

// Parity targets: ONNX Runtime's anomaly map within 1e-4 relative of
// mambaad's, element by element.
const mapRelTol = 1e-4

// smallModel is exporttest.SmallModel.
func smallModel(t testing.TB, scan string, k, n int, seed uint64) *model.MambaAD {
	t.Helper()
	return exporttest.SmallModel(t, scan, k, n, seed)
}

// Images is exporttest.Images.
func Images(n, size int, seed uint64) []float32 { return exporttest.Images(n, size, seed) }

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
