package serve

import (
	"embed"
	"net/http"
	"path"
	"strings"
)

// web holds the operator's page: plain HTML, CSS and JavaScript, no build
// step, nothing loaded from elsewhere.
//
//go:embed web/index.html web/app.css web/app.js
var web embed.FS

var assetTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	b, _ := web.ReadFile("web/index.html")
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ct, ok := assetTypes[path.Ext(name)]
	b, err := web.ReadFile("web/" + name)
	if !ok || err != nil || strings.Contains(name, "/") {
		writeError(w, &httpError{code: http.StatusNotFound, msg: "no asset " + name})
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

// apiModels is GET /api/models: everything the page shows about the
// served models, and the server's limits.
func (s *Server) apiModels(w http.ResponseWriter, r *http.Request) {
	type limits struct {
		MaxBodyBytes int64   `json:"max_body_bytes"`
		MaxPixels    int64   `json:"max_pixels"`
		MaxSide      int     `json:"max_side"`
		MaxBatch     int     `json:"max_batch"`
		MaxDelayMS   float64 `json:"max_delay_ms"`
		QueueSize    int     `json:"queue_size"`
		MaxInflight  int     `json:"max_inflight"`
		TimeoutS     float64 `json:"timeout_s"`
	}
	type model struct {
		ModelInfo
		Ready bool `json:"ready"`
	}
	out := struct {
		Server  string  `json:"server"`
		Version string  `json:"version"`
		Ready   bool    `json:"ready"`
		Models  []model `json:"models"`
		Limits  limits  `json:"limits"`
	}{Server: "mambaad", Version: s.cfg.Version, Ready: s.Ready(), Models: []model{},
		Limits: limits{s.cfg.MaxBodyBytes, s.cfg.MaxPixels, s.cfg.MaxSide, s.cfg.MaxBatch, ms(s.cfg.MaxDelay), s.cfg.QueueSize, s.cfg.MaxInflight, s.cfg.Timeout.Seconds()}}
	for _, m := range s.models {
		info, ok := m.Info()
		out.Models = append(out.Models, model{info, ok})
	}
	writeJSON(w, http.StatusOK, out)
}
