package model

import (
	"sort"
	"time"
)

// Breakdown collects where a model's time goes: wall time, calls, floating-
// point operations and bytes moved per (phase, stage, op class), while it is
// set on a model with SetBreakdown. Each kernel call returns only when all
// its workers are done, so timing around it on the calling goroutine gives
// that kernel's share of the wall time. With no Breakdown set the probes
// cost one nil test per kernel call.
//
// A Breakdown is not safe for concurrent use: one model, one caller.
type Breakdown struct {
	// Phase labels the entries recorded from now on ("forward",
	// "backward"); the caller switches it.
	Phase string

	rows  map[breakdownKey]*BreakdownRow
	order int
}

type breakdownKey struct{ phase, stage, op string }

// BreakdownRow is one (phase, stage, op class) entry.
type BreakdownRow struct {
	Phase, Stage, Op string
	Seconds          float64 // wall time summed over calls
	Calls            int
	FLOPs            float64 // floating-point operations (a multiply-add is 2)
	Bytes            float64 // least memory traffic: every operand read once, every result written once
	// Updates counts selective-scan state updates (scan rows only).
	Updates float64
	first   int // order of first appearance
}

// Op classes of the breakdown.
const (
	OpConv      = "conv"        // dense convolutions (encoder, fusion, LSS 1×1 and the final 1×1)
	OpProj      = "projections" // SS2D in_proj, x_proj, out_proj
	OpScan      = "scan"        // the fused selective scan
	OpDWConv    = "dwconv"      // depthwise convolutions (SS2D 3×3, LSS 5×5 and 7×7)
	OpNorm      = "norms"       // LayerNorm, InstanceNorm, BatchNorm, with the activations fused into them
	OpAct       = "elementwise" // activations, gates, residual sums, max-pool
	OpLayout    = "layout"      // transposes, concatenations, copies
	OpExpand    = "patchexpand" // PatchExpand: linear, pixel shuffle, LayerNorm
	OpCosine    = "cosine"      // 1 − cosine similarity per pixel
	OpUpsample  = "upsample"    // bilinear upsampling and the sum over levels
	OpBlur      = "blur"        // the Gaussian blur of the anomaly map
	OpLoss      = "loss"
	OpOptimiser = "optimiser"
)

// NewBreakdown returns an empty breakdown in phase "forward".
func NewBreakdown() *Breakdown {
	return &Breakdown{Phase: "forward", rows: map[breakdownKey]*BreakdownRow{}}
}

// Add records one call of seconds (for callers outside the model, such as
// the optimiser).
func (b *Breakdown) Add(stage, op string, seconds, flops, bytes float64) {
	r := b.row(stage, op)
	r.Seconds += seconds
	r.Calls++
	r.FLOPs += flops
	r.Bytes += bytes
}

func (b *Breakdown) row(stage, op string) *BreakdownRow {
	k := breakdownKey{b.Phase, stage, op}
	r := b.rows[k]
	if r == nil {
		r = &BreakdownRow{Phase: b.Phase, Stage: stage, Op: op, first: b.order}
		b.order++
		b.rows[k] = r
	}
	return r
}

// Rows returns the entries in the order they were first recorded.
func (b *Breakdown) Rows() []BreakdownRow {
	out := make([]BreakdownRow, 0, len(b.rows))
	for _, r := range b.rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].first < out[j].first })
	return out
}

// Reset clears the entries (the phase is kept).
func (b *Breakdown) Reset() {
	b.rows = map[breakdownKey]*BreakdownRow{}
	b.order = 0
}

// probe times the kernel calls of one layer for a Breakdown; a nil probe
// does nothing.
type probe struct {
	b     *Breakdown
	stage string
}

func newProbe(b *Breakdown, stage string) *probe {
	if b == nil {
		return nil
	}
	return &probe{b: b, stage: stage}
}

// start returns the time a timed call starts (zero for a nil probe).
func (p *probe) start() time.Time {
	if p == nil {
		return time.Time{}
	}
	return time.Now()
}

// stop records a call of op begun at t0 with its arithmetic and traffic.
func (p *probe) stop(t0 time.Time, op string, flops, bytes float64) {
	if p == nil {
		return
	}
	p.b.Add(p.stage, op, time.Since(t0).Seconds(), flops, bytes)
}

// stopScan records a scan call with its state updates.
func (p *probe) stopScan(t0 time.Time, flops, bytes, updates float64) {
	if p == nil {
		return
	}
	p.stop(t0, OpScan, flops, bytes)
	p.b.row(p.stage, OpScan).Updates += updates
}

// Traffic and arithmetic helpers (float32 elements).
func gemmFLOPs(m, n, k int) float64 { return 2 * float64(m) * float64(n) * float64(k) }

// gemmBytes is the least traffic of C = A·B (+C when accumulate).
func gemmBytes(m, n, k int, accumulate bool) float64 {
	e := float64(m*k + k*n + m*n)
	if accumulate {
		e += float64(m * n)
	}
	return 4 * e
}

// f32 is the traffic of n float32 elements.
func f32(n int) float64 { return 4 * float64(n) }

// SetBreakdown makes the model record its kernel calls into b (nil turns
// recording off). Stages are "encoder", "fusion", "decoder.<i>" and
// "anomaly_map".
func (m *MambaAD) SetBreakdown(b *Breakdown) {
	m.prof = newProbe(b, "anomaly_map")
	m.Enc.setProbe(newProbe(b, "encoder"))
	m.Fuse.setProbe(newProbe(b, "fusion"))
	m.Dec.setProbe(b)
}
