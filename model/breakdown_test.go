package model

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBreakdownRecordsWithoutChangingResults runs inference and a training
// step with and without a Breakdown: the results must be bit-identical,
// and every stage must have recorded its op classes with positive times.
func TestBreakdownRecordsWithoutChangingResults(t *testing.T) {
	const n = 2
	rng := rand.New(rand.NewPCG(3, 1))
	images := make([]float32, n*3*64*64)
	fill(rng, images, 1)
	run := func(bd *Breakdown) (maps []float32, grads [][]float32) {
		m := newSmallModel(t)
		m.SetBreakdown(bd)
		m.SetTrain(false, 0)
		p := m.Predict(images, n)
		f := m.Features(images, n)
		m.SetTrain(true, 1)
		outs := m.Reconstruct(f, n)
		g := make([][]float32, len(outs))
		for i := range outs {
			g[i] = make([]float32, len(outs[i]))
		}
		Loss(f[:], outs, g)
		if bd != nil {
			bd.Phase = "backward"
		}
		m.Backward(g)
		for _, p := range m.Trainable() {
			if p.G != nil {
				grads = append(grads, slices.Clone(p.G))
			}
		}
		return p.Maps, grads
	}
	bd := NewBreakdown()
	maps0, g0 := run(nil)
	maps1, g1 := run(bd)
	if !slices.Equal(maps0, maps1) {
		t.Fatal("anomaly maps differ with a breakdown set")
	}
	for i := range g0 {
		if !slices.Equal(g0[i], g1[i]) {
			t.Fatalf("gradient %d differs with a breakdown set", i)
		}
	}
	seen := map[string]bool{}
	for _, r := range bd.Rows() {
		if r.Seconds <= 0 || r.Calls <= 0 {
			t.Errorf("%s %s %s: %g s in %d calls", r.Phase, r.Stage, r.Op, r.Seconds, r.Calls)
		}
		if r.Op == OpScan && r.Updates <= 0 {
			t.Errorf("%s %s scan: no updates recorded", r.Phase, r.Stage)
		}
		seen[r.Phase+" "+r.Stage+" "+r.Op] = true
	}
	for _, want := range []string{
		"forward encoder conv", "forward fusion conv", "forward decoder.0 scan", "forward decoder.3 projections",
		"forward decoder.3 dwconv", "forward decoder.2 norms", "forward decoder.1 patchexpand",
		"forward anomaly_map cosine", "forward anomaly_map upsample", "forward anomaly_map blur",
		"backward decoder.3 scan", "backward decoder.0 projections", "backward fusion conv",
	} {
		if !seen[want] {
			t.Errorf("no %q row; rows: %v", want, keys(seen))
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
