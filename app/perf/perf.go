// Package perf measures mambaad on the running machine: the fp32 peak, the
// hot kernels, the whole model and the metrics, as rows of one report that
// `mambaad bench` prints as a table or one JSON object. Every figure is a
// median of several timed runs taken in the same process, and every FLOP
// rate is also given as a fraction of the peak measured in that run, so two
// runs on a shared, noisy machine compare by ratio.
package perf

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/kernels/peak"
	"github.com/mambaad/mambaad/parallel"
)

// Row is one measured figure. Name starts with the kernel or section
// ("sgemm", "conv2d", "dwconv", "scan_fwd", "scan_bwd", "model", "metrics")
// followed by the shape, so scripts can match rows across runs.
type Row struct {
	Name         string   `json:"name"`
	Value        float64  `json:"value"`
	Unit         string   `json:"unit"`
	PeakFraction *float64 `json:"peak_fraction,omitempty"`
	Note         string   `json:"note,omitempty"`
}

// Report is a whole bench run.
type Report struct {
	PeakGFLOPS float64 `json:"peak_gflops"`
	Results    []Row   `json:"results"`
	Machine    string  `json:"machine"`
	Threads    int     `json:"threads"`
	ISA        string  `json:"isa"`
	Date       string  `json:"date"`
	GoVersion  string  `json:"go"`
	// BandwidthGBps is the measured memory bandwidth (with breakdowns).
	BandwidthGBps float64 `json:"bandwidth_gbps,omitempty"`
	// Breakdowns are the per-op tables of the model scenarios (bench model
	// --breakdown).
	Breakdowns []Breakdown `json:"breakdowns,omitempty"`
	// Scaling makes every timed figure also run on one worker, alternating
	// with runs on all of them, and adds a row with the speed-up.
	Scaling bool `json:"scaling,omitempty"`
	// Precision is the model section's inference precision (its rows are
	// named with it when it is not fp32).
	Precision gemm.Precision `json:"-"`
}

// NewReport measures the machine's fp32 peak and starts a report.
func NewReport(machine string) *Report {
	return &Report{PeakGFLOPS: peak.FP32Peak(), Machine: machine, Threads: runtime.GOMAXPROCS(0),
		ISA: isa.Best().String(), Date: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version()}
}

// AddFLOPs adds a row in GFLOP/s for an operation of flops floating-point
// operations that took seconds, with its fraction of the peak.
func (r *Report) AddFLOPs(name string, flops, seconds float64) {
	g := flops / seconds / 1e9
	f := g / r.PeakGFLOPS
	r.Results = append(r.Results, Row{Name: name, Value: g, Unit: "GFLOP/s", PeakFraction: &f})
}

// Add adds a row without a FLOP count.
func (r *Report) Add(name string, value float64, unit, note string) {
	r.Results = append(r.Results, Row{Name: name, Value: value, Unit: unit, Note: note})
}

// median is Median for a row called name; with r.Scaling it times fn on
// one worker and on all of them alternately (so that a change in the
// machine's load hits both alike), adds the row "<name> scaling" with the
// ratio of the two medians, and returns the all-workers median.
func (r *Report) median(name string, runs int, minTime time.Duration, fn func()) float64 {
	if !r.Scaling || r.Threads < 2 {
		return Median(runs, minTime, fn)
	}
	t1, tn := MedianScaling(runs, minTime, fn)
	r.Results = append(r.Results, Row{Name: name + " scaling", Value: t1 / tn, Unit: "×",
		Note: fmt.Sprintf("1 → %d threads: %.3g s → %.3g s, alternating runs", r.Threads, t1, tn)})
	return tn
}

// MedianScaling times fn alternately on one worker of the pool and on all
// of them, at least runs times each and for at least minTime in total
// (after one untimed call of each), and returns both medians in seconds.
func MedianScaling(runs int, minTime time.Duration, fn func()) (one, all float64) {
	w := parallel.Workers()
	on := func(k int) float64 {
		prev := parallel.SetWorkers(k)
		defer parallel.SetWorkers(prev)
		t := time.Now()
		fn()
		return time.Since(t).Seconds()
	}
	on(1)
	on(w)
	var t1, tn []float64
	start := time.Now()
	for len(t1) < runs || time.Since(start) < minTime {
		t1 = append(t1, on(1))
		tn = append(tn, on(w))
		if len(t1) >= 1000 {
			break
		}
	}
	slices.Sort(t1)
	slices.Sort(tn)
	return t1[len(t1)/2], tn[len(tn)/2]
}

// Median runs fn at least runs times and for at least minTime in total
// (after one untimed warm-up call) and returns the median duration of one
// call in seconds.
func Median(runs int, minTime time.Duration, fn func()) float64 {
	fn()
	var ts []float64
	start := time.Now()
	for len(ts) < runs || time.Since(start) < minTime {
		t := time.Now()
		fn()
		ts = append(ts, time.Since(t).Seconds())
		if len(ts) >= 1000 {
			break
		}
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report as an aligned text table.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "machine: %s; kernels %s; %s\n", r.Machine, r.ISA, r.Date)
	fmt.Fprintf(w, "fp32 peak (FMA loop, all threads): %.1f GFLOP/s\n\n", r.PeakGFLOPS)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tvalue\tunit\t% of peak\tnote")
	for _, row := range r.Results {
		pct := ""
		if row.PeakFraction != nil {
			pct = fmt.Sprintf("%.1f", 100**row.PeakFraction)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Name, format(row.Value), row.Unit, pct, row.Note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return r.WriteBreakdowns(w)
}

func format(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return fmt.Sprintf("%.3g", v)
	case a >= 100:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}
