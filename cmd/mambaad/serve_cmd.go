package main

import (
	"github.com/mambaad/mambaad/internal/run"
	"github.com/spf13/cobra"
)

func newServeCmd() *cobra.Command {
	var o run.ServeOptions
	cmd := &cobra.Command{
		Use:   "serve --checkpoint [NAME=]PATH [flags]",
		Short: "Serve models over HTTP: Open Inference Protocol v2, POST /predict, metrics and a web page",
		Long: `Serve one or more checkpoints as an inspection-line service. Each
--checkpoint is a model, named NAME (default: the file's or directory's name
without extension, so model.ckpt is "model"). PATH is a checkpoint file, a
directory holding model.ckpt, or a model directory whose sub-directories are
versions (1/, 2/, … each with a checkpoint): the highest is served.

Endpoints (Open Inference Protocol v2 REST, as spoken by KServe and Triton):
  GET  /v2                                server metadata
  GET  /v2/health/live, /v2/health/ready  liveness, readiness (503 while loading or draining)
  GET  /v2/models/NAME[/versions/V]       model metadata (inputs, outputs)
  GET  /v2/models/NAME[/versions/V]/ready
  POST /v2/models/NAME[/versions/V]/infer input "image", BYTES, shape [N]: base64
       strings in JSON (or raw with the binary tensor data extension);
       parameters "class" and "threshold"; outputs pred_score (FP32),
       pred_label (BOOL), anomaly_map (FP32 [N,S,S], when asked for),
       pred_class, class_confidence, score (FP64, exactly predict's),
       threshold, threshold_from, normalized_score
  POST /v2/repository/models/NAME/load    reload NAME from its path (atomic swap)
  POST /v2/repository/index               the models and their state
and:
  POST /predict   one image, raw body or multipart field "image"; query
                  model, class, threshold, map=1, overlay=1,
                  output=overlay|mask; answers predict's JSON fields
  GET  /metrics   Prometheus metrics
  GET  /          the operator's page

Scores and decisions are those of "mambaad predict" bit for bit (the same
decoding, preprocessing, model code and decision). Requests are batched
dynamically (--max-batch, --max-delay) onto --workers workers per model
through a bounded queue (--queue); a full queue, more than --max-inflight
requests or an exhausted --memory-budget-mb answers 429 with Retry-After at
once; a request not answered within --timeout gets 503; bodies over
--max-body-mb and images over --max-side or --max-pixels (read from the
header, before decoding) get 413.

SIGHUP reloads every model (a failed load keeps the old version serving).
SIGTERM or Ctrl-C: readiness fails, then after --shutdown-delay the listener
closes, every accepted request is answered, and the exit status is 0.

--precision bf16 runs the model's large products (every convolution of the
encoder and fusion block, the decoder's projections and 1×1 convolutions)
with bfloat16 operands and float32 sums, on CPUs with AVX512_BF16 (Zen 4,
Sapphire Rapids and later); norms, the selective scan and the anomaly map stay
float32. On a trained model scores move by 0.1–0.3 % (median) and metrics by
under a point, a few images much more (see README, Precision). Without
AVX512_BF16 it says so once on stderr and runs fp32. fp32 is the default and
the reference.`,
		Example: `  mambaad serve --checkpoint runs/mvtec/model.ckpt
  mambaad serve --checkpoint bolts=models/bolts --checkpoint nuts=nuts.ckpt --addr :9000 --log-format json
  curl -s -F image=@part.png localhost:8080/predict`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Version = versionString()
			return validateRun(cmd, &o.Stdout, &o.Stderr, &o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Checkpoints, "checkpoint", nil, "[NAME=]PATH of a checkpoint or model directory (repeatable)")
	f.StringVar(&o.Addr, "addr", ":8080", "listen address")
	f.IntVar(&o.MaxBatch, "max-batch", 4, "largest batch of images per forward pass")
	f.DurationVar(&o.MaxDelay, "max-delay", 5e6, "longest wait for more images before a batch starts")
	f.IntVar(&o.Workers, "workers", 1, "workers per model (each holds its own copy of the model)")
	f.IntVar(&o.Queue, "queue", 32, "images waiting per model before requests get 429")
	f.IntVar(&o.MaxInflight, "max-inflight", 64, "inference requests inside the server before more get 429")
	f.DurationVar(&o.Timeout, "timeout", 30e9, "longest time to answer a request before 503")
	f.IntVar(&o.MaxBodyMB, "max-body-mb", 16, "largest request body, MiB (413 above)")
	f.Int64Var(&o.MaxPixels, "max-pixels", 25_000_000, "largest image width×height (413 above)")
	f.IntVar(&o.MaxSide, "max-side", 16384, "largest image width or height (413 above)")
	f.IntVar(&o.MemoryMB, "memory-budget-mb", 512, "MiB that request bodies and decoded images may hold at once (429 above)")
	f.IntVar(&o.MaxImages, "max-images", 64, "largest number of images in one infer request")
	f.BoolVar(&o.NoWarmup, "no-warmup", false, "skip the forward pass at load time")
	f.StringVar(&o.Precision, "precision", "fp32", run.PrecisionHelp)
	f.DurationVar(&o.IdleTrim, "idle-trim", 30e9, "return pooled memory to the system after this long without requests (negative: never)")
	f.StringVar(&o.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&o.LogLevel, "log-level", "info", "log level: debug (one line per request), info, warn or error")
	f.DurationVar(&o.DrainTimeout, "drain-timeout", 30e9, "longest wait for accepted requests at shutdown")
	f.DurationVar(&o.ShutdownDelay, "shutdown-delay", 0, "time spent not ready before the listener closes at shutdown")
	return cmd
}

func newBenchServeCmd() *cobra.Command {
	var o run.BenchServeOptions
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Measure mambaad serve under concurrent load: throughput, p50/p99, 429s, 5xx, memory",
		Long: `Load a server on loopback with Open Inference Protocol infer requests and
report, per phase: requests sent, answers by status (200, 429, 503, other
5xx), transport errors, images/s, latency percentiles of the 200s and the
server's peak resident memory.

Without --url a server is started as a child process ("mambaad serve" with
--serve-arg flags added) for --checkpoint, or for a random-weight 256²
ResNet34 checkpoint written for the run (its timing is a trained model's).
Plan "targets" (default) runs: capacity (closed loop, --clients), half of
that rate and twice that rate (open loop, --overload-duration), and prints
the idle and peak RSS: the figures the serving targets ask for. Plan
"custom" runs one phase of --clients at --rate (0: closed loop).

Run it on a quiet machine; compare the capacity row with "mambaad bench
model" (inference batch 8 and batch 1).`,
		Example: `  mambaad bench serve                                   # about 2½ minutes
  mambaad bench serve --serve-arg=--max-batch=8 --duration 20s
  mambaad bench serve --url http://127.0.0.1:8080 --model parts --pid 1234 --plan custom --clients 16 --duration 60s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return validateRun(cmd, &o.Stdout, &o.Stderr, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "a running server's base URL (default: start one)")
	f.IntVar(&o.PID, "pid", 0, "with --url: the server's process id, to sample its memory")
	f.StringVar(&o.Model, "model", "", "with --url: the model name")
	f.StringVar(&o.Checkpoint, "checkpoint", "", "checkpoint to serve (default: a random-weight 256² ResNet34)")
	f.StringArrayVar(&o.ServeArgs, "serve-arg", nil, "a flag for the started server, e.g. --serve-arg=--max-batch=8 (repeatable)")
	f.StringArrayVar(&o.Images, "image", nil, "image file to send (repeatable; default synthetic PNGs)")
	f.IntVar(&o.ImageSize, "image-size", 256, "side of the synthetic images")
	f.StringVar(&o.Plan, "plan", "targets", "targets or custom")
	f.IntVar(&o.Clients, "clients", 8, "concurrent clients (closed loop) or most outstanding requests (open loop)")
	f.Float64Var(&o.Rate, "rate", 0, "plan custom: requests per second (0: closed loop)")
	f.DurationVar(&o.Duration, "duration", 30e9, "length of each phase")
	f.DurationVar(&o.OverloadDuration, "overload-duration", 60e9, "length of the 2× capacity phase")
	f.BoolVar(&o.JSON, "json", false, "print JSON")
	return cmd
}
