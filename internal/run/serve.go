package run

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mambaad/mambaad/app/serve"
	model0 "github.com/mambaad/mambaad/model"
)

// ServeOptions is `mambaad serve`: the inference service.
type ServeOptions struct {
	// Checkpoints are "[NAME=]PATH" (a checkpoint file or a model
	// directory with versions), one model each.
	Checkpoints []string
	Addr        string
	MaxBatch    int
	MaxDelay    time.Duration
	Workers     int
	Queue       int
	MaxInflight int
	Timeout     time.Duration
	MaxBodyMB   int
	MaxPixels   int64
	MaxSide     int
	MemoryMB    int
	MaxImages   int
	NoWarmup    bool
	IdleTrim    time.Duration
	// Precision is fp32 (default) or bf16 (see model.SetPrecision).
	Precision string
	// LogFormat is "text" or "json"; LogLevel debug, info, warn or error.
	LogFormat, LogLevel string
	// DrainTimeout bounds the wait for accepted requests at shutdown;
	// ShutdownDelay is spent not ready (but still serving) before the
	// listener closes, so load balancers stop sending first.
	DrainTimeout, ShutdownDelay time.Duration
	Version                     string
	Stdout, Stderr              io.Writer
	// OnReady, when set, is called with the listening address once every
	// model is loaded (tests).
	OnReady func(addr string)

	cfg serve.Config
	log *slog.Logger
}

// Validate checks the options and builds the server configuration.
func (o *ServeOptions) Validate() error {
	defaultWriters(&o.Stdout, &o.Stderr)
	if len(o.Checkpoints) == 0 {
		return fmt.Errorf("give --checkpoint [NAME=]PATH (repeat it to serve several models)")
	}
	if o.Addr == "" {
		o.Addr = ":8080"
	}
	if o.DrainTimeout == 0 {
		o.DrainTimeout = 30 * time.Second
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cmpOr(o.LogLevel, "info"))); err != nil {
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", o.LogLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch cmpOr(o.LogFormat, "text") {
	case "text":
		o.log = slog.New(slog.NewTextHandler(o.Stderr, hopts))
	case "json":
		o.log = slog.New(slog.NewJSONHandler(o.Stderr, hopts))
	default:
		return fmt.Errorf("--log-format %q: want text or json", o.LogFormat)
	}
	prec, err := ParsePrecision(o.Precision)
	if err != nil {
		return err
	}
	NotePrecision(prec, o.Stderr)
	o.cfg = serve.Config{Precision: prec, MaxBatch: o.MaxBatch, MaxDelay: o.MaxDelay, Workers: o.Workers, QueueSize: o.Queue,
		MaxInflight: o.MaxInflight, Timeout: o.Timeout, MaxBodyBytes: int64(o.MaxBodyMB) << 20, MaxPixels: o.MaxPixels,
		MaxSide: o.MaxSide, MemoryBudget: int64(o.MemoryMB) << 20, MaxImages: o.MaxImages, NoWarmup: o.NoWarmup,
		IdleTrim: o.IdleTrim, Version: cmpOr(o.Version, buildVersion()), Logger: o.log}
	for _, c := range o.Checkpoints {
		spec, err := serve.ParseModelSpec(c)
		if err != nil {
			return err
		}
		if _, err := os.Stat(spec.Path); err != nil {
			return fmt.Errorf("--checkpoint %s: %w", c, err)
		}
		o.cfg.Models = append(o.cfg.Models, spec)
	}
	return o.cfg.Validate()
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}

// Run listens at once (liveness answers while the models load), loads and
// warms up every model, then reports ready. SIGHUP reloads every model
// (atomic swap; a failed load keeps the old version). When ctx ends
// (SIGTERM or Ctrl-C) the server turns not ready, waits ShutdownDelay,
// stops accepting connections, answers every accepted request, stops the
// workers and returns nil: exit status 0.
func (o *ServeOptions) Run(ctx context.Context) error {
	s, err := serve.New(o.cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       o.cfg.Timeout + 30*time.Second,
		WriteTimeout:      o.cfg.Timeout + 60*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(&slogWriter{o.log}, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	o.log.Info("listening (not ready until the models are loaded)", "addr", addr, "models", len(o.cfg.Models),
		"max_batch", o.cfg.MaxBatch, "max_delay", o.cfg.MaxDelay, "workers", o.cfg.Workers, "queue", o.cfg.QueueSize,
		"max_inflight", o.cfg.MaxInflight, "timeout", o.cfg.Timeout)
	stop := func() {
		hs.Close()
		s.Close()
	}
	if err := s.Load(ctx); err != nil {
		stop()
		return err
	}
	o.log.Info("ready", "addr", addr, "page", "http://"+pageHost(addr)+"/")
	if o.OnReady != nil {
		o.OnReady(addr)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-hup:
			o.log.Info("SIGHUP: reloading every model")
			if _, err := s.Reload(""); err != nil {
				o.log.Error("reload failed", "err", err)
			}
			continue
		case err := <-served:
			s.Close()
			return fmt.Errorf("serving: %w", err)
		case <-ctx.Done():
		}
		break
	}
	o.log.Info("shutting down: not ready, draining accepted requests", "shutdown_delay", o.ShutdownDelay, "drain_timeout", o.DrainTimeout)
	s.Drain()
	if o.ShutdownDelay > 0 {
		time.Sleep(o.ShutdownDelay)
	}
	sctx, cancel := context.WithTimeout(context.Background(), o.DrainTimeout)
	defer cancel()
	err = hs.Shutdown(sctx)
	s.Close()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		hs.Close()
		return fmt.Errorf("shutdown: requests still running after %v: %w", o.DrainTimeout, err)
	}
	o.log.Info("stopped")
	return nil
}

// pageHost turns a listening address into one a browser can open.
func pageHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// slogWriter sends net/http's own log lines (TLS handshakes, bad
// requests) to the structured log.
type slogWriter struct{ l *slog.Logger }

func (w *slogWriter) Write(p []byte) (int, error) {
	w.l.Warn(strings.TrimSpace(string(p)), "source", "net/http")
	return len(p), nil
}

// BenchServeOptions is `mambaad bench serve`: measure a server under load
// on this machine.
type BenchServeOptions struct {
	// URL of a running server (with PID to sample its memory); else a
	// server is started as a child process for Checkpoint (default: a
	// random-weight 256² ResNet34 checkpoint written for the run, whose
	// timing is a trained model's) with ServeArgs added to its flags.
	URL        string
	PID        int
	Checkpoint string
	Model      string
	ServeArgs  []string
	// Images to send (default: synthetic PNGs of ImageSize pixels a side).
	Images    []string
	ImageSize int
	// Plan "targets": capacity (closed loop, Clients), half capacity and
	// twice capacity (open loop); "custom": one phase of Clients at Rate.
	Plan             string
	Clients          int
	Rate             float64
	Duration         time.Duration
	OverloadDuration time.Duration
	JSON             bool
	Stdout, Stderr   io.Writer
}

// Validate checks the options.
func (o *BenchServeOptions) Validate() error {
	defaultWriters(&o.Stdout, &o.Stderr)
	if o.Plan == "" {
		o.Plan = "targets"
	}
	if o.Plan != "targets" && o.Plan != "custom" {
		return fmt.Errorf("--plan %q: want targets or custom", o.Plan)
	}
	if o.Clients <= 0 {
		o.Clients = 8
	}
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.OverloadDuration <= 0 {
		o.OverloadDuration = 60 * time.Second
	}
	if o.ImageSize <= 0 {
		o.ImageSize = 256
	}
	if o.URL != "" && o.Model == "" {
		return fmt.Errorf("with --url give --model NAME")
	}
	return nil
}

// Run starts the server if needed, measures and prints the table.
func (o *BenchServeOptions) Run(ctx context.Context) error {
	var imgs [][]byte
	for _, p := range o.Images {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		imgs = append(imgs, b)
	}
	if len(imgs) == 0 {
		for k := range 8 {
			var buf bytes.Buffer
			if err := png.Encode(&buf, serve.SyntheticImage(k%2, o.ImageSize, o.ImageSize, uint64(k), k%4 == 3)); err != nil {
				return err
			}
			imgs = append(imgs, buf.Bytes())
		}
	}
	url, model, pid := o.URL, o.Model, o.PID
	if url == "" {
		ckpt := o.Checkpoint
		if ckpt == "" {
			dir, err := os.MkdirTemp("", "mambaad-bench-serve")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			ckpt = filepath.Join(dir, "bench.ckpt")
			fmt.Fprintln(o.Stderr, "writing a random-weight 256² ResNet34 checkpoint (timing as a trained one's)…")
			if _, err := serve.WriteSyntheticCheckpoint(ckpt, model0.DefaultConfig(), []string{"a", "b"}, 1); err != nil {
				return err
			}
		}
		model = "bench"
		child, addr, err := startServeChild(ctx, append([]string{"--checkpoint", model + "=" + ckpt}, o.ServeArgs...), o.Stderr)
		if err != nil {
			return err
		}
		defer func() {
			child.Process.Signal(syscall.SIGTERM)
			child.Wait()
		}()
		url, pid = "http://"+addr, child.Process.Pid
	}
	var idle int64
	if pid > 0 {
		time.Sleep(time.Second)
		idle, _ = serve.ProcRSS(pid)
	}
	phase := func(name string, clients int, rate float64, d time.Duration) (serve.LoadReport, error) {
		fmt.Fprintf(o.Stderr, "phase %s: %d clients, rate %.2f/s (0: closed loop), %v…\n", name, clients, rate, d)
		r, err := serve.RunLoad(ctx, serve.LoadOptions{URL: url, Model: model, Images: imgs, Clients: clients, Rate: rate, Duration: d, PID: pid})
		r.Name = name
		return r, err
	}
	var reps []serve.LoadReport
	if o.Plan == "custom" {
		r, err := phase("custom", o.Clients, o.Rate, o.Duration)
		if err != nil {
			return err
		}
		reps = append(reps, r)
	} else {
		c, err := phase("capacity", o.Clients, 0, o.Duration)
		if err != nil {
			return err
		}
		h, err := phase("half capacity", 64, c.Throughput/2, o.Duration)
		if err != nil {
			return err
		}
		v, err := phase("2× capacity", 256, 2*c.Throughput, o.OverloadDuration)
		if err != nil {
			return err
		}
		reps = append(reps, c, h, v)
	}
	var peak int64
	if pid > 0 {
		peak, _ = serve.ProcPeakRSS(pid)
	}
	if o.JSON {
		return json.NewEncoder(o.Stdout).Encode(map[string]any{"phases": reps, "idle_rss_mib": float64(idle) / (1 << 20), "peak_rss_mib": float64(peak) / (1 << 20)})
	}
	serve.WriteLoadTable(o.Stdout, reps)
	if pid > 0 {
		fmt.Fprintf(o.Stdout, "\nserver RSS: idle after loading %.0f MiB, peak over the run (VmHWM) %.0f MiB\n", float64(idle)/(1<<20), float64(peak)/(1<<20))
	}
	if o.Plan == "targets" {
		c, h, v := reps[0], reps[1], reps[2]
		fmt.Fprintf(o.Stdout, "throughput under load: %.2f images/s (compare `mambaad bench model` inference batch 8; target within 15 %%)\n", c.Throughput)
		fmt.Fprintf(o.Stdout, "p99 at half capacity: %.0f ms (target ≤ 2 × the batch-1 model time)\n", h.P99MS)
		fmt.Fprintf(o.Stdout, "at 2× capacity: %d sent, %d answered 200, %d answered 429, %d 503, %d other 5xx, %d transport errors (target: only 200 and 429)\n",
			v.Sent, v.OK, v.Status429, v.Status503, v.Other5xx, v.Errors)
	}
	return nil
}

// startServeChild runs `mambaad serve` on a free loopback port and waits
// for its ready line.
func startServeChild(ctx context.Context, args []string, logTo io.Writer) (*exec.Cmd, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(exe, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	pr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "ready" {
				ready <- l.Addr
			} else if l.Msg != "request" {
				fmt.Fprintf(logTo, "serve: %s\n", sc.Bytes())
			}
		}
	}()
	select {
	case addr := <-ready:
		return cmd, addr, nil
	case <-ctx.Done():
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", ctx.Err()
	case <-time.After(5 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, "", fmt.Errorf("the server was not ready within 5 minutes")
	}
}
