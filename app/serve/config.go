package serve

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mambaad/mambaad/kernels/gemm"
)

// ModelSpec names a checkpoint to serve: a file, or a model directory whose
// sub-directories are versions (the highest one is served; see
// resolveVersion).
type ModelSpec struct {
	Name string
	Path string
}

// ParseModelSpec reads "NAME=PATH" or "PATH". Without a name the model is
// named after the file (model.ckpt → "model") or the directory.
func ParseModelSpec(s string) (ModelSpec, error) {
	name, path, ok := strings.Cut(s, "=")
	if !ok {
		name, path = "", s
	}
	if path == "" {
		return ModelSpec{}, fmt.Errorf("checkpoint %q: no path", s)
	}
	if name == "" {
		base := filepath.Base(filepath.Clean(path))
		name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if !validName(name) {
		return ModelSpec{}, fmt.Errorf("checkpoint %q: model name %q must be letters, digits, '.', '_' or '-' (give NAME=PATH)", s, name)
	}
	return ModelSpec{Name: name, Path: path}, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 128 || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// Config is the server's configuration. Zero fields take the defaults
// below (Validate fills them in).
type Config struct {
	Models []ModelSpec

	// MaxBatch is the largest batch a worker forms (default 4: on the
	// 2-core reference machine batch 4 reaches most of batch 8's images/s
	// at about half its peak memory).
	MaxBatch int
	// MaxDelay is how long a worker waits for more images after the first
	// before it starts a batch (default 5 ms). Under load it never waits:
	// the queue already holds a full batch.
	MaxDelay time.Duration
	// Workers is the number of worker goroutines per model, each with its
	// own copy of the checkpoint in memory (default 1: one forward pass
	// already uses every core).
	Workers int
	// QueueSize bounds the images waiting for a worker, per model
	// (default 32); when full, requests get 429 at once.
	QueueSize int
	// MaxInflight bounds the requests inside the server at once, from
	// reading the body to writing the answer (default 64); more get 429.
	MaxInflight int
	// Timeout is the longest a request may take before it is answered 503
	// (default 30 s).
	Timeout time.Duration
	// MaxBodyBytes is the largest request body (default 16 MiB): 413.
	MaxBodyBytes int64
	// MaxPixels and MaxSide bound an image's width×height and each side,
	// read from its header before decoding (defaults 25 megapixels and
	// 16384): 413.
	MaxPixels int64
	MaxSide   int
	// MemoryBudget bounds the bytes that request bodies and decoded images
	// hold at once (default 512 MiB); a request that would exceed it gets
	// 429, one that could never fit 413.
	MemoryBudget int64
	// MaxImages bounds the images of one infer request (default 64).
	MaxImages int
	// NoWarmup skips the forward pass run at load time.
	NoWarmup bool
	// Precision is the arithmetic of every model's inference products
	// (gemm.FP32, the default, or gemm.BF16; see model.SetPrecision).
	Precision gemm.Precision
	// IdleTrim returns pooled buffers to the operating system after this
	// long without requests (default 30 s; negative: never).
	IdleTrim time.Duration
	// Version is the server version reported by GET /v2.
	Version string
	// TempDir holds the heat-map files rendered per request (default the
	// system's temporary directory).
	TempDir string
	Logger  *slog.Logger
}

// Validate checks the configuration and fills in the defaults.
func (c *Config) Validate() error {
	if len(c.Models) == 0 {
		return fmt.Errorf("serve: no checkpoint to serve")
	}
	seen := map[string]bool{}
	for _, m := range c.Models {
		if !validName(m.Name) {
			return fmt.Errorf("serve: bad model name %q", m.Name)
		}
		if seen[m.Name] {
			return fmt.Errorf("serve: model name %q given twice (name them with NAME=PATH)", m.Name)
		}
		seen[m.Name] = true
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.MaxBatch, 4)
	def(&c.Workers, 1)
	def(&c.QueueSize, 32)
	def(&c.MaxInflight, 64)
	def(&c.MaxSide, 16384)
	def(&c.MaxImages, 64)
	if c.MaxDelay == 0 {
		c.MaxDelay = 5 * time.Millisecond
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 16 << 20
	}
	if c.MaxPixels == 0 {
		c.MaxPixels = 25_000_000
	}
	if c.MemoryBudget == 0 {
		c.MemoryBudget = 512 << 20
	}
	if c.IdleTrim == 0 {
		c.IdleTrim = 30 * time.Second
	}
	if c.TempDir == "" {
		c.TempDir = os.TempDir()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.MaxBatch < 1 || c.MaxBatch > 256:
		return fmt.Errorf("serve: max batch %d must be 1–256", c.MaxBatch)
	case c.Workers < 1 || c.Workers > 64:
		return fmt.Errorf("serve: workers %d must be 1–64", c.Workers)
	case c.QueueSize < 1:
		return fmt.Errorf("serve: queue size %d must be at least 1", c.QueueSize)
	case c.MaxInflight < 1:
		return fmt.Errorf("serve: max in-flight %d must be at least 1", c.MaxInflight)
	case c.MaxDelay < 0:
		return fmt.Errorf("serve: max delay %v must not be negative", c.MaxDelay)
	case c.Timeout < 0:
		return fmt.Errorf("serve: timeout %v must not be negative", c.Timeout)
	case c.MaxBodyBytes < 1024:
		return fmt.Errorf("serve: max body %d bytes is too small", c.MaxBodyBytes)
	case c.MaxPixels < 1 || c.MaxPixels > 100_000_000:
		return fmt.Errorf("serve: max pixels %d must be 1–100000000 (the decoder's own limit)", c.MaxPixels)
	case c.MaxSide < 1:
		return fmt.Errorf("serve: max side %d must be positive", c.MaxSide)
	case c.MemoryBudget < c.MaxBodyBytes:
		return fmt.Errorf("serve: memory budget %d is smaller than the max body %d", c.MemoryBudget, c.MaxBodyBytes)
	case c.MaxImages < 1:
		return fmt.Errorf("serve: max images %d must be at least 1", c.MaxImages)
	}
	return nil
}
