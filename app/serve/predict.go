package serve

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/predict"
)

// PredictResponse is the answer of POST /predict: the fields of a
// `mambaad predict` JSON line (path, class, class_confidence, score,
// threshold, threshold_from, normalized_score, anomalous), the model, the
// image's size and, when asked for, the anomaly map and the heat-map
// overlay.
type PredictResponse struct {
	Path string `json:"path,omitempty"` // the uploaded file's name
	*detector.Decision
	Model        string  `json:"model"`
	ModelVersion string  `json:"model_version"`
	Width        int     `json:"width"`
	Height       int     `json:"height"`
	AnomalyMap   *MapB64 `json:"anomaly_map,omitempty"`
	// OverlayPNG is predict's <name>_heatmap.png for this image, base64.
	OverlayPNG string `json:"overlay_png,omitempty"`
	Timing     Timing `json:"timing"`
}

// MapB64 is an anomaly map in compact form: Size×Size little-endian
// float32 values, row by row, base64-encoded, with their range.
type MapB64 struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Min    float32 `json:"min"`
	Max    float32 `json:"max"`
	Data   string  `json:"data"`
}

// Timing says where a request's time went.
type Timing struct {
	QueueMS     float64 `json:"queue_ms"`
	InferenceMS float64 `json:"inference_ms"` // the whole batch's forward pass
	BatchSize   int     `json:"batch_size"`
	TotalMS     float64 `json:"total_ms"`
}

// predict is POST /predict: one image as the raw body (any image
// Content-Type or application/octet-stream) or as a multipart/form-data
// file field (named "image", else the first file). Query parameters:
// model (default the first served), class, threshold, map=1 (the anomaly
// map), overlay=1 (the heat-map overlay PNG inline), output=overlay|mask
// (answer with that PNG itself; the decision is in X-Mambaad-* headers).
func (s *Server) predict(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q := r.URL.Query()
	name := q.Get("model")
	if name == "" {
		name = s.models[0].Name
	}
	r.SetPathValue("model", name)
	m, in, herr := s.model(r)
	if herr != nil {
		writeError(w, herr)
		return
	}
	var override *float64
	if v := q.Get("threshold"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			writeError(w, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("threshold=%q is not a number", v)})
			return
		}
		if override, herr = parseThreshold(f); herr != nil {
			writeError(w, herr)
			return
		}
	}
	output := q.Get("output")
	if !slices.Contains([]string{"", "json", "overlay", "mask"}, output) {
		writeError(w, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("output=%q: want json, overlay or mask", output)})
		return
	}
	withOverlay := output == "overlay" || output == "mask" || flag(q.Get("overlay"))
	body, filename, res, herr := s.readImage(r)
	if herr != nil {
		writeError(w, herr)
		return
	}
	defer res.free()
	label := "upload"
	if filename != "" {
		label = filename
	}
	p, herr := s.prepare(label, body, in.info.ImageSize, withOverlay)
	if herr != nil {
		writeError(w, herr)
		return
	}
	defer p.res.free()
	body = nil
	res.free()
	out, herr := s.score(r.Context(), m, []*prepared{p}, q.Get("class"), override)
	if herr != nil {
		writeError(w, herr)
		return
	}
	o := out[0]
	resp := PredictResponse{Path: filename, Decision: &o.dec, Model: m.Name, ModelVersion: o.version, Width: p.w, Height: p.h,
		Timing: Timing{QueueMS: ms(o.res.queued), InferenceMS: ms(o.res.infer), BatchSize: o.res.batch}}
	if flag(q.Get("map")) {
		resp.AnomalyMap = encodeMap(o.res.amap, o.res.size)
	}
	if withOverlay {
		heat, mask, err := s.renderOverlay(p, o)
		if err != nil {
			writeError(w, &httpError{code: http.StatusInternalServerError, msg: "drawing the heat map: " + err.Error()})
			return
		}
		switch output {
		case "overlay", "mask":
			img := heat
			if output == "mask" {
				if mask == nil {
					writeError(w, &httpError{code: http.StatusBadRequest, msg: "output=mask needs a threshold: the model has none calibrated for this class (give threshold=)"})
					return
				}
				img = mask
			}
			decisionHeaders(w, &resp)
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("Content-Length", strconv.Itoa(len(img)))
			w.WriteHeader(http.StatusOK)
			w.Write(img)
			return
		}
		resp.OverlayPNG = base64.StdEncoding.EncodeToString(heat)
	}
	resp.Timing.TotalMS = ms(time.Since(start))
	writeJSON(w, http.StatusOK, resp)
}

func flag(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

func decisionHeaders(w http.ResponseWriter, p *PredictResponse) {
	h := w.Header()
	h.Set("X-Mambaad-Model", p.Model)
	h.Set("X-Mambaad-Model-Version", p.ModelVersion)
	h.Set("X-Mambaad-Score", strconv.FormatFloat(p.Score, 'g', -1, 64))
	if p.Class != "" {
		h.Set("X-Mambaad-Class", p.Class)
	}
	if p.Threshold != nil {
		h.Set("X-Mambaad-Threshold", strconv.FormatFloat(*p.Threshold, 'g', -1, 64))
		h.Set("X-Mambaad-Threshold-From", p.ThresholdFrom)
	}
	if p.Anomalous != nil {
		h.Set("X-Mambaad-Anomalous", strconv.FormatBool(*p.Anomalous))
	}
}

// readImage reads the image of a /predict request: a multipart file field
// or the raw body.
func (s *Server) readImage(r *http.Request) ([]byte, string, *reservation, *httpError) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/") {
			return nil, "", nil, &httpError{code: http.StatusUnsupportedMediaType, msg: fmt.Sprintf("Content-Type %s: send the image itself (raw body or multipart/form-data); JSON requests go to /v2/models/{model}/infer", ct)}
		}
		b, res, herr := s.readBody(r, 1)
		return b, "", res, herr
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		s.met.rejected.WithLabelValues("too_large").Inc()
		return nil, "", nil, &httpError{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body of %d bytes is over the %d-byte limit", r.ContentLength, s.cfg.MaxBodyBytes)}
	}
	want := r.ContentLength
	if want < 0 {
		want = s.cfg.MaxBodyBytes
	}
	res, herr := s.reserve(want, "the request body")
	if herr != nil {
		return nil, "", nil, herr
	}
	mr := multipart.NewReader(http.MaxBytesReader(nil, r.Body, s.cfg.MaxBodyBytes), params["boundary"])
	var first []byte
	var firstName string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			res.free()
			if strings.Contains(err.Error(), "too large") {
				return nil, "", nil, &httpError{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body is over the %d-byte limit", s.cfg.MaxBodyBytes)}
			}
			return nil, "", nil, &httpError{code: http.StatusBadRequest, msg: "reading the multipart body: " + err.Error()}
		}
		if part.FileName() == "" && part.FormName() != "image" {
			part.Close()
			continue
		}
		b, err := readLimited(part, 64<<10, s.cfg.MaxBodyBytes)
		part.Close()
		if err != nil {
			res.free()
			if strings.Contains(err.Error(), "too large") || err == errTooLong {
				return nil, "", nil, &httpError{code: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body is over the %d-byte limit", s.cfg.MaxBodyBytes)}
			}
			return nil, "", nil, &httpError{code: http.StatusBadRequest, msg: "reading the multipart body: " + err.Error()}
		}
		if part.FormName() == "image" {
			return b, filepath.Base(part.FileName()), res, nil
		}
		if first == nil {
			first, firstName = b, filepath.Base(part.FileName())
		}
	}
	if first == nil {
		res.free()
		return nil, "", nil, &httpError{code: http.StatusBadRequest, msg: `no image in the form: send it as a file field named "image"`}
	}
	return first, firstName, res, nil
}

// renderOverlay draws predict's heat map (and, with a threshold, its mask)
// for one image with predict.WriteImages itself, so the pictures are those
// `mambaad predict` writes, into a scratch directory read back and removed.
func (s *Server) renderOverlay(p *prepared, o scored) (heat, mask []byte, err error) {
	dir, err := os.MkdirTemp(s.cfg.TempDir, "mambaad-serve-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	dec := o.dec
	r := predict.Result{Path: p.name, Decision: &dec}
	if err := predict.WriteImages(&r, "image", p.img, o.res.amap, predict.Options{OutDir: dir, Size: o.res.size, Crop: o.res.size}); err != nil {
		return nil, nil, err
	}
	p.img = nil
	if heat, err = os.ReadFile(r.Heatmap); err != nil {
		return nil, nil, err
	}
	if r.Mask != "" {
		if mask, err = os.ReadFile(r.Mask); err != nil {
			return nil, nil, err
		}
	}
	return heat, mask, nil
}

func encodeMap(amap []float32, size int) *MapB64 {
	b := make([]byte, 4*len(amap))
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for i, v := range amap {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		lo, hi = min(lo, v), max(hi, v)
	}
	return &MapB64{Width: size, Height: size, Min: lo, Max: hi, Data: base64.StdEncoding.EncodeToString(b)}
}
