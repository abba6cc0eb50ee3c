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
closes, every accepted request is answered, and the exit status is 0.`,
		Example: `  mambaad serve --checkpoint runs/mvtec/model.ckpt
  mambaad serve --checkpoint bolts=models/bolts --checkpoint nuts=nuts.ckpt --addr :9000 --log-format json
  curl -s -F image=@part.png localhost:8080/predict`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Stdout, o.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			o.Version = versionString()
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
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
	f.DurationVar(&o.IdleTrim, "idle-trim", 30e9, "return pooled memory to the system after this long without requests (negative: never)")
	f.StringVar(&o.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&o.LogLevel, "log-level", "info", "log level: debug (one line per request), info, warn or error")
	f.DurationVar(&o.DrainTimeout, "drain-timeout", 30e9, "longest wait for accepted requests at shutdown")
	f.DurationVar(&o.ShutdownDelay, "shutdown-delay", 0, "time spent not ready before the listener closes at shutdown")
	return cmd
}
