package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"mime/multipart"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/predict"
)

// The Open Inference Protocol's JSON schema shapes (required fields as
// pointers, optional ones as plain values); decoded with unknown fields
// refused, so an answer with any other field fails.
type (
	oipServerMeta struct {
		Name       *string   `json:"name"`
		Version    *string   `json:"version"`
		Extensions *[]string `json:"extensions"`
	}
	oipTensorMeta struct {
		Name       *string        `json:"name"`
		Datatype   *string        `json:"datatype"`
		Shape      *[]int64       `json:"shape"`
		Parameters map[string]any `json:"parameters"`
	}
	oipModelMeta struct {
		Name       *string          `json:"name"`
		Versions   []string         `json:"versions"`
		Platform   *string          `json:"platform"`
		Inputs     *[]oipTensorMeta `json:"inputs"`
		Outputs    *[]oipTensorMeta `json:"outputs"`
		Parameters map[string]any   `json:"parameters"`
	}
	oipOutput struct {
		Name       *string          `json:"name"`
		Shape      *[]int64         `json:"shape"`
		Datatype   *string          `json:"datatype"`
		Parameters map[string]any   `json:"parameters"`
		Data       *json.RawMessage `json:"data"`
	}
	oipInferResponse struct {
		ModelName    *string        `json:"model_name"`
		ModelVersion string         `json:"model_version"`
		ID           string         `json:"id"`
		Parameters   map[string]any `json:"parameters"`
		Outputs      *[]oipOutput   `json:"outputs"`
	}
)

var oipDatatypes = []string{"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"}

func checkTensorMeta(t *testing.T, what string, ts *[]oipTensorMeta) {
	t.Helper()
	if ts == nil {
		t.Fatalf("%s missing", what)
	}
	for _, x := range *ts {
		if x.Name == nil || x.Datatype == nil || x.Shape == nil || !slices.Contains(oipDatatypes, *x.Datatype) {
			t.Errorf("%s: tensor metadata %+v lacks name, datatype or shape", what, x)
		}
	}
}

// parseInfer validates an infer response against the schema and returns
// its outputs by name (data decoded as any).
func parseInfer(t *testing.T, b []byte) (oipInferResponse, map[string]oipOutput) {
	t.Helper()
	var r oipInferResponse
	decodeStrict(t, b, &r)
	if r.ModelName == nil || r.Outputs == nil {
		t.Fatalf("infer response lacks model_name or outputs: %s", truncate(b))
	}
	out := map[string]oipOutput{}
	for _, o := range *r.Outputs {
		if o.Name == nil || o.Shape == nil || o.Datatype == nil || o.Data == nil || !slices.Contains(oipDatatypes, *o.Datatype) {
			t.Fatalf("output lacks name, shape, datatype or data: %s", truncate(b))
		}
		var flat []any
		if err := json.Unmarshal(*o.Data, &flat); err != nil {
			t.Fatalf("output %s data is not a flat array: %v", *o.Name, err)
		}
		n := int64(1)
		for _, d := range *o.Shape {
			n *= d
		}
		if int64(len(flat)) != n {
			t.Errorf("output %s: shape %v but %d values", *o.Name, *o.Shape, len(flat))
		}
		out[*o.Name] = o
	}
	return r, out
}

func floats(t *testing.T, o oipOutput) []float64 {
	t.Helper()
	var v []float64
	if err := json.Unmarshal(*o.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func inferBody(id string, params map[string]any, outputs []string, imgs ...[]byte) []byte {
	data := make([]string, len(imgs))
	for i, b := range imgs {
		data[i] = base64.StdEncoding.EncodeToString(b)
	}
	req := map[string]any{"inputs": []any{map[string]any{"name": "image", "shape": []int{len(imgs)}, "datatype": "BYTES", "data": data}}}
	if id != "" {
		req["id"] = id
	}
	if params != nil {
		req["parameters"] = params
	}
	if outputs != nil {
		var outs []any
		for _, o := range outputs {
			outs = append(outs, map[string]any{"name": o})
		}
		req["outputs"] = outs
	}
	b, _ := json.Marshal(req)
	return b
}

// TestEndpoints checks every endpoint but inference: metadata and health
// against the protocol's shapes, the page and its assets, metrics, and
// JSON errors for unknown models, versions, routes and methods.
func TestEndpoints(t *testing.T) {
	s, ts := startServer(t, Config{Version: "test"})
	info, _ := s.Models()[0].Info()

	code, _, b := do(t, "GET", ts.URL+"/v2", "", nil)
	var sm oipServerMeta
	decodeStrict(t, b, &sm)
	if code != 200 || sm.Name == nil || *sm.Name != "mambaad" || sm.Version == nil || *sm.Version != "test" || sm.Extensions == nil {
		t.Errorf("GET /v2: %d %s", code, b)
	}
	for _, p := range []string{"/v2/health/live", "/v2/health/ready", "/v2/models/parts/ready", "/v2/models/parts/versions/" + info.Version + "/ready"} {
		if code, _, b := do(t, "GET", ts.URL+p, "", nil); code != 200 {
			t.Errorf("GET %s: %d %s", p, code, b)
		}
	}
	for _, p := range []string{"/v2/models/parts", "/v2/models/parts/versions/" + info.Version} {
		code, _, b := do(t, "GET", ts.URL+p, "", nil)
		var mm oipModelMeta
		decodeStrict(t, b, &mm)
		if code != 200 || mm.Name == nil || *mm.Name != "parts" || mm.Platform == nil || !slices.Equal(mm.Versions, []string{info.Version}) {
			t.Fatalf("GET %s: %d %s", p, code, b)
		}
		checkTensorMeta(t, "inputs", mm.Inputs)
		checkTensorMeta(t, "outputs", mm.Outputs)
		in := (*mm.Inputs)[0]
		if len(*mm.Inputs) != 1 || *in.Name != "image" || *in.Datatype != "BYTES" {
			t.Errorf("inputs %s", b)
		}
		names := map[string]string{}
		for _, o := range *mm.Outputs {
			names[*o.Name] = *o.Datatype
			if *o.Name == "anomaly_map" && !slices.Equal(*o.Shape, []int64{-1, 64, 64}) {
				t.Errorf("anomaly_map shape %v", *o.Shape)
			}
		}
		if names["pred_score"] != "FP32" || names["pred_label"] != "BOOL" || names["anomaly_map"] != "FP32" {
			t.Errorf("outputs %v", names)
		}
	}
	errs := []struct {
		method, path string
		code         int
	}{
		{"GET", "/v2/models/nope", 404}, {"GET", "/v2/models/nope/ready", 404},
		{"GET", "/v2/models/parts/versions/999", 404}, {"POST", "/v2/models/nope/infer", 404},
		{"GET", "/v2/models/parts/infer", 405}, {"DELETE", "/v2", 405}, {"GET", "/predict", 405},
		{"GET", "/no/such/thing", 404}, {"GET", "/assets/nope.js", 404},
	}
	for _, e := range errs {
		code, _, b := do(t, e.method, ts.URL+e.path, "", nil)
		wantError(t, e.method+" "+e.path, e.code, code, b)
	}
	code, h, b := do(t, "GET", ts.URL+"/", "", nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !bytes.Contains(b, []byte("/assets/app.js")) || h.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /: %d %v", code, h)
	}
	for _, a := range []string{"app.js", "app.css"} {
		if code, _, b := do(t, "GET", ts.URL+"/assets/"+a, "", nil); code != 200 || len(b) < 500 {
			t.Errorf("asset %s: %d, %d bytes", a, code, len(b))
		}
	}
	code, _, b = do(t, "GET", ts.URL+"/api/models", "", nil)
	var api struct {
		Ready  bool
		Models []struct {
			Name, Version, Method string
			ImageSize             int `json:"image_size"`
			Classes               []string
			Thresholds            map[string]ThresholdInfo
		}
	}
	if err := json.Unmarshal(b, &api); err != nil || code != 200 || !api.Ready || len(api.Models) != 1 {
		t.Fatalf("/api/models: %d %s", code, b)
	}
	if m := api.Models[0]; m.ImageSize != 64 || !slices.Equal(m.Classes, testClasses) || len(m.Thresholds) != 2 || m.Method != "recon" {
		t.Errorf("/api/models: %+v", m)
	}
	do(t, "POST", ts.URL+"/predict", "image/png", encodePNG(t, SyntheticImage(0, 40, 30, 1, false)))
	code, _, b = do(t, "GET", ts.URL+"/metrics", "", nil)
	for _, name := range []string{"mambaad_http_requests_total", "mambaad_http_request_duration_seconds", "mambaad_queue_wait_seconds",
		"mambaad_batch_size", "mambaad_inflight_requests", `mambaad_model_info{model="parts",version="` + info.Version + `"} 1`,
		"mambaad_images_total", "process_resident_memory_bytes", "go_goroutines"} {
		if code != 200 || !bytes.Contains(b, []byte(name)) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	code, _, b = do(t, "POST", ts.URL+"/v2/repository/index", "", nil)
	if code != 200 || !bytes.Contains(b, []byte(`"state":"READY"`)) {
		t.Errorf("repository index: %d %s", code, b)
	}
}

// testImages writes PNG and JPEG pictures of both classes, of several
// sizes, normal and with a defect, and returns their paths and bytes.
func testImages(t *testing.T, dir string) ([]string, map[string][]byte) {
	t.Helper()
	files := map[string][]byte{}
	var paths []string
	for k := range testClasses {
		for i, sz := range [][2]int{{64, 64}, {120, 90}, {50, 77}} {
			img := SyntheticImage(k, sz[0], sz[1], uint64(20+i), i == 1)
			name := fmt.Sprintf("c%d_%d.png", k, i)
			b := encodePNG(t, img)
			if i == 2 {
				name, b = fmt.Sprintf("c%d_%d.jpg", k, i), encodeJPEG(t, img)
			}
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
			files[p] = b
		}
	}
	return paths, files
}

// TestScoresIdenticalToPredict: the server's score, class, threshold and
// verdict of each image are those predict.Run (the code behind `mambaad
// predict`) gives for the same file and checkpoint, bit for bit, through
// /predict and through infer, with a class and a threshold override, when
// both score one image per forward pass (serve --max-batch 1, predict
// --batch-size 1). The model's last bits depend on the batch an image is
// scored in (predict --batch-size 1 and 8 differ too), so with dynamic
// batching, concurrent clients and a request of all images at once the
// scores agree with predict's to float32 rounding (relative 1e-6) and
// every other field is identical.
func TestScoresIdenticalToPredict(t *testing.T) {
	path, _ := testCheckpoint(t)
	paths, files := testImages(t, t.TempDir())
	d, err := detector.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	th := 0.5
	for _, batch := range []int{1, 4} {
		_, ts := startServer(t, Config{MaxBatch: batch, MaxDelay: 20e6})
		for _, c := range []struct {
			class string
			thr   *float64
			query string
		}{{"", nil, ""}, {"tile", nil, "?class=tile"}, {"", &th, "?threshold=0.5"}} {
			want := map[string]detector.Decision{}
			_, err := predict.Run(context.Background(), d, paths, predict.Options{Class: c.class, Threshold: c.thr, BatchSize: 1}, func(r predict.Result) {
				want[r.Path] = *r.Decision
			})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			got := map[string]detector.Decision{}
			for _, p := range paths {
				wg.Add(1)
				send := func() {
					defer wg.Done()
					code, _, b := do(t, "POST", ts.URL+"/predict"+c.query, "application/octet-stream", files[p])
					var r PredictResponse
					if err := json.Unmarshal(b, &r); err != nil || code != 200 {
						t.Errorf("%s: %d %s", p, code, b)
						return
					}
					mu.Lock()
					got[p] = *r.Decision
					mu.Unlock()
				}
				if batch == 1 {
					send() // one at a time
				} else {
					go send() // together, sharing batches
				}
			}
			wg.Wait()
			for _, p := range paths {
				compareDecision(t, fmt.Sprintf("batch %d %s%s", batch, filepath.Base(p), c.query), got[p], want[p], batch == 1)
			}
			params := map[string]any{}
			if c.class != "" {
				params["class"] = c.class
			}
			if c.thr != nil {
				params["threshold"] = *c.thr
			}
			var all [][]byte
			for _, p := range paths {
				all = append(all, files[p])
			}
			code, _, b := do(t, "POST", ts.URL+"/v2/models/parts/infer", "application/json", inferBody("x", params, nil, all...))
			if code != 200 {
				t.Fatalf("infer: %d %s", code, b)
			}
			_, outs := parseInfer(t, b)
			scores := floats(t, outs["score"])
			for i, p := range paths {
				w := want[p].Score
				if batch == 1 && math.Float64bits(scores[i]) != math.Float64bits(w) || math.Abs(scores[i]-w) > 1e-6*math.Abs(w) {
					t.Errorf("batch %d %s: infer score %v, predict %v", batch, filepath.Base(p), scores[i], w)
				}
			}
		}
	}
}

// compareDecision: every field equal; the score (and the normalised score
// derived from it) bit for bit when exact, else to relative 1e-6.
func compareDecision(t *testing.T, what string, got, want detector.Decision, exact bool) {
	t.Helper()
	if !exact {
		if math.Abs(got.Score-want.Score) > 1e-6*math.Abs(want.Score) {
			t.Errorf("%s: score %v, predict %v", what, got.Score, want.Score)
		}
		if got.Anomalous != nil && want.Anomalous != nil && *got.Anomalous != *want.Anomalous && math.Abs(want.Score-*want.Threshold) > 1e-6 {
			t.Errorf("%s: verdict %v, predict %v", what, *got.Anomalous, *want.Anomalous)
		}
		if got.ClassConfidence != nil && want.ClassConfidence != nil && math.Abs(*got.ClassConfidence-*want.ClassConfidence) < 1e-6 {
			got.ClassConfidence = want.ClassConfidence
		}
		got.Score, got.Normalized, got.Anomalous = want.Score, want.Normalized, want.Anomalous
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s: server %s, predict %s", what, g, w)
	}
}

// TestInferKServeRequests sends the bodies KServe's and Triton's clients
// send: base64 BYTES in JSON, the binary tensor data extension, several
// images, chosen outputs with the anomaly map, class and threshold
// parameters; and malformed requests, each a 400 with an error message.
func TestInferKServeRequests(t *testing.T) {
	_, ts := startServer(t, Config{})
	png0 := encodePNG(t, SyntheticImage(0, 64, 64, 3, false))
	png1 := encodePNG(t, SyntheticImage(1, 80, 60, 4, true))
	url := ts.URL + "/v2/models/parts/infer"

	// A KServe v2 client body, as sent by kserve.InferRequest.to_rest().
	kserveBody := `{"id":"req-1","parameters":{"class":"bolt"},"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","parameters":{"content_type":"base64"},"data":["` +
		base64.StdEncoding.EncodeToString(png0) + `"]}],"outputs":[{"name":"pred_score"},{"name":"pred_label"},{"name":"anomaly_map"}]}`
	code, _, b := do(t, "POST", url, "application/json", []byte(kserveBody))
	if code != 200 {
		t.Fatalf("KServe body: %d %s", code, b)
	}
	r, outs := parseInfer(t, b)
	if *r.ModelName != "parts" || r.ID != "req-1" || r.ModelVersion == "" || len(outs) != 3 {
		t.Errorf("response %s", truncate(b))
	}
	if o := outs["anomaly_map"]; !slices.Equal(*o.Shape, []int64{1, 64, 64}) || *o.Datatype != "FP32" {
		t.Errorf("anomaly_map %v %v", *o.Shape, *o.Datatype)
	}
	amap := floats(t, outs["anomaly_map"])
	if s := floats(t, outs["pred_score"]); float32(slices.Max(amap)) != float32(s[0]) {
		t.Errorf("pred_score %v is not the map's maximum %v", s[0], slices.Max(amap))
	}
	var labels []bool
	json.Unmarshal(*outs["pred_label"].Data, &labels)
	if len(labels) != 1 || *outs["pred_label"].Datatype != "BOOL" {
		t.Errorf("pred_label %s", *outs["pred_label"].Data)
	}

	// The binary tensor data extension (tritonclient's binary_data=True).
	js := []byte(`{"inputs":[{"name":"image","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":` +
		fmt.Sprint(8+len(png0)+len(png1)) + `}}],"outputs":[{"name":"score"},{"name":"pred_class"}]}`)
	bin := append([]byte{}, js...)
	for _, p := range [][]byte{png0, png1} {
		bin = binary.LittleEndian.AppendUint32(bin, uint32(len(p)))
		bin = append(bin, p...)
	}
	code, _, b = do(t, "POST", url, "application/octet-stream", bin, "Inference-Header-Content-Length", fmt.Sprint(len(js)))
	if code != 200 {
		t.Fatalf("binary extension: %d %s", code, b)
	}
	_, outs = parseInfer(t, b)
	var classes []string
	json.Unmarshal(*outs["pred_class"].Data, &classes)
	if len(floats(t, outs["score"])) != 2 || len(classes) != 2 {
		t.Errorf("binary extension outputs: %s", b)
	}
	// The same two images as base64 give the same scores.
	code, _, b2 := do(t, "POST", url, "application/json", inferBody("", nil, []string{"score", "pred_class"}, png0, png1))
	if _, o2 := parseInfer(t, b2); code != 200 || !slices.Equal(floats(t, o2["score"]), floats(t, outs["score"])) {
		t.Errorf("base64 and binary requests differ: %s vs %s", b2, b)
	}

	// Threshold override: below the score is anomalous, above is normal.
	code, _, b = do(t, "POST", url, "application/json", inferBody("", nil, []string{"score"}, png1))
	_, outs = parseInfer(t, b)
	score := floats(t, outs["score"])[0]
	for _, c := range []struct {
		thr  float64
		want bool
	}{{score * 0.9, true}, {score * 1.1, false}} {
		_, _, b := do(t, "POST", url, "application/json", inferBody("", map[string]any{"threshold": c.thr}, nil, png1))
		_, outs := parseInfer(t, b)
		var lab []bool
		var from []string
		json.Unmarshal(*outs["pred_label"].Data, &lab)
		json.Unmarshal(*outs["threshold_from"].Data, &from)
		if len(lab) != 1 || lab[0] != c.want || from[0] != "given" || floats(t, outs["threshold"])[0] != c.thr {
			t.Errorf("threshold %v: %s", c.thr, b)
		}
	}

	bad := []struct{ what, body string }{
		{"not JSON", "{"},
		{"no inputs", `{"inputs":[]}`},
		{"FP32 input", `{"inputs":[{"name":"image","shape":[1],"datatype":"FP32","data":[1]}]}`},
		{"not base64", `{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":["%%%"]}]}`},
		{"shape mismatch", `{"inputs":[{"name":"image","shape":[2],"datatype":"BYTES","data":["` + base64.StdEncoding.EncodeToString(png0) + `"]}]}`},
		{"not an image", `{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":["aGVsbG8gd29ybGQ="]}]}`},
		{"unknown output", string(inferBody("", nil, []string{"nope"}, png0))},
		{"unknown class", string(inferBody("", map[string]any{"class": "washer"}, nil, png0))},
		{"threshold not a number", string(inferBody("", map[string]any{"threshold": true}, nil, png0))},
		{"numbers as data", `{"inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":[1]}]}`},
	}
	for _, c := range bad {
		code, _, b := do(t, "POST", url, "application/json", []byte(c.body))
		wantError(t, c.what, 400, code, b)
	}
}

// TestPredictEndpoint: multipart and raw uploads, the anomaly map, the
// overlay (inline and as the answer, at the input's resolution), the mask,
// and wrong content types.
func TestPredictEndpoint(t *testing.T) {
	_, ts := startServer(t, Config{})
	img := encodePNG(t, SyntheticImage(1, 120, 90, 5, true))
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("note", "ignored")
	fw, _ := mw.CreateFormFile("image", "part-17.png")
	fw.Write(img)
	mw.Close()
	code, _, b := do(t, "POST", ts.URL+"/predict?map=1&overlay=1", mw.FormDataContentType(), mp.Bytes())
	if code != 200 {
		t.Fatalf("multipart: %d %s", code, b)
	}
	var r PredictResponse
	decodeStrict(t, b, &r)
	if r.Path != "part-17.png" || r.Width != 120 || r.Height != 90 || r.Class == "" || r.ClassConfidence == nil || r.Threshold == nil ||
		r.ThresholdFrom != "class" || r.Anomalous == nil || r.Normalized == nil || r.Model != "parts" || r.Timing.BatchSize != 1 {
		t.Errorf("response %s", truncate(b))
	}
	raw, _ := base64.StdEncoding.DecodeString(r.AnomalyMap.Data)
	if r.AnomalyMap.Width != 64 || len(raw) != 4*64*64 {
		t.Fatalf("anomaly map %dx%d, %d bytes", r.AnomalyMap.Width, r.AnomalyMap.Height, len(raw))
	}
	hi := float32(math.Inf(-1))
	for i := 0; i < len(raw); i += 4 {
		hi = max(hi, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
	}
	if float64(hi) != float64(float32(r.Score)) || hi != r.AnomalyMap.Max {
		t.Errorf("map maximum %v, score %v", hi, r.Score)
	}
	pngb, _ := base64.StdEncoding.DecodeString(r.OverlayPNG)
	ov, err := png.Decode(bytes.NewReader(pngb))
	if err != nil || ov.Bounds().Dx() < 120 || ov.Bounds().Dy() <= 90 {
		t.Errorf("overlay: %v %v", err, ov)
	}
	code, h, b := do(t, "POST", ts.URL+"/predict?output=mask&threshold=0", "image/png", img)
	mask, err := png.Decode(bytes.NewReader(b))
	if code != 200 || err != nil || mask.Bounds().Dx() != 120 || mask.Bounds().Dy() != 90 || h.Get("X-Mambaad-Anomalous") != "true" || h.Get("X-Mambaad-Threshold-From") != "given" {
		t.Errorf("mask: %d %v %v", code, err, h)
	}
	code, h, b = do(t, "POST", ts.URL+"/predict?output=overlay", "image/png", img)
	if code != 200 || h.Get("Content-Type") != "image/png" || h.Get("X-Mambaad-Score") == "" {
		t.Errorf("overlay: %d %v", code, h)
	}
	code, _, b = do(t, "POST", ts.URL+"/predict", "application/json", []byte(`{}`))
	wantError(t, "JSON to /predict", 415, code, b)
	code, _, b = do(t, "POST", ts.URL+"/predict?threshold=abc", "image/png", img)
	wantError(t, "threshold=abc", 400, code, b)
	code, _, b = do(t, "POST", ts.URL+"/predict?model=nope", "image/png", img)
	wantError(t, "model=nope", 404, code, b)
	code, _, b = do(t, "POST", ts.URL+"/predict", "image/png", []byte("GIF89a nope"))
	wantError(t, "not an image", 400, code, b)
	var empty bytes.Buffer
	mw = multipart.NewWriter(&empty)
	mw.WriteField("x", "y")
	mw.Close()
	code, _, b = do(t, "POST", ts.URL+"/predict", mw.FormDataContentType(), empty.Bytes())
	wantError(t, "form without image", 400, code, b)
}
