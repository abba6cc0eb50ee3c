package perf

import "github.com/mambaad/mambaad/metrics"

// Metrics adds the time and memory of all seven metrics on an MVTec-sized
// synthetic test set (15 classes, 1,725 maps of 256×256).
func (r *Report) Metrics() error {
	for _, mode := range []metrics.Mode{metrics.Exact, metrics.Reference} {
		secs, peak, err := metrics.BenchFullSet(metrics.Options{Mode: mode})
		if err != nil {
			return err
		}
		r.Add("metrics full_mvtec_set "+mode.String(), secs, "s", "1,725 maps of 256×256, 15 classes, all seven metrics")
		r.Add("metrics full_mvtec_set "+mode.String()+" peak_memory", float64(peak)/(1<<20), "MiB", "")
	}
	return nil
}
