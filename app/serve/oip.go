package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The Open Inference Protocol v2 REST shapes (KServe's "V2 protocol",
// also spoken by Triton, Seldon MLServer and OpenVINO Model Server).

type serverMetadataResponse struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Extensions []string `json:"extensions"`
}

type tensorMetadata struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
}

type modelMetadataResponse struct {
	Name     string           `json:"name"`
	Versions []string         `json:"versions,omitempty"`
	Platform string           `json:"platform"`
	Inputs   []tensorMetadata `json:"inputs"`
	Outputs  []tensorMetadata `json:"outputs"`
}

type inferRequest struct {
	ID         string          `json:"id,omitempty"`
	Parameters map[string]any  `json:"parameters,omitempty"`
	Inputs     []requestInput  `json:"inputs"`
	Outputs    []requestOutput `json:"outputs,omitempty"`
}

type requestInput struct {
	Name       string         `json:"name"`
	Shape      []int64        `json:"shape"`
	Datatype   string         `json:"datatype"`
	Parameters map[string]any `json:"parameters,omitempty"`
	Data       any            `json:"data"`
}

type requestOutput struct {
	Name       string         `json:"name"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

type inferResponse struct {
	ModelName    string           `json:"model_name"`
	ModelVersion string           `json:"model_version,omitempty"`
	ID           string           `json:"id,omitempty"`
	Parameters   map[string]any   `json:"parameters,omitempty"`
	Outputs      []responseOutput `json:"outputs"`
}

type responseOutput struct {
	Name     string  `json:"name"`
	Shape    []int64 `json:"shape"`
	Datatype string  `json:"datatype"`
	Data     any     `json:"data"`
}

// InputName is the image input of every model.
const InputName = "image"

// outputDefs are the outputs of every model, in order. anomaly_map is
// given only when a request's outputs name it; the others are given by
// default when every image of the request has a value for them.
var outputDefs = []struct {
	name, datatype, doc string
}{
	{"pred_score", "FP32", "image score (the anomaly map's maximum), as float32"},
	{"pred_label", "BOOL", "true when anomalous: score ≥ threshold"},
	{"anomaly_map", "FP32", "the model's anomaly map, [N, S, S] (only when asked for)"},
	{"pred_class", "BYTES", "the product class that decided: the given one, else the inferred one"},
	{"class_confidence", "FP32", "softmax confidence of the inferred class"},
	{"score", "FP64", "the exact score, as `mambaad predict` prints it"},
	{"threshold", "FP64", "the threshold that decided"},
	{"threshold_from", "BYTES", "class, global or given"},
	{"normalized_score", "FP64", "score / threshold: 1 is the boundary on every class"},
}

func (s *Server) serverMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, serverMetadataResponse{Name: "mambaad", Version: s.cfg.Version, Extensions: []string{"model_repository"}})
}

func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"live": true})
}

// readyHandler: 200 when every model is loaded and warmed up; 503 while
// loading and once shutdown has begun (readiness probes then fail and
// load balancers stop sending).
func (s *Server) readyHandler(w http.ResponseWriter, r *http.Request) {
	code := http.StatusOK
	if !s.Ready() {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]bool{"ready": s.Ready()})
}

func (s *Server) modelReady(w http.ResponseWriter, r *http.Request) {
	m, _, herr := s.model(r)
	if herr != nil {
		if herr.code == http.StatusServiceUnavailable {
			writeJSON(w, herr.code, map[string]any{"name": m.Name, "ready": false})
			return
		}
		writeError(w, herr)
		return
	}
	code, ready := http.StatusOK, !s.draining.Load()
	if !ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"name": m.Name, "ready": ready})
}

func (s *Server) modelMetadata(w http.ResponseWriter, r *http.Request) {
	m, in, herr := s.model(r)
	if herr != nil {
		writeError(w, herr)
		return
	}
	size := int64(in.info.ImageSize)
	md := modelMetadataResponse{Name: m.Name, Versions: []string{in.version}, Platform: "mambaad",
		Inputs: []tensorMetadata{{Name: InputName, Datatype: "BYTES", Shape: []int64{-1}}}}
	for _, o := range outputDefs {
		shape := []int64{-1}
		if o.name == "anomaly_map" {
			shape = []int64{-1, size, size}
		}
		md.Outputs = append(md.Outputs, tensorMetadata{Name: o.name, Datatype: o.datatype, Shape: shape})
	}
	writeJSON(w, http.StatusOK, md)
}

func (s *Server) repositoryIndex(w http.ResponseWriter, r *http.Request) {
	type entry struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
		State   string `json:"state"`
		Reason  string `json:"reason,omitempty"`
	}
	out := []entry{}
	for _, m := range s.models {
		e := entry{Name: m.Name, State: "UNAVAILABLE", Reason: "loading"}
		if in := m.current(); in != nil {
			e.Version, e.State, e.Reason = in.version, "READY", ""
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, out)
}

// repositoryLoad is the model repository extension's load call: the
// model's configured path is read again (a model directory's highest
// version) and swapped in; on failure the old version keeps serving and
// the answer is 500 with the reason.
func (s *Server) repositoryLoad(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("model")
	if _, ok := s.byName[name]; !ok {
		writeError(w, &httpError{code: http.StatusNotFound, msg: fmt.Sprintf("no model %q (serving: %s)", name, s.names())})
		return
	}
	versions, err := s.Reload(name)
	if err != nil {
		writeError(w, &httpError{code: http.StatusInternalServerError, msg: "load failed: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "version": versions[name]})
}

// infer is POST /v2/models/{model}[/versions/{v}]/infer.
//
// The one input (named "image", or any single input) has datatype BYTES
// and shape [N] (or [N, 1]): N encoded images (PNG, JPEG, BMP, TIFF, WebP).
// In JSON each element is a base64 string (standard or URL alphabet,
// padded or not, a "data:…;base64," prefix allowed), since JSON strings
// cannot carry binary; with the binary tensor data extension
// (Inference-Header-Content-Length header, input parameter
// binary_data_size) the raw bytes follow the JSON, each element prefixed
// by its 4-byte little-endian length. Request parameters: "class" (the
// product class of every image; default inferred per image) and
// "threshold" (overrides the calibrated thresholds).
func (s *Server) infer(w http.ResponseWriter, r *http.Request) {
	m, in, herr := s.model(r)
	if herr != nil {
		writeError(w, herr)
		return
	}
	body, res, herr := s.readBody(r, 3)
	if herr != nil {
		writeError(w, herr)
		return
	}
	defer res.free()
	req, blobs, herr := parseInferRequest(r, body, s.cfg.MaxImages)
	if herr != nil {
		s.met.rejected.WithLabelValues("bad_request").Inc()
		writeError(w, herr)
		return
	}
	body = nil
	class, override, herr := inferParams(req.Parameters)
	if herr != nil {
		s.met.rejected.WithLabelValues("bad_request").Inc()
		writeError(w, herr)
		return
	}
	want, herr := requestedOutputs(req.Outputs)
	if herr != nil {
		s.met.rejected.WithLabelValues("bad_request").Inc()
		writeError(w, herr)
		return
	}
	size := in.info.ImageSize
	imgs := make([]*prepared, len(blobs))
	for i, b := range blobs {
		p, herr := s.prepare(fmt.Sprintf("input %s[%d]", InputName, i), b, size, false)
		if herr != nil {
			writeError(w, herr)
			return
		}
		imgs[i] = p
		blobs[i] = nil
	}
	out, herr := s.score(r.Context(), m, imgs, class, override)
	if herr != nil {
		writeError(w, herr)
		return
	}
	resp, herr := inferOutputs(m.Name, req.ID, out, want)
	if herr != nil {
		writeError(w, herr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// parseInferRequest decodes the JSON (and the binary part, with the binary
// tensor data extension) into the request and its images.
func parseInferRequest(r *http.Request, body []byte, maxImages int) (*inferRequest, [][]byte, *httpError) {
	bad := func(format string, a ...any) (*inferRequest, [][]byte, *httpError) {
		return nil, nil, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
	}
	jsonPart, binPart := body, []byte(nil)
	if h := r.Header.Get("Inference-Header-Content-Length"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 0 || n > len(body) {
			return bad("Inference-Header-Content-Length %q does not fit the %d-byte body", h, len(body))
		}
		jsonPart, binPart = body[:n], body[n:]
	}
	var req inferRequest
	dec := json.NewDecoder(bytes.NewReader(jsonPart))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return bad("request is not an inference request JSON object: %v", err)
	}
	if len(req.Inputs) != 1 {
		return bad("want one input %q of datatype BYTES (encoded images), got %d inputs", InputName, len(req.Inputs))
	}
	in := req.Inputs[0]
	if in.Datatype != "BYTES" {
		return bad("input %q has datatype %q: want BYTES (encoded PNG/JPEG/BMP/TIFF/WebP images)", in.Name, in.Datatype)
	}
	if len(in.Shape) == 0 || len(in.Shape) > 2 || (len(in.Shape) == 2 && in.Shape[1] != 1) {
		return bad("input %q has shape %v: want [N] or [N, 1]", in.Name, in.Shape)
	}
	n := in.Shape[0]
	if n < 1 || n > int64(maxImages) {
		return bad("input %q has %d images: want 1 to %d per request", in.Name, n, maxImages)
	}
	var blobs [][]byte
	if size, ok := in.Parameters["binary_data_size"]; ok {
		bs, err := strconv.ParseInt(fmt.Sprint(size), 10, 64)
		if err != nil || bs < 0 || bs != int64(len(binPart)) {
			return bad("input %q: binary_data_size %v does not match the %d bytes after the JSON", in.Name, size, len(binPart))
		}
		for rest := binPart; len(rest) > 0; {
			if len(rest) < 4 {
				return bad("input %q: binary BYTES element truncated", in.Name)
			}
			l := binary.LittleEndian.Uint32(rest)
			if int64(l) > int64(len(rest)-4) {
				return bad("input %q: binary BYTES element of %d bytes, only %d left", in.Name, l, len(rest)-4)
			}
			blobs = append(blobs, rest[4:4+l])
			rest = rest[4+l:]
		}
	} else {
		var strs []string
		if !flattenStrings(in.Data, &strs) {
			return bad("input %q: data must be an array of base64 strings (one encoded image each)", in.Name)
		}
		for i, s := range strs {
			b, err := decodeBase64(s)
			if err != nil {
				return bad("input %q: element %d is not base64 (encode each image's bytes as base64 in JSON): %v", in.Name, i, err)
			}
			blobs = append(blobs, b)
		}
	}
	if int64(len(blobs)) != n {
		return bad("input %q: shape %v says %d images, data holds %d", in.Name, in.Shape, n, len(blobs))
	}
	return &req, blobs, nil
}

func flattenStrings(v any, out *[]string) bool {
	switch t := v.(type) {
	case string:
		*out = append(*out, t)
		return true
	case []any:
		for _, e := range t {
			if !flattenStrings(e, out) {
				return false
			}
		}
		return true
	}
	return false
}

// decodeBase64 accepts the standard and URL alphabets, with or without
// padding, and a data URL prefix.
func decodeBase64(s string) ([]byte, error) {
	if strings.HasPrefix(s, "data:") {
		if i := strings.Index(s, ";base64,"); i >= 0 {
			s = s[i+len(";base64,"):]
		}
	}
	s = strings.TrimRight(s, "=")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	return enc.DecodeString(s)
}

// inferParams reads the request parameters "class" and "threshold".
func inferParams(p map[string]any) (string, *float64, *httpError) {
	var class string
	if v, ok := p["class"]; ok {
		c, isStr := v.(string)
		if !isStr {
			return "", nil, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("parameter class must be a string, got %v", v)}
		}
		class = c
	}
	var override *float64
	if v, ok := p["threshold"]; ok {
		var f float64
		var err error
		switch t := v.(type) {
		case json.Number:
			f, err = t.Float64()
		case string:
			f, err = strconv.ParseFloat(t, 64)
		default:
			err = fmt.Errorf("not a number")
		}
		if err != nil {
			return "", nil, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("parameter threshold must be a number, got %v", v)}
		}
		var herr *httpError
		if override, herr = parseThreshold(f); herr != nil {
			return "", nil, herr
		}
	}
	return class, override, nil
}

// requestedOutputs checks the request's outputs (nil: the defaults).
func requestedOutputs(outs []requestOutput) (map[string]bool, *httpError) {
	if len(outs) == 0 {
		return nil, nil
	}
	want := map[string]bool{}
	for _, o := range outs {
		known := false
		for _, d := range outputDefs {
			known = known || d.name == o.Name
		}
		if !known {
			names := make([]string, len(outputDefs))
			for i, d := range outputDefs {
				names[i] = d.name
			}
			return nil, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("unknown output %q (outputs: %s)", o.Name, strings.Join(names, ", "))}
		}
		want[o.Name] = true
	}
	return want, nil
}

// inferOutputs builds the response: with want nil every output that every
// image has a value for, except anomaly_map; else exactly the wanted ones
// (an image without a value for one is a 400 naming why).
func inferOutputs(model, id string, out []scored, want map[string]bool) (*inferResponse, *httpError) {
	n := int64(len(out))
	resp := &inferResponse{ModelName: model, ModelVersion: out[0].version, ID: id, Outputs: []responseOutput{}}
	for _, def := range outputDefs {
		asked := want[def.name]
		if want != nil && !asked || want == nil && def.name == "anomaly_map" {
			continue
		}
		var data any
		missing := ""
		shape := []int64{n}
		switch def.name {
		case "pred_score":
			v := make([]float32, n)
			for i, o := range out {
				v[i] = float32(o.dec.Score)
			}
			data = v
		case "score":
			v := make([]float64, n)
			for i, o := range out {
				v[i] = o.dec.Score
			}
			data = v
		case "pred_label":
			v := make([]bool, n)
			for i, o := range out {
				if o.dec.Anomalous == nil {
					missing = "no threshold decides: the model has no calibrated threshold for this class (run mambaad calibrate, or give the threshold parameter)"
					break
				}
				v[i] = *o.dec.Anomalous
			}
			data = v
		case "threshold", "normalized_score":
			v := make([]float64, n)
			for i, o := range out {
				p := o.dec.Threshold
				if def.name == "normalized_score" {
					p = o.dec.Normalized
				}
				if p == nil {
					missing = "no threshold decides (or it is not positive, for normalized_score)"
					break
				}
				v[i] = *p
			}
			data = v
		case "threshold_from":
			v := make([]string, n)
			for i, o := range out {
				if o.dec.ThresholdFrom == "" {
					missing = "no threshold decides"
					break
				}
				v[i] = o.dec.ThresholdFrom
			}
			data = v
		case "pred_class":
			v := make([]string, n)
			for i, o := range out {
				if o.dec.Class == "" {
					missing = "the model has no class prototypes and no class was given"
					break
				}
				v[i] = o.dec.Class
			}
			data = v
		case "class_confidence":
			v := make([]float32, n)
			for i, o := range out {
				if o.dec.ClassConfidence == nil {
					missing = "the class was given, not inferred (or the model has no class prototypes)"
					break
				}
				v[i] = float32(*o.dec.ClassConfidence)
			}
			data = v
		case "anomaly_map":
			s := int64(out[0].res.size)
			v := make([]float32, 0, n*s*s)
			for _, o := range out {
				v = append(v, o.res.amap...)
			}
			data, shape = v, []int64{n, s, s}
		}
		if missing != "" {
			if asked {
				return nil, &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf("output %s: %s", def.name, missing)}
			}
			continue
		}
		resp.Outputs = append(resp.Outputs, responseOutput{Name: def.name, Shape: shape, Datatype: def.datatype, Data: data})
	}
	return resp, nil
}
