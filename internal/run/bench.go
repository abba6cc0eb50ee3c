package run

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"

	"github.com/mambaad/mambaad/app/perf"
	"github.com/mambaad/mambaad/app/report"
	"github.com/mambaad/mambaad/kernels/gemm"
)

// BenchOptions is `mambaad bench`: measure this machine.
type BenchOptions struct {
	Sections []string // kernels, model, metrics, all (default kernels)
	JSON     bool
	// Breakdown adds, to the model section, a table per scenario of the
	// time each stage and op class takes, with its floor.
	Breakdown bool
	// Scaling times every figure on one thread and on all of them,
	// alternately, and adds the speed-up rows.
	Scaling bool
	// CPUProfile, when set, is where a pprof CPU profile of the whole
	// measurement is written.
	CPUProfile string
	// Probe is the child side of the memory measurement: run one model
	// workload and print its peak RSS (internal).
	Probe string
	// Precision is the model section's inference precision: fp32
	// (default) or bf16 (see model.SetPrecision; training stays fp32).
	Precision      string
	Stdout, Stderr io.Writer

	prec gemm.Precision
}

// Validate expands and checks the sections.
func (o *BenchOptions) Validate() error {
	defaultWriters(&o.Stdout, &o.Stderr)
	var err error
	if o.prec, err = ParsePrecision(o.Precision); err != nil {
		return err
	}
	if o.Probe != "" {
		return nil
	}
	args := o.Sections
	if len(args) == 0 {
		args = []string{"kernels"}
	}
	var out []string
	for _, a := range args {
		switch a {
		case "all":
			out = append(out, "kernels", "model", "metrics")
		case "kernels", "model", "metrics":
			out = append(out, a)
		default:
			return fmt.Errorf("unknown bench section %q (want kernels, model, metrics or all)", a)
		}
	}
	o.Sections = out
	if o.Breakdown && !slices.Contains(out, "model") {
		return fmt.Errorf("--breakdown needs the model section (bench model --breakdown)")
	}
	if o.prec != gemm.FP32 && !slices.Contains(out, "model") {
		return fmt.Errorf("--precision needs the model section (bench model --precision %v)", o.prec)
	}
	return nil
}

// Run measures and prints the table (or JSON).
func (o *BenchOptions) Run(ctx context.Context) error {
	if o.Probe != "" {
		return o.runProbe()
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				fmt.Fprintf(o.Stderr, "note: %s: %v\n", o.CPUProfile, err)
			}
		}()
	}
	r := perf.NewReport(report.Machine())
	r.Scaling = o.Scaling
	r.Precision = o.prec
	NotePrecision(o.prec, o.Stderr)
	for _, s := range o.Sections {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(o.Stderr, "measuring %s…\n", s)
		switch s {
		case "kernels":
			r.Kernels()
		case "model":
			if err := r.Model(o.probeRSS(ctx)); err != nil {
				return err
			}
			if o.Breakdown {
				fmt.Fprintf(o.Stderr, "measuring the model breakdown…\n")
				if err := r.ModelBreakdown(); err != nil {
					return err
				}
			}
		case "metrics":
			if err := r.Metrics(); err != nil {
				return err
			}
		}
	}
	if o.JSON {
		return r.WriteJSON(o.Stdout)
	}
	return r.WriteTable(o.Stdout)
}

// probeRSS runs each model workload in a child process and collects its
// peak resident memory; failures leave the workload out (with a note).
func (o *BenchOptions) probeRSS(ctx context.Context) map[string]int64 {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	out := map[string]int64{}
	for _, sc := range perf.Scenarios {
		cmd := exec.CommandContext(ctx, exe, "bench", "--rss-probe", sc, "--precision", o.prec.String())
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(runtime.GOMAXPROCS(0)))
		b, err := cmd.Output()
		if err != nil {
			fmt.Fprintf(o.Stderr, "note: memory probe %s failed: %v\n", sc, err)
			continue
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			out[sc] = v
		}
	}
	return out
}

// runProbe is the child side: build the model, run the workload twice (the
// second run sees the steady-state buffers) and print VmHWM in bytes.
func (o *BenchOptions) runProbe() error {
	b, err := perf.NewModelBench()
	if err != nil {
		return err
	}
	b.Prec = o.prec
	run := b.Run(o.Probe)
	run()
	run()
	rss, err := perf.PeakRSS()
	if err != nil {
		return err
	}
	fmt.Fprintln(o.Stdout, rss)
	return nil
}
