package perf

import (
	"fmt"
	"runtime/debug"

	"github.com/mambaad/mambaad/metrics"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/parallel"
)

// Metrics adds the time and memory of all seven metrics on an MVTec-sized
// synthetic test set (15 classes, 1,725 maps of 256×256). The memory
// figure covers the whole process, so what earlier sections (the model)
// left behind (pooled layer scratch included) is collected and returned to
// the OS first.
func (r *Report) Metrics() error {
	nn.ReleaseScratch()
	for _, mode := range []metrics.Mode{metrics.Exact, metrics.Reference} {
		debug.FreeOSMemory()
		secs, peak, err := metrics.BenchFullSet(metrics.Options{Mode: mode})
		if err != nil {
			return err
		}
		if r.Scaling && r.Threads > 1 {
			prev := parallel.SetWorkers(1)
			one, _, err := metrics.BenchFullSet(metrics.Options{Mode: mode})
			parallel.SetWorkers(prev)
			if err != nil {
				return err
			}
			r.Add("metrics full_mvtec_set "+mode.String()+" scaling", one/secs, "×",
				fmt.Sprintf("1 → %d threads: %.3g s → %.3g s", r.Threads, one, secs))
		}
		r.Add("metrics full_mvtec_set "+mode.String(), secs, "s", "1,725 maps of 256×256, 15 classes, all seven metrics")
		r.Add("metrics full_mvtec_set "+mode.String()+" peak_memory", float64(peak)/(1<<20), "MiB", "")
	}
	return nil
}
