package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
)

var testClasses = []string{"bolt", "tile"}

// fixture is one synthetic checkpoint shared by the tests of the package
// (writing it takes a second).
var fixture struct {
	once sync.Once
	dir  string
	path string
	det  *detector.Detector
	err  error
}

func testCheckpoint(t *testing.T) (string, *detector.Detector) {
	t.Helper()
	fixture.once.Do(func() {
		fixture.dir, fixture.err = os.MkdirTemp("", "serve-test")
		if fixture.err != nil {
			return
		}
		fixture.path = filepath.Join(fixture.dir, "parts.ckpt")
		fixture.det, fixture.err = WriteSyntheticCheckpoint(fixture.path, TinyConfig(), testClasses, 7)
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return fixture.path, fixture.det
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// startServer serves cfg's models (default: the fixture as "parts") on a
// real loopback listener.
func startServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	if len(cfg.Models) == 0 {
		p, _ := testCheckpoint(t)
		cfg.Models = []ModelSpec{{Name: "parts", Path: p}}
	}
	cfg.TempDir = t.TempDir()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

func encodePNG(t testing.TB, m image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// do sends a request and returns the status, headers and body.
func do(t testing.TB, method, url, ctype string, body []byte, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// decodeStrict decodes JSON into v refusing unknown fields: the answer
// must have exactly the shape of v.
func decodeStrict(t testing.TB, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("answer %s does not have the expected shape: %v", truncate(b), err)
	}
}

// wantError checks an error answer: the status and the OIP error shape
// {"error": "..."} with a message.
func wantError(t testing.TB, what string, code int, gotCode int, body []byte) string {
	t.Helper()
	if gotCode != code {
		t.Errorf("%s: status %d, want %d (%s)", what, gotCode, code, truncate(body))
		return ""
	}
	var e struct {
		Error *string `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == nil || *e.Error == "" {
		t.Errorf("%s: error body %s is not {\"error\": \"...\"}", what, truncate(body))
		return ""
	}
	return *e.Error
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
