package evaluate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/synth"
	"github.com/mambaad/mambaad/metrics"
	"github.com/mambaad/mambaad/model"
)

// tinyModel is the smallest network (64×64, ResNet18, depths 2 2 2 2) with
// seeded random weights.
func tinyModel(t *testing.T) *model.MambaAD {
	t.Helper()
	cfg := model.DefaultConfig()
	cfg.Backbone, cfg.ImageSize, cfg.Depths = "resnet18", 64, []int{2, 2, 2, 2}
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(7)
	m.Enc.InitRandom(7)
	return m
}

// tinyTestSet writes a two-class synthetic set and returns its test split.
func tinyTestSet(t *testing.T) (samples []data.Sample, root string) {
	t.Helper()
	dir := t.TempDir()
	if err := synth.Generate(dir, synth.Options{Size: 64, Train: 1, TestGood: 3, TestDefect: 4,
		Classes: []string{"fabric", "nut"}, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	ds, err := data.Open("auto", dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ds.Samples(data.Test, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// evalDigest evaluates m on samples (batches of 3, so one is partial) and
// returns a SHA-256 of everything the evaluation produced, with exact and
// with reference metrics: metrics, scores,
// kept maps and masks, curves (with the data folder root left out of the
// paths, so that processes with different temporary folders compare).
func evalDigest(t *testing.T, m *model.MambaAD, samples []data.Sample, root string) string {
	t.Helper()
	h := sha256.New()
	for _, mode := range []metrics.Mode{metrics.Exact, metrics.Reference} {
		res, err := Run(context.Background(), detector.FromModel(m), samples, Options{BatchSize: 3, Keep: 2, Workers: 2,
			Metrics: metrics.Options{Mode: mode}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Classes) != 2 || len(res.Classes[0].Kept) == 0 {
			t.Fatalf("%d classes, %d maps kept", len(res.Classes), len(res.Classes[0].Kept))
		}
		hashValue(h, reflect.ValueOf(res), root)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestEvaluationIsReproducible evaluates the same model twice and requires
// identical results, bit for bit.
func TestEvaluationIsReproducible(t *testing.T) {
	samples, root := tinyTestSet(t)
	m := tinyModel(t)
	a := evalDigest(t, m, samples, root)
	b := evalDigest(t, m, samples, root)
	c := evalDigest(t, tinyModel(t), samples, root)
	if a != b || a != c {
		t.Fatalf("evaluations differ: %s, %s (same model), %s (a second model)", a, b, c)
	}
}

// TestEvaluationIsThreadCountIndependent evaluates in child processes with
// GOMAXPROCS 1, 2 and 3 and requires identical digests.
func TestEvaluationIsThreadCountIndependent(t *testing.T) {
	if out := os.Getenv("MAMBAAD_REPRO_DIGEST"); out != "" {
		samples, root := tinyTestSet(t)
		d := evalDigest(t, tinyModel(t), samples, root)
		if err := os.WriteFile(out, []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if testing.Short() {
		t.Skip("evaluates in three processes")
	}
	dir := t.TempDir()
	var first string
	for _, procs := range []int{1, 2, 3} {
		out := filepath.Join(dir, fmt.Sprint(procs))
		cmd := exec.Command(os.Args[0], "-test.run=^TestEvaluationIsThreadCountIndependent$", "-test.count=1")
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
}

// hashValue feeds v into h: floats by their bits (so NaNs compare), pointers
// by what they point to, maps independently of their order, strings with
// root removed.
func hashValue(h hash.Hash, v reflect.Value, root string) {
	put := func(x any) { binary.Write(h, binary.LittleEndian, x) }
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			put(uint8(0))
			return
		}
		put(uint8(1))
		hashValue(h, v.Elem(), root)
	case reflect.Struct:
		for i := range v.NumField() {
			hashValue(h, v.Field(i), root)
		}
	case reflect.Slice, reflect.Array:
		put(int64(v.Len()))
		for i := range v.Len() {
			hashValue(h, v.Index(i), root)
		}
	case reflect.Map:
		keys := v.MapKeys()
		put(int64(len(keys)))
		// A map's order must not matter: hash each entry separately and
		// combine them commutatively.
		var sum [sha256.Size]byte
		for _, k := range keys {
			e := sha256.New()
			hashValue(e, k, root)
			hashValue(e, v.MapIndex(k), root)
			for i, b := range e.Sum(nil) {
				sum[i] ^= b
			}
		}
		h.Write(sum[:])
	case reflect.Float32:
		put(math.Float32bits(float32(v.Float())))
	case reflect.Float64:
		put(math.Float64bits(v.Float()))
	case reflect.String:
		str := strings.ReplaceAll(v.String(), root, "")
		put(int64(len(str)))
		h.Write([]byte(str))
	case reflect.Bool:
		put(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		put(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		put(v.Uint())
	case reflect.Func, reflect.Chan:
		// not part of a result
	default:
		panic("hashValue: unsupported kind " + v.Kind().String())
	}
}
