package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mambaad/mambaad/app/serve"
)

// servedProc is a running `mambaad serve`.
type servedProc struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan struct{} // closed when the process has exited; err is then set
	err  error
}

// startServe runs the real binary on a free loopback port and waits for
// its "ready" log line.
func startServe(t *testing.T, args ...string) *servedProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	logs := &syncBuffer{}
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(logs, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &servedProc{cmd: cmd, logs: logs, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done); pw.Close() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "ready" {
				ready <- l.Addr
			}
		}
	}()
	select {
	case addr := <-ready:
		p.url = "http://" + addr
	case <-p.done:
		t.Fatalf("serve exited before ready: %v\n%s", p.err, logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve not ready after 60 s:\n%s", logs.String())
	}
	return p
}

func (p *servedProc) post(t *testing.T, path, ctype string, body []byte) (int, []byte, error) {
	resp, err := http.Post(p.url+path, ctype, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// servedImages writes a checkpoint with two classes and calibrated
// thresholds and a few pictures of each, PNG at several sizes.
func servedImages(t *testing.T) (ckpt, dir string, paths []string) {
	t.Helper()
	root := t.TempDir()
	ckpt = filepath.Join(root, "parts.ckpt")
	if _, err := serve.WriteSyntheticCheckpoint(ckpt, serve.TinyConfig(), []string{"bolt", "tile"}, 11); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "images")
	os.MkdirAll(dir, 0o755)
	for i := range 7 {
		p := filepath.Join(dir, fmt.Sprintf("img%02d.png", i))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, serve.SyntheticImage(i%2, 60+9*i, 70+5*i, uint64(i), i%3 == 0))
		f.Close()
		paths = append(paths, p)
	}
	return ckpt, dir, paths
}

// TestServeBinaryMatchesPredict: `mambaad serve` answers each image with
// the JSON fields `mambaad predict` prints for it, byte for byte (same
// checkpoint, one image per forward pass on both sides).
func TestServeBinaryMatchesPredict(t *testing.T) {
	ckpt, dir, paths := servedImages(t)
	out, stderr, err := mambaad(t, "predict", "--checkpoint", ckpt, "--no-images", "--batch-size", "1", dir)
	if err != nil {
		t.Fatalf("predict: %v\n%s", err, stderr)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		p := m["path"].(string)
		delete(m, "path")
		b, _ := json.Marshal(m)
		want[p] = string(b)
	}
	srv := startServe(t, "--checkpoint", "parts="+ckpt, "--max-batch", "1")
	for _, p := range paths {
		img, _ := os.ReadFile(p)
		code, b, err := srv.post(t, "/predict", "image/png", img)
		if err != nil || code != 200 {
			t.Fatalf("%s: %d %v %s", p, code, err, b)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		got := map[string]any{}
		for _, k := range []string{"class", "class_confidence", "score", "threshold", "threshold_from", "normalized_score", "anomalous"} {
			if v, ok := m[k]; ok {
				got[k] = v
			}
		}
		g, _ := json.Marshal(got)
		if string(g) != want[p] {
			t.Errorf("%s: serve %s, predict %s", filepath.Base(p), g, want[p])
		}
	}
}

// TestServeSIGTERMDrains: SIGTERM while eight clients keep the queue full:
// every request that reached the server is answered (200 or 429, never a
// 5xx), requests in flight at the signal complete with 200 after it, later
// ones find the listener closed, and the process exits 0 with "stopped".
func TestServeSIGTERMDrains(t *testing.T) {
	ckpt, _, paths := servedImages(t)
	srv := startServe(t, "--checkpoint", ckpt, "--max-batch", "2", "--queue", "16")
	img, _ := os.ReadFile(paths[3])
	var mu sync.Mutex
	codes := map[int]int{}
	var afterSignal, connErrs int
	var sigAt time.Time
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				resp, err := client.Post(srv.url+"/predict", "image/png", bytes.NewReader(img))
				mu.Lock()
				signalled := !sigAt.IsZero() && start.Before(sigAt)
				if err != nil {
					if sigAt.IsZero() {
						t.Errorf("request failed before the signal: %v", err)
					}
					connErrs++
					mu.Unlock()
					time.Sleep(10 * time.Millisecond)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				codes[resp.StatusCode]++
				if signalled && resp.StatusCode == 200 && time.Now().After(sigAt) {
					afterSignal++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	mu.Lock()
	sigAt = time.Now()
	mu.Unlock()
	srv.cmd.Process.Signal(syscall.SIGTERM)
	var exit error
	select {
	case <-srv.done:
		exit = srv.err
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not exit within 60 s of SIGTERM")
	}
	close(stop)
	wg.Wait()
	if exit != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", exit, srv.logs.String())
	}
	for code, n := range codes {
		if code != 200 && code != 429 {
			t.Errorf("%d answers with status %d", n, code)
		}
	}
	if codes[200] == 0 || afterSignal == 0 {
		t.Errorf("no request in flight at SIGTERM completed after it (answers %v)", codes)
	}
	if !strings.Contains(srv.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no stopped line:\n%s", srv.logs.String())
	}
	t.Logf("answers %v, %d in flight at SIGTERM completed after it, %d connections refused after", codes, afterSignal, connErrs)
}

// TestServeSIGHUPReload: SIGHUP with a corrupt checkpoint in place logs the
// failure and the old version goes on answering; SIGHUP with a new valid
// checkpoint swaps it in.
func TestServeSIGHUPReload(t *testing.T) {
	ckpt, _, paths := servedImages(t)
	srv := startServe(t, "--checkpoint", "m="+ckpt)
	img, _ := os.ReadFile(paths[0])
	version := func() string {
		code, b, err := srv.post(t, "/predict", "image/png", img)
		if err != nil || code != 200 {
			t.Fatalf("predict: %d %v %s", code, err, b)
		}
		var r struct {
			ModelVersion string `json:"model_version"`
		}
		json.Unmarshal(b, &r)
		return r.ModelVersion
	}
	waitLog := func(msg string, n int) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if strings.Count(srv.logs.String(), msg) >= n {
				return
			}
		}
		t.Fatalf("no %s in the log:\n%s", msg, srv.logs.String())
	}
	v0 := version()
	os.WriteFile(ckpt, []byte("garbage, not a checkpoint"), 0o644)
	srv.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(`"msg":"reload failed"`, 1)
	if v := version(); v != v0 {
		t.Errorf("after a failed reload: version %s, want %s", v, v0)
	}
	if _, err := serve.WriteSyntheticCheckpoint(ckpt, serve.TinyConfig(), []string{"bolt", "tile"}, 12); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(`"msg":"model reloaded"`, 1)
	if v := version(); v == v0 {
		t.Error("the new checkpoint was not served after SIGHUP")
	}
}

// TestPredictShardsMerge: predict --shard I/3 over a manifest writes three
// shard files that together hold exactly the lines of one unsharded run; a
// rerun of a shard gives the same bytes; merge joins them into a table
// sorted by path (CSV and JSON lines), and refuses an incomplete set.
func TestPredictShardsMerge(t *testing.T) {
	ckpt, dir, paths := servedImages(t)
	manifest := filepath.Join(dir, "list.txt")
	var rel []string
	for _, p := range paths {
		rel = append(rel, filepath.Base(p))
	}
	os.WriteFile(manifest, []byte("# images\n"+strings.Join(rel, "\n")+"\n\n"), 0o644)
	full, stderr, err := mambaad(t, "predict", "--checkpoint", ckpt, "--no-images", "--batch-size", "1", "--manifest", manifest)
	if err != nil {
		t.Fatalf("predict: %v\n%s", err, stderr)
	}
	res := filepath.Join(t.TempDir(), "results")
	for i := range 3 {
		if _, stderr, err := mambaad(t, "predict", "--checkpoint", ckpt, "--no-images", "--batch-size", "1", "--manifest", manifest, "--shard", fmt.Sprintf("%d/3", i), "--out", res); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, stderr)
		}
	}
	one := filepath.Join(res, "shard-00001-of-00003.jsonl")
	before, _ := os.ReadFile(one)
	mambaad(t, "predict", "--checkpoint", ckpt, "--no-images", "--batch-size", "1", "--manifest", manifest, "--shard", "1/3", "--out", res)
	if after, _ := os.ReadFile(one); !bytes.Equal(before, after) || len(before) == 0 {
		t.Error("rerunning shard 1 changed its file")
	}
	merged, stderr, err := mambaad(t, "merge", res, "--format", "jsonl")
	if err != nil {
		t.Fatalf("merge: %v\n%s", err, stderr)
	}
	wantLines := strings.Split(strings.TrimSpace(full), "\n")
	sort.Strings(wantLines)
	if got := strings.Split(strings.TrimSpace(merged), "\n"); strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("merged shards differ from one run:\n%s\nwant\n%s", merged, strings.Join(wantLines, "\n"))
	}
	table := filepath.Join(t.TempDir(), "scores.csv")
	if _, stderr, err := mambaad(t, "merge", res, "--out", table); err != nil || !strings.Contains(stderr, "7 images") {
		t.Fatalf("merge csv: %v %s", err, stderr)
	}
	csvText, _ := os.ReadFile(table)
	if lines := strings.Split(strings.TrimSpace(string(csvText)), "\n"); len(lines) != 8 || !strings.HasPrefix(lines[0], "path,class,class_confidence,score,threshold") {
		t.Errorf("table:\n%s", csvText)
	}
	os.Remove(filepath.Join(res, "shard-00002-of-00003.jsonl"))
	_, _, err = mambaad(t, "merge", res)
	var ee *exitError
	if !errors.As(err, &ee) || !strings.Contains(ee.msg, "missing: 2") {
		t.Errorf("merge of an incomplete set: %v", err)
	}
	if _, _, err := mambaad(t, "predict", "--checkpoint", ckpt, "--no-images", "--shard", "3/3", "--out", res, dir); err == nil {
		t.Error("--shard 3/3 accepted")
	}
}

// TestBenchServe runs `mambaad bench serve` briefly (one second a phase)
// against a small checkpoint: the three phases of the targets plan are
// measured and printed with the server's memory, and every answer is 200
// or 429.
func TestBenchServe(t *testing.T) {
	ckpt, _, _ := servedImages(t)
	out, stderr, err := mambaad(t, "bench", "serve", "--checkpoint", ckpt, "--image-size", "64", "--duration", "1s",
		"--overload-duration", "1s", "--clients", "4", "--serve-arg=--queue=8", "--json")
	if err != nil {
		t.Fatalf("bench serve: %v\n%s", err, stderr)
	}
	var r struct {
		Phases []serve.LoadReport `json:"phases"`
		Idle   float64            `json:"idle_rss_mib"`
		Peak   float64            `json:"peak_rss_mib"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Phases) != 3 || r.Idle <= 0 || r.Peak < r.Idle {
		t.Fatalf("bench serve output %q: %v", out, err)
	}
	for _, p := range r.Phases {
		if p.OK == 0 || p.OK+p.Status429 != p.Sent || p.Other5xx+p.Status503+p.Errors != 0 {
			t.Errorf("phase %+v", p)
		}
	}
}
