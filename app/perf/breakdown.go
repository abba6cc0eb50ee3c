package perf

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/mambaad/mambaad/app/train"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/optim"
	"github.com/mambaad/mambaad/parallel"
)

// BreakdownRow is one (phase, stage, op class) line of a scenario's
// breakdown, per image (inference) or per step (training).
type BreakdownRow struct {
	Phase   string  `json:"phase"`
	Stage   string  `json:"stage"`
	Op      string  `json:"op"`
	MS      float64 `json:"ms"`               // median wall time over the instrumented runs
	Share   float64 `json:"share"`            // of the scenario's instrumented total
	Calls   int     `json:"calls"`            // kernel calls per run
	GFLOPS  float64 `json:"gflops,omitempty"` // achieved arithmetic rate
	GBps    float64 `json:"gbps,omitempty"`   // achieved least traffic rate
	FloorMS float64 `json:"floor_ms"`         // max(FLOPs / peak, bytes / bandwidth)
	// Bound says which floor applies: "flops" or "memory".
	Bound string `json:"bound,omitempty"`
	// UpdatesPerS is the scan's state-update rate (scan rows only).
	UpdatesPerS float64 `json:"updates_per_s,omitempty"`
}

// Breakdown is one scenario's table.
type Breakdown struct {
	Scenario string         `json:"scenario"`
	Per      string         `json:"per"`      // "image" or "step"
	TotalMS  float64        `json:"total_ms"` // uninstrumented median, per image or step
	SumMS    float64        `json:"sum_ms"`   // sum of the rows
	FloorMS  float64        `json:"floor_ms"` // sum of the rows' floors
	Rows     []BreakdownRow `json:"rows"`
	Runs     int            `json:"runs"`
	GBps     float64        `json:"bandwidth_gbps"` // the memory floor's bandwidth
}

// breakdownRuns is how many instrumented runs each scenario gets (after a
// warm-up); every row is the median of its runs.
const breakdownRuns = 3

// ModelBreakdown times every model scenario op by op (see model.Breakdown)
// and adds one table per scenario to the report.
func (r *Report) ModelBreakdown() error {
	b, err := NewModelBench()
	if err != nil {
		return err
	}
	b.Prec = r.Precision
	if r.BandwidthGBps == 0 {
		r.BandwidthGBps = Bandwidth()
	}
	for _, sc := range Scenarios {
		bd, err := b.breakdown(sc, r.PeakGFLOPS, r.BandwidthGBps)
		if err != nil {
			return err
		}
		r.Breakdowns = append(r.Breakdowns, bd)
	}
	return nil
}

// breakdown runs one scenario uninstrumented (for its total) and then
// breakdownRuns times with the model's probes on.
func (b *ModelBench) breakdown(sc string, peakGF, gbps float64) (Breakdown, error) {
	n, per := 8, "step"
	switch sc {
	case "infer1":
		n, per = 1, "image"
	case "infer8":
		per = "image"
	}
	div := float64(n)
	if per == "step" {
		div = 1
	}
	run := b.instrumented(sc)
	total := Median(3, 0, func() { run(nil) })
	runs := make([][]model.BreakdownRow, breakdownRuns)
	for i := range runs {
		bd := model.NewBreakdown()
		run(bd)
		runs[i] = bd.Rows()
	}
	out := Breakdown{Scenario: sc, Per: per, TotalMS: 1000 * total / div, Runs: breakdownRuns, GBps: gbps}
	for _, row := range runs[0] {
		secs := make([]float64, 0, len(runs))
		for _, rr := range runs {
			for _, x := range rr {
				if x.Phase == row.Phase && x.Stage == row.Stage && x.Op == row.Op {
					secs = append(secs, x.Seconds)
				}
			}
		}
		slices.Sort(secs)
		s := secs[len(secs)/2]
		br := BreakdownRow{Phase: row.Phase, Stage: row.Stage, Op: row.Op, MS: 1000 * s / div, Calls: row.Calls}
		if row.FLOPs > 0 && s > 0 {
			br.GFLOPS = row.FLOPs / s / 1e9
		}
		if row.Bytes > 0 && s > 0 {
			br.GBps = row.Bytes / s / 1e9
		}
		fl, mem := row.FLOPs/(peakGF*1e9), row.Bytes/(gbps*1e9)
		br.FloorMS, br.Bound = 1000*fl/div, "flops"
		if mem > fl {
			br.FloorMS, br.Bound = 1000*mem/div, "memory"
		}
		if row.Updates > 0 && s > 0 {
			br.UpdatesPerS = row.Updates / s
		}
		out.Rows = append(out.Rows, br)
		out.SumMS += br.MS
		out.FloorMS += br.FloorMS
	}
	for i := range out.Rows {
		out.Rows[i].Share = out.Rows[i].MS / out.SumMS
	}
	return out, nil
}

// instrumented returns a scenario whose run records into bd (nil: no
// recording). The training step does what train.Trainer.Step does, in
// the same order, with its parts timed: forward, loss, backward, then
// zeroing, clipping and AdamW as the optimiser.
func (b *ModelBench) instrumented(sc string) func(bd *model.Breakdown) {
	switch sc {
	case "infer1", "infer8":
		run := b.Run(sc)
		return func(bd *model.Breakdown) {
			b.M.SetBreakdown(bd)
			defer b.M.SetBreakdown(nil)
			run()
		}
	case "train8":
		b.M.SetPrecision(gemm.FP32) // training is fp32
		f := b.M.Features(b.images, 8)
		feats := [3][]float32{clone(f[0]), clone(f[1]), clone(f[2])}
		o := train.DefaultOptions()
		o.BatchSize = 8
		tr, err := train.NewTrainer(b.M, o, 1000)
		if err != nil {
			panic(err)
		}
		grads := make([][]float32, 3)
		return func(bd *model.Breakdown) {
			m := b.M
			m.SetBreakdown(bd)
			defer m.SetBreakdown(nil)
			if bd != nil {
				bd.Phase = "forward"
			}
			outs := m.Reconstruct(feats, 8)
			t := time.Now()
			for i := range outs {
				if len(grads[i]) != len(outs[i]) {
					grads[i] = make([]float32, len(outs[i]))
				}
			}
			model.Loss(feats[:], outs, grads)
			if bd != nil {
				bd.Add("loss", model.OpLoss, time.Since(t).Seconds(), 0, 0)
				bd.Phase = "update"
			}
			ps := tr.Optimizer.Params()
			t = time.Now()
			nn.ZeroGrad(ps)
			if bd != nil {
				bd.Add("optimiser", "zero_grad", time.Since(t).Seconds(), 0, bytesOf(ps, 1))
				bd.Phase = "backward"
			}
			m.Backward(grads)
			if bd != nil {
				bd.Phase = "update"
			}
			t = time.Now()
			if tr.Options.ClipNorm > 0 {
				optim.ClipGradNorm(ps, tr.Options.ClipNorm)
			}
			if bd != nil {
				bd.Add("optimiser", "clip_grad_norm", time.Since(t).Seconds(), 0, bytesOf(ps, 1))
			}
			t = time.Now()
			tr.Optimizer.LR = tr.Schedule.At(tr.Iter)
			tr.Optimizer.Update()
			if bd != nil {
				// AdamW reads W, G, m, v and writes W, m, v.
				bd.Add("optimiser", model.OpOptimiser, time.Since(t).Seconds(), 0, bytesOf(ps, 7))
			}
		}
	}
	panic("perf: unknown scenario " + sc)
}

// bytesOf is the traffic of touching every parameter's values k times.
func bytesOf(ps []*nn.Param, k int) float64 {
	n := 0
	for _, p := range ps {
		n += len(p.W)
	}
	return 4 * float64(k*n)
}

// Bandwidth measures the machine's memory bandwidth in GB/s: copies of a
// 64 MiB buffer (far beyond the caches) split over every worker, counting
// what is read and what is written; the best of five.
func Bandwidth() float64 {
	const n = 16 << 20 // float32s: 64 MiB
	src, dst := make([]float32, n), make([]float32, n)
	for i := range src {
		src[i] = float32(i)
	}
	best := 0.0
	for range 5 {
		t := time.Now()
		parallel.For(n, 1<<16, func(lo, hi int) { copy(dst[lo:hi], src[lo:hi]) })
		best = max(best, 2*4*n/time.Since(t).Seconds()/1e9)
	}
	return best
}

// WriteBreakdowns writes each breakdown as an aligned table.
func (r *Report) WriteBreakdowns(w io.Writer) error {
	for _, bd := range r.Breakdowns {
		fmt.Fprintf(w, "\nbreakdown %s: ms per %s, median of %d instrumented runs; uninstrumented total %.1f ms, rows sum to %.1f ms, floors sum to %.1f ms (peak %.0f GFLOP/s, bandwidth %.1f GB/s)\n",
			bd.Scenario, bd.Per, bd.Runs, bd.TotalMS, bd.SumMS, bd.FloorMS, r.PeakGFLOPS, bd.GBps)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "phase\tstage\top\tms\tshare %\tcalls\tGFLOP/s\tGB/s\tfloor ms\tfloor/time\tbound\t")
		stage := map[string]float64{}
		var stages []string
		for _, row := range bd.Rows {
			key := row.Phase + " " + row.Stage
			if _, ok := stage[key]; !ok {
				stages = append(stages, key)
			}
			stage[key] += row.MS
			frac := ""
			if row.MS > 0 && row.FloorMS > 0 {
				frac = fmt.Sprintf("%.2f", row.FloorMS/row.MS)
			}
			note := row.Bound
			if row.UpdatesPerS > 0 {
				note += fmt.Sprintf(", %.2g updates/s", row.UpdatesPerS)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.1f\t%d\t%s\t%s\t%.2f\t%s\t%s\t\n", row.Phase, row.Stage, row.Op, row.MS, 100*row.Share,
				row.Calls, opt(row.GFLOPS), opt(row.GBps), row.FloorMS, frac, note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "by stage (ms):")
		for i, k := range stages {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(w, "%s %s %.1f", sep, k, stage[k])
		}
		fmt.Fprintln(w)
	}
	return nil
}

func opt(v float64) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f", v)
}
