// Command onnxbench measures ONNX Runtime (CPU) on a model exported by
// `mambaad export` against mambaad's own inference (detector.Predict, the
// path of predict/test/serve) on the same checkpoint, the same images and
// the same thread count, and prints a Markdown table. Run it through
// bench/onnx_vs_mambaad.sh, which installs ONNX Runtime for Node first.
//
//	go run ./bench/onnxbench [--checkpoint model.ckpt] [--threads 2] [--batches 1,8] [--repeat 5]
//
// Without --checkpoint it builds the reference configuration (ResNet34,
// 256², depths 3 4 6 3, Hilbert scan, 8 directions, d_state 16) with
// random weights (--backbone, --size, --scan, --directions change it):
// speed does not depend on the weights. Both sides get one warm-up run per
// batch size, then --repeat timed runs; the median is reported. The two are
// measured one after the other, never at the same time.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/internal/run"
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/model"
)

func main() {
	ckpt := flag.String("checkpoint", "", "model checkpoint (default: a random-weight model of the configuration below)")
	threads := flag.Int("threads", runtime.NumCPU(), "threads for both runtimes (GOMAXPROCS; ORT intra-op threads)")
	batches := flag.String("batches", "1,8", "batch sizes")
	repeat := flag.Int("repeat", 5, "timed runs per batch size (after one warm-up)")
	backbone := flag.String("backbone", "resnet34", "encoder of the random model")
	size := flag.Int("size", 256, "image side of the random model")
	scan := flag.String("scan", "hilbert", "scan order of the random model")
	dirs := flag.Int("directions", 8, "scan directions of the random model")
	chunk := flag.Int("scan-chunk", 0, "ONNX export's --scan-chunk (0: one plain Scan)")
	ortDir := flag.String("ort-dir", os.Getenv("MAMBAAD_ORT_DIR"), "folder with node_modules/onnxruntime-node (tools/ort/install.sh)")
	keep := flag.String("onnx", "", "also keep the exported model here")
	flag.Parse()
	if err := benchmark(*ckpt, *threads, *batches, *repeat, *backbone, *size, *scan, *dirs, *chunk, *ortDir, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "onnxbench:", err)
		os.Exit(1)
	}
}

func benchmark(ckpt string, threads int, batchList string, repeat int, backbone string, size int, scan string, dirs, chunk int, ortDir, keep string) error {
	if ortDir == "" {
		return fmt.Errorf("give --ort-dir or MAMBAAD_ORT_DIR (run tools/ort/install.sh)")
	}
	runtime.GOMAXPROCS(threads)
	var bs []int
	for _, s := range strings.Split(batchList, ",") {
		b, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || b < 1 {
			return fmt.Errorf("bad batch size %q", s)
		}
		bs = append(bs, b)
	}
	tmp, err := os.MkdirTemp("", "onnxbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	what := ckpt
	if ckpt == "" {
		cfg := model.DefaultConfig()
		cfg.Backbone, cfg.ImageSize, cfg.Scan, cfg.Directions = backbone, size, scan, dirs
		m, err := model.New(cfg)
		if err != nil {
			return err
		}
		m.Init(1)
		m.Enc.InitRandom(1)
		ckpt = filepath.Join(tmp, "model.ckpt")
		if err := modelio.Save(ckpt, m, modelio.SaveOptions{}); err != nil {
			return err
		}
		what = fmt.Sprintf("random-weight %s %d² (%s, K=%d, depths %v)", backbone, size, scan, dirs, cfg.Depths)
	}
	d, err := detector.Load(ckpt)
	if err != nil {
		return err
	}
	S := d.Model.Cfg.ImageSize
	onnxPath := keep
	if onnxPath == "" {
		onnxPath = filepath.Join(tmp, "model.onnx")
	}
	exp := run.ExportOptions{Checkpoint: ckpt, Out: onnxPath, ScanChunk: chunk, Version: "onnxbench", Stdout: os.Stderr, Stderr: os.Stderr}
	if err := exp.Validate(); err != nil {
		return err
	}
	t0 := time.Now()
	if err := exp.Run(context.Background()); err != nil {
		return err
	}
	exportTime := time.Since(t0)

	type row struct {
		batch            int
		mambaad, ortMs   float64
		mambaadS, ortS   float64
		maxRel, scoreRel float64
	}
	var rows []row
	script := filepath.Join(repoRoot(), "tools", "ort", "run.js")
	for _, b := range bs {
		x := images(b, S)
		// mambaad: warm-up, then the median of repeat runs.
		p := d.Predict(x, b)
		var ts []float64
		for range repeat {
			s := time.Now()
			p = d.Predict(x, b)
			ts = append(ts, float64(time.Since(s).Microseconds())/1e3)
		}
		mMs := median(ts)
		// ONNX Runtime, same images, same threads.
		in := filepath.Join(tmp, "in.f32")
		if err := os.WriteFile(in, f32bytes(x), 0o644); err != nil {
			return err
		}
		outDir := filepath.Join(tmp, fmt.Sprint("out", b))
		os.MkdirAll(outDir, 0o755)
		cmd := exec.Command("node", script, "--model", onnxPath, "--input", in, "--batch", fmt.Sprint(b), "--size", fmt.Sprint(S),
			"--threads", fmt.Sprint(threads), "--warmup", "1", "--repeat", fmt.Sprint(repeat), "--out", outDir)
		cmd.Env = append(os.Environ(), "MAMBAAD_ORT_DIR="+ortDir)
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("ONNX Runtime: %v\n%s", err, se.String())
		}
		var rep struct {
			Median float64 `json:"median_ms"`
		}
		if err := json.Unmarshal(so.Bytes(), &rep); err != nil {
			return fmt.Errorf("run.js: %v: %s", err, so.String())
		}
		gotMap, _ := os.ReadFile(filepath.Join(outDir, "anomaly_map.f32"))
		gotScore, _ := os.ReadFile(filepath.Join(outDir, "pred_score.f32"))
		r := row{batch: b, mambaad: mMs, ortMs: rep.Median, mambaadS: 1000 * float64(b) / mMs, ortS: 1000 * float64(b) / rep.Median}
		r.maxRel = maxRel(floats(gotMap), p.Maps)
		for i, s := range floats(gotScore) {
			r.scoreRel = max(r.scoreRel, math.Abs(float64(s)-p.Scores[i])/p.Scores[i])
		}
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "batch %d: mambaad %.0f ms, ORT %.0f ms\n", b, mMs, rep.Median)
	}
	fi, _ := os.Stat(onnxPath)
	fmt.Printf("ONNX Runtime %s (CPU, onnxruntime-node, graph optimisation \"all\", intra-op threads %d) vs mambaad (%s, GOMAXPROCS %d), %s; export %.1f s, %.1f MB; median of %d runs after a warm-up.\n\n",
		ortVersion(ortDir), threads, isa.Best(), threads, what, exportTime.Seconds(), float64(fi.Size())/1e6, repeat)
	fmt.Println("| batch | mambaad ms/batch | mambaad img/s | ORT ms/batch | ORT img/s | mambaad / ORT | map max rel diff | score max rel diff |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %d | %.0f | %.2f | %.0f | %.2f | %.2f× | %.1e | %.1e |\n", r.batch, r.mambaad, r.mambaadS, r.ortMs, r.ortS, r.mambaadS/r.ortS, r.maxRel, r.scoreRel)
	}
	return nil
}

func images(n, s int) []float32 {
	x := make([]float32, n*3*s*s)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.37)) * 1.5
	}
	return x
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		u := math.Float32bits(x)
		b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	}
	return b
}

func floats(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
	}
	return v
}

func maxRel(got, want []float32) float64 {
	var peak, m float64
	for _, w := range want {
		peak = max(peak, math.Abs(float64(w)))
	}
	if len(got) != len(want) {
		return math.Inf(1)
	}
	for i := range want {
		if w := math.Abs(float64(want[i])); w >= 1e-3*peak && w > 0 {
			m = max(m, math.Abs(float64(got[i])-float64(want[i]))/w)
		}
	}
	return m
}

func ortVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "onnxruntime-node", "package.json"))
	if err != nil {
		return "?"
	}
	var p struct{ Version string }
	json.Unmarshal(b, &p)
	return p.Version
}

// repoRoot is the module root (the folder holding go.mod) above the
// working directory.
func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
