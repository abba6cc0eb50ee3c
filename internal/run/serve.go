package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mambaad/mambaad/app/serve"
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
	o.cfg = serve.Config{MaxBatch: o.MaxBatch, MaxDelay: o.MaxDelay, Workers: o.Workers, QueueSize: o.Queue,
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
