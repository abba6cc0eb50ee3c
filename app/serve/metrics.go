package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus series, on a registry of its own
// (with the Go runtime and process collectors), served at /metrics.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec   // handler, code
	latency   *prometheus.HistogramVec // handler
	inflight  prometheus.Gauge
	queueLen  *prometheus.GaugeVec     // model
	queueWait *prometheus.HistogramVec // model
	batchSize *prometheus.HistogramVec // model
	inferTime *prometheus.HistogramVec // model
	images    *prometheus.CounterVec   // model, decision
	rejected  *prometheus.CounterVec   // reason
	dropped   *prometheus.CounterVec   // model
	modelInfo *prometheus.GaugeVec     // model, version
	reloads   *prometheus.CounterVec   // model, result
	budget    prometheus.Gauge
}

func newMetrics(maxBatch int) *metrics {
	latencyBuckets := []float64{.005, .01, .025, .05, .1, .15, .2, .3, .5, .75, 1, 1.5, 2, 3, 5, 10, 30}
	batchBuckets := prometheus.LinearBuckets(1, 1, max(maxBatch, 2))
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mambaad_http_requests_total",
			Help: "HTTP requests answered, by handler and status code."}, []string{"handler", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mambaad_http_request_duration_seconds",
			Help: "Time from the request's arrival to its answer, by handler.", Buckets: latencyBuckets}, []string{"handler"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "mambaad_inflight_requests",
			Help: "Inference requests inside the server now (reading, queued, scoring or answering)."}),
		queueLen: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "mambaad_queue_length",
			Help: "Images waiting for a worker."}, []string{"model"}),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mambaad_queue_wait_seconds",
			Help: "Time an image waited in the queue before its batch started.", Buckets: latencyBuckets}, []string{"model"}),
		batchSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mambaad_batch_size",
			Help: "Images per forward pass (dynamic batching).", Buckets: batchBuckets}, []string{"model"}),
		inferTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mambaad_inference_duration_seconds",
			Help: "Time of one batch's forward pass.", Buckets: latencyBuckets}, []string{"model"}),
		images: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mambaad_images_total",
			Help: "Images scored, by decision (anomalous, normal, undecided: no threshold)."}, []string{"model", "decision"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mambaad_rejected_requests_total",
			Help: "Requests refused before scoring, by reason (queue_full, inflight, memory, timeout, too_large, bad_request)."}, []string{"reason"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mambaad_dropped_images_total",
			Help: "Queued images skipped because their request had already timed out or gone."}, []string{"model"}),
		modelInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "mambaad_model_info",
			Help: "1 for the version of each model now serving."}, []string{"model", "version"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mambaad_model_reloads_total",
			Help: "Model loads after the first, by result (ok, unchanged, error)."}, []string{"model", "result"}),
		budget: prometheus.NewGauge(prometheus.GaugeOpts{Name: "mambaad_memory_budget_used_bytes",
			Help: "Bytes of the request memory budget held by request bodies and decoded images now."}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.inflight, m.queueLen, m.queueWait, m.batchSize, m.inferTime,
		m.images, m.rejected, m.dropped, m.modelInfo, m.reloads, m.budget,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
