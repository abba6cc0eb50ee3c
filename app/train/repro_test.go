package train

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/model"
)

// The reproducibility tests: the same seed, data and thread count must give
// bit-identical training (weights, BatchNorm statistics, optimiser moments,
// losses, gradient norms and the drop-path random state); the kernels fix
// every reduction order by the problem size alone, so the thread count must
// not matter either.

// reproOptions trains with batches of 4 (so that every batch-level
// reduction has several images to combine) and drop-path on (the tiny
// model's default rate, 0.2).
func reproOptions() Options {
	o := DefaultOptions()
	o.Epochs, o.BatchSize, o.Seed, o.LR = 2, 4, 11, 1e-3
	return o
}

const reproImages = 8 // two steps per epoch

// snapshot is everything a training run leaves behind that must repeat.
type snapshot struct {
	features [3][]float32 // the encoder's features of the training images
	params   map[string][]float32
	moments  map[string][2][]float32
	losses   []float64
	norms    []float64
	rng      []byte
}

func takeSnapshot(t *testing.T, tr *Trainer, c *FeatureCache, losses, norms []float64) snapshot {
	t.Helper()
	s := snapshot{features: c.level, params: map[string][]float32{}, moments: map[string][2][]float32{},
		losses: losses, norms: norms}
	for _, p := range tr.Model.Trainable() {
		s.params[p.Name] = slices.Clone(p.W)
	}
	for i, p := range tr.Optimizer.Params() {
		m, v := tr.Optimizer.Moments(i)
		s.moments[p.Name] = [2][]float32{slices.Clone(m), slices.Clone(v)}
	}
	rng, err := tr.src.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s.rng = rng
	return s
}

// trainTiny trains a fresh tiny model on reproImages random images. stop,
// when positive, interrupts the run after that many steps.
func trainTiny(t *testing.T, stop int) (*Trainer, *FeatureCache, []float64, []float64, error) {
	t.Helper()
	m := tinyModel(t)
	c := tinyCache(m, reproImages)
	tr, err := NewTrainer(m, reproOptions(), ItersPerEpoch(c.N, reproOptions().BatchSize))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var losses, norms []float64
	h := Hooks{Step: func(st StepStats, _ int) {
		losses, norms = append(losses, st.Loss), append(norms, st.GradNorm)
		if len(losses) == stop {
			cancel()
		}
	}}
	err = tr.RunCached(ctx, c, h)
	return tr, c, losses, norms, err
}

func (s snapshot) compare(t *testing.T, what string, o snapshot) {
	t.Helper()
	for i := range s.features {
		if !bitsEqual(s.features[i], o.features[i]) {
			t.Errorf("%s: encoder features of level %d differ", what, i)
		}
	}
	if !slices.Equal(f64bits(s.losses), f64bits(o.losses)) {
		t.Errorf("%s: losses differ:\n%v\n%v", what, s.losses, o.losses)
	}
	if !slices.Equal(f64bits(s.norms), f64bits(o.norms)) {
		t.Errorf("%s: gradient norms differ:\n%v\n%v", what, s.norms, o.norms)
	}
	if !slices.Equal(s.rng, o.rng) {
		t.Errorf("%s: drop-path random states differ", what)
	}
	bad := 0
	for name, w := range s.params {
		if !bitsEqual(w, o.params[name]) {
			if bad++; bad <= 5 {
				t.Errorf("%s: %s differs (max |Δ| %g)", what, name, maxDiff(w, o.params[name]))
			}
		}
	}
	for name, mv := range s.moments {
		for k, kind := range []string{"first", "second"} {
			if !bitsEqual(mv[k], o.moments[name][k]) {
				if bad++; bad <= 5 {
					t.Errorf("%s: %s moment of %s differs", what, kind, name)
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d tensors differ in all", what, bad)
	}
}

// digest is a SHA-256 over the snapshot, in a fixed order, for comparing
// runs in different processes.
func (s snapshot) digest() string {
	h := sha256.New()
	put := func(v any) { binary.Write(h, binary.LittleEndian, v) }
	for _, f := range s.features {
		put(f)
	}
	names := make([]string, 0, len(s.params))
	for n := range s.params {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		h.Write([]byte(n))
		put(s.params[n])
		if mv, ok := s.moments[n]; ok {
			put(mv[0])
			put(mv[1])
		}
	}
	put(s.losses)
	put(s.norms)
	h.Write(s.rng)
	return hex.EncodeToString(h.Sum(nil))
}

// TestTrainingIsReproducible trains the same tiny run twice in one process
// and requires identical results, bit for bit.
func TestTrainingIsReproducible(t *testing.T) {
	var runs []snapshot
	for range 2 {
		tr, c, losses, norms, err := trainTiny(t, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(losses) != reproOptions().Epochs*reproImages/reproOptions().BatchSize {
			t.Fatalf("%d steps", len(losses))
		}
		runs = append(runs, takeSnapshot(t, tr, c, losses, norms))
	}
	runs[0].compare(t, "second run", runs[1])
}

// TestResumeMidEpochIsExact interrupts a run in the middle of an epoch,
// saves it, resumes it in a fresh trainer from the file and requires the
// same final state as an uninterrupted run.
func TestResumeMidEpochIsExact(t *testing.T) {
	tr, c, losses, norms, err := trainTiny(t, 0)
	if err != nil {
		t.Fatal(err)
	}
	straight := takeSnapshot(t, tr, c, losses, norms)

	tr, c, losses, norms, err = trainTiny(t, 3) // epoch 2, step 1 of 2
	if err != context.Canceled {
		t.Fatalf("interrupted run ended with %v", err)
	}
	if tr.Epoch != 1 || tr.StepInEpoch != 1 {
		t.Fatalf("interrupted at epoch %d step %d, want 1, 1", tr.Epoch, tr.StepInEpoch)
	}
	path := filepath.Join(t.TempDir(), "last.ckpt")
	if err := tr.Save(path, modelio.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	resumed, _, err := Resume(path)
	if err != nil {
		t.Fatal(err)
	}
	err = resumed.RunCached(context.Background(), c, Hooks{Step: func(st StepStats, _ int) {
		losses, norms = append(losses, st.Loss), append(norms, st.GradNorm)
	}})
	if err != nil {
		t.Fatal(err)
	}
	straight.compare(t, "resumed run", takeSnapshot(t, resumed, c, losses, norms))
}

// TestTrainingIsThreadCountIndependent runs the same training in child
// processes with GOMAXPROCS 1, 2 and 3 (the worker pool is sized once per
// process) and requires identical digests.
func TestTrainingIsThreadCountIndependent(t *testing.T) {
	if out := os.Getenv("MAMBAAD_REPRO_DIGEST"); out != "" {
		tr, c, losses, norms, err := trainTiny(t, 0)
		if err != nil {
			t.Fatal(err)
		}
		d := takeSnapshot(t, tr, c, losses, norms).digest()
		if err := os.WriteFile(out, []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if testing.Short() {
		t.Skip("trains a tiny model in three processes")
	}
	dir := t.TempDir()
	var first string
	for _, procs := range []int{1, 2, 3} {
		out := filepath.Join(dir, fmt.Sprint(procs))
		cmd := exec.Command(os.Args[0], "-test.run=^TestTrainingIsThreadCountIndependent$", "-test.count=1")
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs), "MAMBAAD_REPRO_DIGEST="+out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("GOMAXPROCS=%d: %v\n%s", procs, err, b)
		}
		d, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case procs == 1:
			first = string(d)
		case string(d) != first:
			t.Errorf("GOMAXPROCS=%d gives digest %s, GOMAXPROCS=1 gave %s", procs, d, first)
		}
	}
	_ = runtime.GOMAXPROCS(0)
}

func bitsEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func f64bits(x []float64) []uint64 {
	out := make([]uint64, len(x))
	for i, v := range x {
		out[i] = math.Float64bits(v)
	}
	return out
}

func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// Make sure the tiny model really has drop-path on, so the tests cover its
// random draws.
func init() {
	if model.DefaultConfig().DropPath == 0 {
		panic("repro tests expect drop-path on in the default configuration")
	}
}
