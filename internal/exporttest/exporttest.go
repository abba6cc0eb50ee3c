// Package exporttest runs exported models in real runtimes for the tests:
// ONNX Runtime through Node (tools/ort/run.js with the npm package
// onnxruntime-node), and Python scripts that use Debian's python3-onnx and
// python3-torch. A runtime that is not installed skips the test with a
// message saying how to install it, unless MAMBAAD_REQUIRE_EXPORT_RUNTIMES=1
// (set by CI), which makes it a failure.
package exporttest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/format/safetensors"
)

// EnvRequire makes a missing runtime a test failure instead of a skip.
const EnvRequire = "MAMBAAD_REQUIRE_EXPORT_RUNTIMES"

// EnvORTDir names the folder where `npm install onnxruntime-node` was run.
const EnvORTDir = "MAMBAAD_ORT_DIR"

// ORTVersion is the onnxruntime-node release the tests and CI install.
const ORTVersion = "1.30.0"

// missing skips t, or fails it when runtimes are required.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s (%s=1 requires it)", msg, EnvRequire)
	}
	t.Skip(msg)
}

// RepoRoot is the module's root folder (the one holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("exporttest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// ORT runs ONNX models in ONNX Runtime's CPU provider.
type ORT struct {
	node, dir, script string
}

// NeedORT finds node and onnxruntime-node (in $MAMBAAD_ORT_DIR), or skips.
func NeedORT(t testing.TB) *ORT {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "ONNX Runtime tests need node (apt-get install nodejs npm)")
	}
	dir := os.Getenv(EnvORTDir)
	if dir == "" {
		missing(t, "ONNX Runtime tests need %s: a folder where `npm install --ignore-scripts onnxruntime-node@%s` was run (tools/ort/install.sh DIR does it)", EnvORTDir, ORTVersion)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "onnxruntime-node", "package.json")); err != nil {
		missing(t, "%s=%s holds no node_modules/onnxruntime-node (run tools/ort/install.sh %s)", EnvORTDir, dir, dir)
	}
	return &ORT{node: node, dir: dir, script: filepath.Join(RepoRoot(t), "tools", "ort", "run.js")}
}

// Result is one ORT run: every output by name, its shape, and the
// script's report.
type Result struct {
	Out    map[string][]float32
	Shapes map[string][]int
	Report map[string]any
}

// Run feeds n normalised images (n, 3, size, size) to the model and returns
// its outputs. extra flags go to run.js (e.g. "--threads", "2").
func (o *ORT) Run(t testing.TB, model string, images []float32, n, size int, extra ...string) Result {
	t.Helper()
	return o.RunShape(t, model, images, []int{n, 3, size, size}, extra...)
}

// RunShape feeds a tensor of any shape to a one-input model.
func (o *ORT) RunShape(t testing.TB, model string, x []float32, shape []int, extra ...string) Result {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "input.f32")
	if err := os.WriteFile(in, F32Bytes(x), 0o644); err != nil {
		t.Fatal(err)
	}
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	args := append([]string{o.script, "--model", model, "--input", in, "--shape", strings.Join(dims, ","), "--out", dir}, extra...)
	cmd := exec.Command(o.node, args...)
	cmd.Env = append(os.Environ(), EnvORTDir+"="+o.dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ONNX Runtime on %s: %v\n%s", model, err, stderr.String())
	}
	var rep struct {
		Shapes map[string][]int `json:"shapes"`
	}
	res := Result{Out: map[string][]float32{}}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("run.js output %q: %v", stdout.String(), err)
	}
	json.Unmarshal(stdout.Bytes(), &res.Report)
	res.Shapes = rep.Shapes
	for name := range rep.Shapes {
		b, err := os.ReadFile(filepath.Join(dir, name+".f32"))
		if err != nil {
			t.Fatal(err)
		}
		res.Out[name] = F32s(b)
	}
	return res
}

// NeedPython finds a python3 with the given module importable, or skips
// (naming the Debian package to install). It tries $MAMBAAD_PYTHON, then
// Debian's /usr/bin/python3 (where python3-onnx and python3-torch
// install), then python3 on PATH.
func NeedPython(t testing.TB, module, debPackage string) string {
	t.Helper()
	var tried []string
	for _, py := range []string{os.Getenv("MAMBAAD_PYTHON"), "/usr/bin/python3", "python3"} {
		if py == "" {
			continue
		}
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "-c", "import "+module).CombinedOutput()
		if err == nil {
			return path
		}
		tried = append(tried, path+": "+lastLine(string(out)))
	}
	missing(t, "this test needs python3 with the module %s (apt-get install %s); tried %s", module, debPackage, strings.Join(tried, "; "))
	return ""
}

// Python runs a script from tools/export with arguments; its combined
// output is returned, and a non-zero exit fails the test.
func Python(t testing.TB, py, script string, args ...string) string {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "tools", "export", script)
	out, err := exec.Command(py, append([]string{path}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python3 %s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// F32Bytes encodes float32 values little-endian.
func F32Bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// F32s decodes little-endian float32 values.
func F32s(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// Parity measures how far got is from want: the largest element-wise
// relative error |g − w| / |w| (over elements with |w| ≥ floor·max|w|, so
// that values at the level of rounding noise do not dominate), and the
// largest absolute error relative to the largest |w|.
type Parity struct {
	MaxRel, MaxAbsOverMax float64
	At                    int // index of MaxRel
}

// Compare computes the Parity of got against want.
func Compare(got, want []float32, floor float64) Parity {
	var peak float64
	for _, w := range want {
		peak = max(peak, math.Abs(float64(w)))
	}
	var p Parity
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(d) {
			return Parity{MaxRel: math.Inf(1), MaxAbsOverMax: math.Inf(1), At: i}
		}
		if peak > 0 {
			p.MaxAbsOverMax = max(p.MaxAbsOverMax, d/peak)
		}
		if w := math.Abs(float64(want[i])); w >= floor*peak && w > 0 {
			if r := d / w; r > p.MaxRel {
				p.MaxRel, p.At = r, i
			}
		}
	}
	return p
}

// WriteStateDictExpectation writes what tools/export/check_pth.py compares
// a state_dict loaded by PyTorch with: a JSON manifest of [name, dtype,
// shape, byte offset] per tensor and the values little-endian in a blob.
func WriteStateDictExpectation(t testing.TB, dir string, ts []safetensors.Tensor) (manifest, blob string) {
	t.Helper()
	var raw []byte
	var rows [][]any
	for i := range ts {
		dt := "float32"
		if ts[i].I64 != nil {
			dt = "int64"
		}
		shape := ts[i].Shape
		if shape == nil {
			shape = []int{}
		}
		rows = append(rows, []any{ts[i].Name, dt, shape, len(raw)})
		if ts[i].I64 != nil {
			for _, v := range ts[i].I64 {
				raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
			}
		} else {
			raw = append(raw, F32Bytes(ts[i].F32)...)
		}
	}
	js, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	manifest, blob = filepath.Join(dir, "expect.json"), filepath.Join(dir, "expect.bin")
	if err := os.WriteFile(manifest, js, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return manifest, blob
}
