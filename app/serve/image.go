package serve

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/imageio"
	"github.com/prometheus/client_golang/prometheus"
)

// budget is the request memory budget: bytes that bodies and decoded
// images may hold at once. Reservations never wait: one that does not fit
// is refused, and the request answered 429.
type budget struct {
	mu    sync.Mutex
	used  int64
	limit int64
	gauge prometheus.Gauge
}

func (b *budget) try(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		return false
	}
	b.used += n
	b.gauge.Set(float64(b.used))
	return true
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.gauge.Set(float64(b.used))
}

// reservation is held by one request; free releases what is left of it.
type reservation struct {
	b *budget
	n int64
}

func (r *reservation) free() {
	if r != nil && r.n > 0 {
		r.b.release(r.n)
		r.n = 0
	}
}

// reserve takes n bytes of the budget for a request: 413 when n could
// never fit, 429 when it does not fit now.
func (s *Server) reserve(n int64, what string) (*reservation, *httpError) {
	if n > s.cfg.MemoryBudget {
		s.met.rejected.WithLabelValues("too_large").Inc()
		return nil, &httpError{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("%s needs %d MiB, more than the server's whole memory budget (%d MiB)", what, n>>20, s.cfg.MemoryBudget>>20)}
	}
	if !s.budget.try(n) {
		s.met.rejected.WithLabelValues("memory").Inc()
		return nil, &httpError{code: http.StatusTooManyRequests, msg: fmt.Sprintf("server busy: the memory budget for requests is in use (%s needs %d KiB); retry later", what, n>>10), retryAfter: 1}
	}
	return &reservation{s.budget, n}, nil
}

// readBody reads a request body of at most MaxBodyBytes into memory,
// holding factor × its size of the memory budget (JSON needs room for the
// decoded text too). The reservation is returned for the caller to free.
func (s *Server) readBody(r *http.Request, factor int64) ([]byte, *reservation, *httpError) {
	limit := s.cfg.MaxBodyBytes
	n := r.ContentLength
	if n > limit {
		s.met.rejected.WithLabelValues("too_large").Inc()
		return nil, nil, &httpError{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body of %d bytes is over the %d-byte limit", n, limit)}
	}
	want := n
	if want < 0 {
		want = limit
	}
	res, herr := s.reserve(factor*want, "the request body")
	if herr != nil {
		return nil, nil, herr
	}
	body, err := readLimited(r.Body, want, limit)
	if err != nil {
		res.free()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, errTooLong) {
			s.met.rejected.WithLabelValues("too_large").Inc()
			return nil, nil, &httpError{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body is over the %d-byte limit", limit)}
		}
		return nil, nil, &httpError{code: http.StatusBadRequest, msg: "reading the request body: " + err.Error()}
	}
	if extra := factor*want - factor*int64(len(body)); extra > 0 {
		s.budget.release(extra)
		res.n -= extra
	}
	return body, res, nil
}

var errTooLong = errors.New("body too long")

// readLimited reads r whole: at most limit bytes, with a buffer sized for
// the expected length.
func readLimited(r io.Reader, expect, limit int64) ([]byte, error) {
	buf := make([]byte, 0, min(max(expect, 512), limit)+1)
	for {
		if int64(len(buf)) > limit {
			return nil, errTooLong
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, errTooLong
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// prepared is one image ready for the queue.
type prepared struct {
	name   string
	w, h   int
	tensor []float32
	img    image.Image // kept only when a heat map will be drawn
	res    *reservation
}

// decodeCost is the budget a decoded w×h image holds: up to 8 bytes a
// pixel for the decoder's own image (16-bit PNG), 3 for the RGB copy the
// preprocessing makes.
func decodeCost(w, h int) int64 { return int64(w) * int64(h) * 11 }

// prepare checks an encoded image's header against the limits, decodes it
// and preprocesses it exactly as predict does (data.ImageTensor at the
// model's size, no crop). keep holds the decoded picture for a heat map.
func (s *Server) prepare(name string, b []byte, size int, keep bool) (*prepared, *httpError) {
	info, err := imageio.StatBytes(name, b)
	if err != nil {
		return nil, s.imageError(err)
	}
	if info.Width > s.cfg.MaxSide || info.Height > s.cfg.MaxSide || int64(info.Width)*int64(info.Height) > s.cfg.MaxPixels {
		s.met.rejected.WithLabelValues("too_large").Inc()
		return nil, &httpError{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("%s: %d×%d image is over the limits (%d pixels a side, %.1f megapixels)",
			name, info.Width, info.Height, s.cfg.MaxSide, float64(s.cfg.MaxPixels)/1e6)}
	}
	res, herr := s.reserve(decodeCost(info.Width, info.Height), fmt.Sprintf("decoding the %d×%d image", info.Width, info.Height))
	if herr != nil {
		return nil, herr
	}
	img, err := imageio.DecodeBytes(name, b)
	if err != nil {
		res.free()
		return nil, s.imageError(err)
	}
	p := &prepared{name: name, w: info.Width, h: info.Height, tensor: data.ImageTensor(img, size, size), res: res}
	if keep {
		p.img = img
	} else {
		res.free()
	}
	return p, nil
}

func (s *Server) imageError(err error) *httpError {
	if errors.Is(err, imageio.ErrTooLarge) {
		s.met.rejected.WithLabelValues("too_large").Inc()
		return &httpError{code: http.StatusRequestEntityTooLarge, msg: err.Error()}
	}
	s.met.rejected.WithLabelValues("bad_request").Inc()
	return &httpError{code: http.StatusBadRequest, msg: err.Error()}
}

// scored is one image's outcome.
type scored struct {
	dec     detector.Decision
	res     jobResult
	prep    *prepared
	version string
}

// score queues the images on m and waits for every answer. class ("" to
// infer each image's) and override (nil: the calibrated thresholds) decide
// as predict does. On a full queue none of the images is scored (429); past
// the request's deadline the answer is 503.
func (s *Server) score(ctx context.Context, m *Model, imgs []*prepared, class string, override *float64) ([]scored, *httpError) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // queued images of an abandoned request are skipped by the workers
	in := m.current()
	if in == nil {
		return nil, &httpError{code: http.StatusServiceUnavailable, msg: "model not loaded", retryAfter: 1}
	}
	if err := in.dets[0].CheckClass(class); err != nil {
		s.met.rejected.WithLabelValues("bad_request").Inc()
		return nil, &httpError{code: http.StatusBadRequest, msg: err.Error()}
	}
	size := in.dets[0].Model.Cfg.ImageSize
	jobs := make([]*job, len(imgs))
	for i, p := range imgs {
		if len(p.tensor) != 3*size*size { // prepared for another version's size
			return nil, &httpError{code: http.StatusServiceUnavailable, msg: "the model was reloaded with another image size; send the request again", retryAfter: 1}
		}
		jobs[i] = &job{ctx: ctx, input: p.tensor, size: size, out: make(chan jobResult, 1)}
		if err := m.enqueue(jobs[i]); err != nil {
			s.met.rejected.WithLabelValues("queue_full").Inc()
			return nil, &httpError{code: http.StatusTooManyRequests,
				msg:        fmt.Sprintf("server busy: the queue of model %q is full (%d images); retry later", m.Name, s.cfg.QueueSize),
				retryAfter: m.retryAfter()}
		}
	}
	out := make([]scored, len(imgs))
	for i, j := range jobs {
		select {
		case r := <-j.out:
			if r.err != nil {
				if errors.Is(r.err, errInference) {
					return nil, &httpError{code: http.StatusInternalServerError, msg: r.err.Error()}
				}
				return nil, &httpError{code: http.StatusServiceUnavailable, msg: r.err.Error(), retryAfter: 1}
			}
			out[i] = scored{dec: r.det.Decide(r.score, class, r.guess, override), res: r, prep: imgs[i], version: r.version}
			decision := "undecided"
			if a := out[i].dec.Anomalous; a != nil {
				decision = map[bool]string{true: "anomalous", false: "normal"}[*a]
			}
			s.met.images.WithLabelValues(m.Name, decision).Inc()
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				s.met.rejected.WithLabelValues("timeout").Inc()
				return nil, &httpError{code: http.StatusServiceUnavailable,
					msg:        fmt.Sprintf("timed out after %v waiting for model %q (queue %d images); retry later", s.cfg.Timeout, m.Name, len(m.queue)),
					retryAfter: m.retryAfter()}
			}
			return nil, &httpError{code: 499, msg: "client went away"}
		}
	}
	return out, nil
}

// parseThreshold reads a threshold override: a finite number.
func parseThreshold(v float64) (*float64, *httpError) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("threshold %v is not a finite number", v)}
	}
	return &v, nil
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/10) / 100 }
