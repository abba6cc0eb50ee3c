package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mambaad/mambaad/nn"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server serves the configured models over HTTP.
type Server struct {
	cfg      Config
	log      *slog.Logger
	models   []*Model
	byName   map[string]*Model
	met      *metrics
	budget   *budget
	inflight atomic.Int64
	ready    atomic.Bool
	draining atomic.Bool
	lastReq  atomic.Int64 // unix nanoseconds of the last inference request's end
	mux      *http.ServeMux
	stopTrim chan struct{}
	trimOnce sync.Once
}

// New checks cfg and prepares the server; no model is loaded yet (Load).
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, byName: map[string]*Model{}, met: newMetrics(cfg.MaxBatch),
		stopTrim: make(chan struct{})}
	s.budget = &budget{limit: cfg.MemoryBudget, gauge: s.met.budget}
	for _, spec := range s.cfg.Models {
		m := newModel(spec, &s.cfg, s.met)
		s.models = append(s.models, m)
		s.byName[m.Name] = m
	}
	s.routes()
	return s, nil
}

// Load loads and warms up every model, then marks the server ready. A
// model that cannot be loaded is an error (the server stays not ready).
func (s *Server) Load(ctx context.Context) error {
	for _, m := range s.models {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := time.Now()
		v, err := m.load(true)
		if err != nil {
			return fmt.Errorf("model %s: %w", m.Name, err)
		}
		info, _ := m.Info()
		s.log.Info("model loaded", "model", m.Name, "version", v, "path", info.Path, "method", info.Method,
			"image_size", info.ImageSize, "classes", len(info.Classes), "encoder", info.Encoder,
			"seconds", time.Since(t).Seconds())
	}
	s.ready.Store(true)
	s.lastReq.Store(time.Now().UnixNano())
	if s.cfg.IdleTrim > 0 {
		go s.trimWhenIdle()
	}
	return nil
}

// Reload loads the named model's checkpoint again (or, for a model
// directory, its highest version) and swaps it in atomically; on failure the
// old version keeps serving. name "" reloads every model. An unchanged
// checkpoint is not reloaded.
func (s *Server) Reload(name string) (map[string]string, error) {
	ms := s.models
	if name != "" {
		m, ok := s.byName[name]
		if !ok {
			return nil, fmt.Errorf("no model %q", name)
		}
		ms = []*Model{m}
	}
	out := map[string]string{}
	var errs []error
	for _, m := range ms {
		v, err := m.load(false)
		switch {
		case errors.Is(err, ErrUnchanged):
			s.met.reloads.WithLabelValues(m.Name, "unchanged").Inc()
			s.log.Info("reload: checkpoint unchanged", "model", m.Name, "version", v)
			out[m.Name] = v
		case err != nil:
			s.met.reloads.WithLabelValues(m.Name, "error").Inc()
			old, _ := m.Info()
			s.log.Error("reload failed; the previous version keeps serving", "model", m.Name, "version", old.Version, "err", err)
			errs = append(errs, fmt.Errorf("model %s: %w (version %s keeps serving)", m.Name, err, old.Version))
		default:
			s.met.reloads.WithLabelValues(m.Name, "ok").Inc()
			s.log.Info("model reloaded", "model", m.Name, "version", v)
			out[m.Name] = v
		}
	}
	return out, errors.Join(errs...)
}

// Handler is the HTTP handler of every endpoint.
func (s *Server) Handler() http.Handler { return s.mux }

// Ready reports whether every model is loaded and the server is not
// shutting down.
func (s *Server) Ready() bool { return s.ready.Load() && !s.draining.Load() }

// Drain marks the server not ready (readiness probes fail, so load
// balancers stop sending) ahead of http.Server.Shutdown.
func (s *Server) Drain() { s.draining.Store(true) }

// Close stops the workers after the last request was answered (call it
// after http.Server.Shutdown has returned).
func (s *Server) Close() {
	s.trimOnce.Do(func() { close(s.stopTrim) })
	for _, m := range s.models {
		m.stopWorkers()
	}
}

// Models lists the served models in configuration order.
func (s *Server) Models() []*Model { return s.models }

// trimWhenIdle returns the pooled scratch buffers and freed heap to the
// operating system once no inference request has come for IdleTrim, so an
// idle server's resident memory falls back near the model's own size.
func (s *Server) trimWhenIdle() {
	tick := time.NewTicker(max(s.cfg.IdleTrim/4, 100*time.Millisecond))
	defer tick.Stop()
	trimmed := false
	for {
		select {
		case <-s.stopTrim:
			return
		case <-tick.C:
		}
		idle := s.inflight.Load() == 0 && time.Since(time.Unix(0, s.lastReq.Load())) >= s.cfg.IdleTrim
		if !idle {
			trimmed = false
			continue
		}
		if !trimmed {
			nn.ReleaseScratch()
			debug.FreeOSMemory()
			trimmed = true
			s.log.Debug("idle: returned pooled buffers to the operating system")
		}
	}
}

// routes registers every endpoint. Each pattern takes every method, so
// that a wrong one gets a JSON 405 (the mux's own is plain text).
func (s *Server) routes() {
	mux := http.NewServeMux()
	h := func(pattern, name string, methods []string, fn http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(name, methods, fn))
	}
	get := []string{http.MethodGet, http.MethodHead}
	post := []string{http.MethodPost}
	h("/v2", "server_metadata", get, s.serverMetadata)
	h("/v2/health/live", "live", get, s.live)
	h("/v2/health/ready", "ready", get, s.readyHandler)
	h("/v2/models/{model}", "model_metadata", get, s.modelMetadata)
	h("/v2/models/{model}/versions/{version}", "model_metadata", get, s.modelMetadata)
	h("/v2/models/{model}/ready", "model_ready", get, s.modelReady)
	h("/v2/models/{model}/versions/{version}/ready", "model_ready", get, s.modelReady)
	h("/v2/models/{model}/infer", "infer", post, s.limited(s.infer))
	h("/v2/models/{model}/versions/{version}/infer", "infer", post, s.limited(s.infer))
	h("/v2/repository/index", "repository_index", append(post, http.MethodGet), s.repositoryIndex)
	h("/v2/repository/models/{model}/load", "repository_load", post, s.repositoryLoad)
	h("/predict", "predict", post, s.limited(s.predict))
	h("/api/models", "models", get, s.apiModels)
	h("/metrics", "metrics", get, promhttp.HandlerFor(s.met.reg, promhttp.HandlerOpts{}).ServeHTTP)
	h("/assets/{file}", "assets", get, s.asset)
	h("/{$}", "page", get, s.page)
	h("/", "not_found", nil, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &httpError{code: http.StatusNotFound, msg: fmt.Sprintf("no endpoint %s (see GET /v2, POST /v2/models/{model}/infer, POST /predict, GET /metrics, GET /)", r.URL.Path)})
	})
	s.mux = mux
}

// statusWriter remembers the status code for the metrics and the log.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument wraps a handler: method check (JSON 405), panic recovery
// (JSON 500, the process goes on), request metrics and a debug log line.
func (s *Server) instrument(name string, methods []string, fn http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("handler panic", "handler", name, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.code == 0 {
					writeError(sw, &httpError{code: http.StatusInternalServerError, msg: "internal error (logged)"})
				}
			}
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			s.met.requests.WithLabelValues(name, strconv.Itoa(code)).Inc()
			s.met.latency.WithLabelValues(name).Observe(d.Seconds())
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "code", code, "bytes", sw.bytes,
				"ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
		}()
		if methods != nil && !allowed(methods, r.Method) {
			w.Header().Set("Allow", joinMethods(methods))
			writeError(sw, &httpError{code: http.StatusMethodNotAllowed, msg: fmt.Sprintf("%s %s: method not allowed (use %s)", r.Method, r.URL.Path, joinMethods(methods))})
			return
		}
		fn(sw, r)
	})
}

func allowed(methods []string, m string) bool {
	for _, x := range methods {
		if x == m {
			return true
		}
	}
	return false
}

func joinMethods(ms []string) string {
	out := ""
	for i, m := range ms {
		if i > 0 {
			out += ", "
		}
		out += m
	}
	return out
}

// limited admits an inference request only while fewer than MaxInflight
// are inside the server, and gives it the request timeout.
func (s *Server) limited(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.Ready() {
			writeError(w, &httpError{code: http.StatusServiceUnavailable, msg: "not ready: the models are loading or the server is shutting down", retryAfter: 1})
			return
		}
		n := s.inflight.Add(1)
		s.met.inflight.Set(float64(n))
		defer func() {
			s.met.inflight.Set(float64(s.inflight.Add(-1)))
			s.lastReq.Store(time.Now().UnixNano())
		}()
		if n > int64(s.cfg.MaxInflight) {
			s.met.rejected.WithLabelValues("inflight").Inc()
			writeError(w, &httpError{code: http.StatusTooManyRequests, msg: fmt.Sprintf("server busy: %d requests in flight (limit %d); retry later", n-1, s.cfg.MaxInflight), retryAfter: 1})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
		defer cancel()
		fn(w, r.WithContext(ctx))
	}
}

// httpError is an answer other than 200: a status, a message for the JSON
// {"error": ...} body and, for 429 and 503, a Retry-After in seconds.
type httpError struct {
	code       int
	msg        string
	retryAfter int
}

func (e *httpError) Error() string { return e.msg }

func writeError(w http.ResponseWriter, e *httpError) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.code, map[string]string{"error": e.msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// model finds the model a request names (and checks a version in the
// path against the serving one).
func (s *Server) model(r *http.Request) (*Model, *instance, *httpError) {
	name := r.PathValue("model")
	m, ok := s.byName[name]
	if !ok {
		return nil, nil, &httpError{code: http.StatusNotFound, msg: fmt.Sprintf("no model %q (serving: %s)", name, s.names())}
	}
	in := m.current()
	if in == nil {
		return m, nil, &httpError{code: http.StatusServiceUnavailable, msg: fmt.Sprintf("model %q is loading", name), retryAfter: 1}
	}
	if v := r.PathValue("version"); v != "" && v != in.version {
		return m, nil, &httpError{code: http.StatusNotFound, msg: fmt.Sprintf("model %q has no version %q (serving version %q)", name, v, in.version)}
	}
	return m, in, nil
}

func (s *Server) names() string {
	out := ""
	for i, m := range s.models {
		if i > 0 {
			out += ", "
		}
		out += m.Name
	}
	return out
}
