package serve

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pngHeader is a PNG whose header declares w×h pixels, followed by n
// bytes of padding chunk: enough for the header checks, no pixel data.
func pngHeader(w, h uint32, pad int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk := func(typ string, data []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		start := len(b)
		b = append(b, typ...)
		b = append(b, data...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
	}
	chunk("IHDR", ihdr)
	if pad > 0 {
		chunk("tEXt", bytes.Repeat([]byte{'a'}, pad))
	}
	return b
}

// TestLimits: a body over the limit, images over the side and pixel limits
// (from their header: nothing is decoded) and over the memory budget get
// 413 with a message; the request count limit, a full queue and an
// exhausted memory budget get 429 with Retry-After; a request past the
// timeout gets 503 with Retry-After; and the server goes on serving.
func TestLimits(t *testing.T) {
	s, ts := startServer(t, Config{MaxBodyBytes: 64 << 10, MaxPixels: 200 * 200, MaxSide: 300, MemoryBudget: 2 << 20})
	img := encodePNG(t, SyntheticImage(0, 64, 64, 1, false))
	code, _, b := do(t, "POST", ts.URL+"/predict", "image/png", bytes.Repeat([]byte{1}, 65<<10))
	if msg := wantError(t, "big body", 413, code, b); !strings.Contains(msg, "limit") {
		t.Errorf("big body: %q", msg)
	}
	code, _, b = do(t, "POST", ts.URL+"/v2/models/parts/infer", "application/json", bytes.Repeat([]byte{' '}, 65<<10))
	wantError(t, "big infer body", 413, code, b)
	for _, c := range []struct {
		w, h uint32
		what string
	}{{301, 10, "side"}, {250, 250, "pixels"}} {
		code, _, b := do(t, "POST", ts.URL+"/predict", "image/png", pngHeader(c.w, c.h, 0))
		if msg := wantError(t, c.what, 413, code, b); !strings.Contains(msg, "over the limits") {
			t.Errorf("%s: %q", c.what, msg)
		}
	}
	// 30000×30000 would be refused by the decoder's own header checks too.
	code, _, b = do(t, "POST", ts.URL+"/predict", "image/png", pngHeader(30000, 30000, 100))
	wantError(t, "huge header", 413, code, b)
	if code, _, b := do(t, "POST", ts.URL+"/predict", "image/png", img); code != 200 {
		t.Fatalf("still serving: %d %s", code, b)
	}
	if s.budget.used != 0 {
		t.Errorf("memory budget not returned: %d bytes held", s.budget.used)
	}

	// A budget smaller than one decoded image: 413 (it can never fit).
	_, ts2 := startServer(t, Config{MemoryBudget: 1 << 20, MaxBodyBytes: 512 << 10})
	big := encodePNG(t, SyntheticImage(0, 400, 300, 1, false))
	code, _, b = do(t, "POST", ts2.URL+"/predict", "image/png", big)
	wantError(t, "over the budget", 413, code, b)
}

// TestOverload: with one worker, batches of one, a queue of one and a
// small request limit, a burst of concurrent requests is answered 200 or
// 429 (with Retry-After) and nothing else; a request timeout gives 503
// with Retry-After.
func TestOverload(t *testing.T) {
	s, ts := startServer(t, Config{MaxBatch: 1, QueueSize: 1, MaxInflight: 6})
	img := encodePNG(t, SyntheticImage(0, 64, 64, 1, false))
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, h, b := do(t, "POST", ts.URL+"/predict", "image/png", img)
			if code == 429 {
				ra, err := strconv.Atoi(h.Get("Retry-After"))
				if err != nil || ra < 1 {
					t.Errorf("429 without Retry-After: %v", h)
				}
				wantError(t, "429", 429, code, b)
			}
			mu.Lock()
			counts[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[200] == 0 || counts[429] == 0 || counts[200]+counts[429] != 24 {
		t.Errorf("burst of 24: %v (want only 200 and 429, some of each)", counts)
	}
	if s.inflight.Load() != 0 {
		t.Errorf("%d requests still counted in flight", s.inflight.Load())
	}

	_, ts2 := startServer(t, Config{Timeout: time.Nanosecond})
	code, h, b := do(t, "POST", ts2.URL+"/predict", "image/png", img)
	if msg := wantError(t, "timeout", 503, code, b); !strings.Contains(msg, "timed out") || h.Get("Retry-After") == "" {
		t.Errorf("timeout: %q %v", msg, h)
	}
}

// TestReload: a corrupt checkpoint in place of the served one fails the
// load call (500 naming the error) and the old version keeps answering; a
// valid new checkpoint is swapped in and its version reported; a model
// directory serves its highest version and picks up a new one on reload;
// an unchanged checkpoint is not reloaded.
func TestReload(t *testing.T) {
	src, _ := testCheckpoint(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.ckpt")
	copyFile(t, src, path)
	repo := filepath.Join(dir, "repo")
	os.MkdirAll(filepath.Join(repo, "1"), 0o755)
	copyFile(t, src, filepath.Join(repo, "1", "model.ckpt"))
	s, ts := startServer(t, Config{Models: []ModelSpec{{Name: "m", Path: path}, {Name: "r", Path: repo}}})
	img := encodePNG(t, SyntheticImage(0, 64, 64, 1, false))
	version := func(name string) string {
		code, _, b := do(t, "POST", ts.URL+"/v2/models/"+name+"/infer", "application/json", inferBody("", nil, []string{"score"}, img))
		r, _ := parseInfer(t, b)
		if code != 200 {
			t.Fatalf("infer %s: %d %s", name, code, b)
		}
		return r.ModelVersion
	}
	v0 := version("m")
	if err := os.WriteFile(path, []byte("this is not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, b := do(t, "POST", ts.URL+"/v2/repository/models/m/load", "", nil)
	if msg := wantError(t, "corrupt reload", 500, code, b); !strings.Contains(msg, v0) {
		t.Errorf("corrupt reload: %q does not say which version keeps serving", msg)
	}
	if v := version("m"); v != v0 {
		t.Errorf("after a failed reload: version %s, want %s", v, v0)
	}
	if _, err := WriteSyntheticCheckpoint(path, TinyConfig(), testClasses, 99); err != nil {
		t.Fatal(err)
	}
	code, _, b = do(t, "POST", ts.URL+"/v2/repository/models/m/load", "", nil)
	if code != 200 || bytes.Contains(b, []byte(v0)) {
		t.Fatalf("reload: %d %s", code, b)
	}
	v1 := version("m")
	if v1 == v0 {
		t.Error("the new checkpoint was not swapped in")
	}
	if _, err := s.Reload("m"); err != nil {
		t.Errorf("unchanged reload: %v", err)
	}
	code, _, metrics := do(t, "GET", ts.URL+"/metrics", "", nil)
	for _, want := range []string{`mambaad_model_info{model="m",version="` + v1 + `"} 1`, `mambaad_model_reloads_total{model="m",result="error"} 1`,
		`mambaad_model_reloads_total{model="m",result="ok"} 1`, `mambaad_model_reloads_total{model="m",result="unchanged"} 1`} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if bytes.Contains(metrics, []byte(`version="`+v0+`"`)) {
		t.Error("metrics still list the old version")
	}

	if v := version("r"); v != "1" {
		t.Errorf("model directory: version %q, want 1", v)
	}
	os.MkdirAll(filepath.Join(repo, "10"), 0o755)
	copyFile(t, src, filepath.Join(repo, "10", "model.ckpt"))
	os.MkdirAll(filepath.Join(repo, "9"), 0o755)
	copyFile(t, src, filepath.Join(repo, "9", "model.ckpt"))
	if v, err := s.Reload("r"); err != nil || v["r"] != "10" {
		t.Errorf("reload of a model directory: %v %v", v, err)
	}
	if v := version("r"); v != "10" {
		t.Errorf("model directory after reload: version %q, want 10", v)
	}
	code, _, b = do(t, "GET", ts.URL+"/v2/models/r/versions/10/ready", "", nil)
	if code != http.StatusOK {
		t.Errorf("versions/10/ready: %d %s", code, b)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
