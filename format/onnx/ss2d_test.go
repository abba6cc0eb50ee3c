package onnx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/internal/exporttest"
	"github.com/mambaad/mambaad/model"
)

// ss2dGraph is one SS2D as a model: tokens (b, L, C) in, (b, L, C) out.
func ss2dGraph(m *model.MambaAD, s *model.SS2D, b, chunk int) *Model {
	e := &exporter{b: NewBuilder("ss2d"), m: m, o: Options{ScanChunk: chunk}, ones: map[int]string{}, zeros: map[int]string{}, dirs: map[int]*dirTables{}}
	x := e.b.Input("tokens", Float, Fixed(b), Fixed(s.L), Fixed(s.C))
	y := e.ss2d(x, s)
	e.b.OpTo("Identity", []string{y}, []string{"y"})
	e.b.Output("y", Float, Fixed(b), Fixed(s.L), Fixed(s.C))
	return &Model{IRVersion: IRVersion, OpsetImports: []OpsetID{{Version: Opset}}, Graph: e.b.G}
}

// lastSS2D is the first SS2D of the decoder's finest stage (side 16 on a
// 64×64 model: L = 256).
func lastSS2D(m *model.MambaAD) *model.SS2D {
	_, blocks, _, _ := m.Dec.StageParts(len(m.Dec.Stages) - 1)
	return blocks[0].Blocks[0].SS
}

// TestORTSS2D compares one SS2D layer in ONNX Runtime with mambaad's, for
// every scan order and direction count, with the plain Scan (and the
// segmented one for the Hilbert order), and with small Δ (≈ 1e-4). The layer alone is fully sensitive to the scan: the same
// weights with another order give a completely different output, which the
// test checks too, so the tolerance means something.
func TestORTSS2D(t *testing.T) {
	ort := exporttest.NeedORT(t)
	const b = 2
	var lines []string
	for _, scan := range []string{"sweep", "scan", "zorder", "zigzag", "hilbert", "hilbert-small-delta"} {
		for _, k := range []int{2, 4, 8} {
			order, smallDelta := strings.CutSuffix(scan, "-small-delta")
			m := smallModel(t, order, k, 16, 3)
			s := lastSS2D(m)
			if smallDelta { // Δ ≈ 1e-4 and below, where float32 log(1 + eˣ) loses digits
				for i := range s.DtB.W {
					s.DtB.W[i] = -9 - float32(i%7)
				}
			}
			r := rand.New(rand.NewPCG(uint64(k), 1))
			x := make([]float32, b*s.L*s.C)
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			want := append([]float32(nil), s.Forward(x, b)...)
			if order != "sweep" && !smallDelta { // sensitivity: the same layer on another order
				other := lastSS2D(smallModel(t, "sweep", k, 16, 3))
				if smallDelta {
					copy(other.DtB.W, s.DtB.W)
				}
				if d := exporttest.Compare(other.Forward(x, b), want, 1e-2); d.MaxAbsOverMax < 1e-2 {
					t.Fatalf("%s K=%d: the sweep order changes the output by only %.2g: the test could not see a wrong order", scan, k, d.MaxAbsOverMax)
				}
			}
			var plain []float32
			chunks := []int{0}
			if order == "hilbert" { // the segmented scan (TestORTParityChunks covers more lengths)
				chunks = append(chunks, 16)
			}
			for _, chunk := range chunks {
				name := fmt.Sprintf("%s/K%d/chunk%d", scan, k, chunk)
				g := ss2dGraph(m, s, b, chunk)
				if n, want := countOps(g.Graph, "Scan"), map[int]int{0: 1, 16: 3}[chunk]; n != want {
					t.Fatalf("%s: %d Scan nodes, want %d", name, n, want)
				}
				got := ort.RunShape(t, writeModel(t, g), x, []int{b, s.L, s.C}).Out["y"]
				if chunk == 0 {
					plain = got
				} else if d := exporttest.Compare(got, plain, 1e-3); d.MaxAbsOverMax > 1e-6 {
					t.Errorf("%s: segmented and plain scans differ by %.2g of the largest value", name, d.MaxAbsOverMax)
				}
				p := exporttest.Compare(got, want, 1e-3)
				lines = append(lines, fmt.Sprintf("%-20s max rel %.2e (|w| ≥ 1e-3·max)  max abs/max %.2e", name, p.MaxRel, p.MaxAbsOverMax))
				if p.MaxAbsOverMax > 1e-5 {
					t.Errorf("%s: SS2D output differs: max abs error %.3g of the largest value", name, p.MaxAbsOverMax)
				}
			}
		}
	}
	t.Log("SS2D layer (C=64, L=256, N=16, batch 2), ORT vs mambaad:\n" + strings.Join(lines, "\n"))
}

// countOps counts the nodes of a type in g and its subgraphs.
func countOps(g *Graph, op string) int {
	n := 0
	for _, x := range g.Nodes {
		if x.OpType == op {
			n++
		}
		for _, a := range x.Attrs {
			if a.G != nil {
				n += countOps(a.G, op)
			}
		}
	}
	return n
}

// TestORTSoftplus: the exported softplus agrees with mambaad's (log1p in
// float64, rounded to float32) to 2 ulps over the whole range, where ONNX's
// own Softplus, log(eˣ + 1) in float32, is off by up to 5e-4 relative at
// x ≈ −9 (Δ ≈ 1e-4) and worse below.
func TestORTSoftplus(t *testing.T) {
	ort := exporttest.NeedORT(t)
	var x []float32
	for v := -30.0; v <= 30; v += 0.01 {
		x = append(x, float32(v))
	}
	want := make([]float32, len(x))
	for i, v := range x {
		want[i] = float32(math.Log1p(math.Exp(float64(v))))
		if v > 20 {
			want[i] = v
		}
	}
	run := func(ours bool) float64 {
		e := &exporter{b: NewBuilder("softplus"), o: Options{}}
		in := e.b.Input("x", Float, Fixed(len(x)))
		var y string
		if ours {
			y = e.softplus(in)
		} else {
			y = e.b.Op("Softplus", []string{in})
		}
		e.b.OpTo("Identity", []string{y}, []string{"y"})
		e.b.Output("y", Float, Fixed(len(x)))
		m := &Model{IRVersion: IRVersion, OpsetImports: []OpsetID{{Version: Opset}}, Graph: e.b.G}
		got := ort.RunShape(t, writeModel(t, m), x, []int{len(x)}).Out["y"]
		var worst float64
		for i := range x {
			r := math.Abs(float64(got[i])-float64(want[i])) / float64(want[i])
			worst = max(worst, r)
		}
		return worst
	}
	ours, theirs := run(true), run(false)
	t.Logf("softplus over [−30, 30]: exported max relative error %.2g, ONNX Softplus %.2g", ours, theirs)
	if ours > 3e-7 {
		t.Errorf("exported softplus: max relative error %.3g", ours)
	}
}
