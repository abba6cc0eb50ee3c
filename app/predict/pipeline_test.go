package predict

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/imageio"
	"github.com/mambaad/mambaad/model"
)

func smallDetector(t *testing.T) *detector.Detector {
	t.Helper()
	m, err := model.New(model.Config{Backbone: "resnet18", ImageSize: 64, Depths: []int{2, 2, 2, 2}, Scan: "hilbert",
		Directions: 2, DState: 4, FusionBlocks: 1})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(1)
	m.Enc.InitRandom(1)
	return detector.FromModel(m)
}

// pipelineInputs writes n inputs of assorted sizes, PNG and JPEG, into a
// fresh folder, with unreadable files at the positions in broken, and
// returns their sorted paths.
func pipelineInputs(t *testing.T, n int, broken ...int) []string {
	t.Helper()
	dir := t.TempDir()
	bad := map[int]bool{}
	for _, i := range broken {
		bad[i] = true
	}
	for i := range n {
		name := filepath.Join(dir, "img"+string(rune('a'+i/26))+string(rune('a'+i%26)))
		switch {
		case bad[i]:
			os.WriteFile(name+".png", []byte("not a png"), 0o644)
		case i%2 == 0:
			writePNG(t, name+".png", picture(40+23*i, 150-7*i))
		default:
			f, err := os.Create(name + ".jpg")
			if err != nil {
				t.Fatal(err)
			}
			if err := jpeg.Encode(f, picture(200-9*i, 60+11*i), &jpeg.Options{Quality: 90}); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	paths, err := ExpandInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != n {
		t.Fatalf("%d inputs, want %d", len(paths), n)
	}
	return paths
}

// sequentialRun is Run as a plain loop, one stage after the other (the
// implementation before the pipeline, with each unreadable file's line in
// its input position): the reference the pipeline must reproduce.
func sequentialRun(d *detector.Detector, paths []string, o Options) []Result {
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	o.Crop = d.Model.Cfg.ImageSize
	o.Size = o.Crop
	names := outputNames(paths)
	var out []Result
	for next := 0; next < len(paths); {
		var ok []int
		var pics []image.Image
		var imgs []float32
		var errs []Result
		for pixels := 0; next < len(paths) && len(ok) < o.BatchSize && pixels < batchPixels; next++ {
			pic, err := imageio.DecodeFile(paths[next])
			if err != nil {
				errs = append(errs, Result{Path: paths[next], Error: err.Error()})
				continue
			}
			ok = append(ok, next)
			imgs = append(imgs, data.ImageTensor(pic, o.Size, o.Crop)...)
			if o.OutDir != "" {
				pics = append(pics, pic)
				pixels += pic.Bounds().Dx() * pic.Bounds().Dy()
			}
		}
		var rs []Result
		if len(ok) > 0 {
			p := d.Predict(imgs, len(ok))
			for j, i := range ok {
				dec := d.Decide(p.Scores[j], o.Class, nil, o.Threshold)
				r := Result{Path: paths[i], Decision: &dec}
				if o.OutDir != "" {
					if err := WriteImages(&r, names[i], pics[j], p.Map(j), o); err != nil {
						panic(err)
					}
				}
				rs = append(rs, r)
			}
		}
		// Merge back into input order.
		for len(rs) > 0 || len(errs) > 0 {
			if len(errs) == 0 || (len(rs) > 0 && rs[0].Path < errs[0].Path) {
				out, rs = append(out, rs[0]), rs[1:]
			} else {
				out, errs = append(out, errs[0]), errs[1:]
			}
		}
	}
	return out
}

func jsonLines(t *testing.T, rs []Result, outDir string) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, r := range rs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return strings.ReplaceAll(b.String(), outDir, "OUT")
}

// TestRunPipelineMatchesSequential: the pipelined Run gives the same JSON
// lines, in input order, and the same heat-map and mask files, byte for
// byte, as a sequential loop, for several batch sizes (batches that end on
// an unreadable file, a last batch of errors only).
func TestRunPipelineMatchesSequential(t *testing.T) {
	d := smallDetector(t)
	paths := pipelineInputs(t, 11, 4, 10)
	for _, bs := range []int{1, 3, 8} {
		seqDir, pipeDir := t.TempDir(), t.TempDir()
		th := 0.05
		want := sequentialRun(d, paths, Options{Threshold: &th, OutDir: seqDir, BatchSize: bs})
		var got []Result
		failed, err := Run(context.Background(), d, paths, Options{Threshold: &th, OutDir: pipeDir, BatchSize: bs},
			func(r Result) { got = append(got, r) })
		if err != nil || failed != 2 {
			t.Fatalf("batch %d: Run: %v, %d failed", bs, err, failed)
		}
		if g, w := jsonLines(t, got, pipeDir), jsonLines(t, want, seqDir); g != w {
			t.Fatalf("batch %d: JSON lines differ:\n%s\nwant\n%s", bs, g, w)
		}
		files, _ := os.ReadDir(seqDir)
		if len(files) != 2*9 {
			t.Fatalf("batch %d: %d files written, want 18", bs, len(files))
		}
		for _, f := range files {
			a, _ := os.ReadFile(filepath.Join(seqDir, f.Name()))
			b, err := os.ReadFile(filepath.Join(pipeDir, f.Name()))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("batch %d: %s differs from the sequential run's (%v)", bs, f.Name(), err)
			}
		}
		if files2, _ := os.ReadDir(pipeDir); len(files2) != len(files) {
			t.Errorf("batch %d: %d files, sequential %d", bs, len(files2), len(files))
		}
	}
}

// TestRunUnreadableInOrder: an unreadable file in the middle gives exactly
// one error line, in its own place among the others, with and without
// heat maps.
func TestRunUnreadableInOrder(t *testing.T) {
	d := smallDetector(t)
	paths := pipelineInputs(t, 7, 3)
	for _, out := range []string{"", t.TempDir()} {
		var got []Result
		failed, err := Run(context.Background(), d, paths, Options{OutDir: out, BatchSize: 2}, func(r Result) { got = append(got, r) })
		if err != nil || failed != 1 || len(got) != len(paths) {
			t.Fatalf("out %q: Run: %v, %d failed, %d results", out, err, failed, len(got))
		}
		for i, r := range got {
			if r.Path != paths[i] {
				t.Errorf("out %q: line %d is %s, want %s", out, i, r.Path, paths[i])
			}
			if bad := i == 3; bad != (r.Error != "") || bad == (r.Decision != nil) {
				t.Errorf("out %q: line %d: %+v", out, i, r)
			}
		}
		if !strings.Contains(got[3].Error, paths[3]) || strings.Contains(got[3].Error, "\n") {
			t.Errorf("error line %q should name the file, on one line", got[3].Error)
		}
	}
}

// TestRunCancelStops: cancelling the context mid-run stops every stage:
// Run returns the context's error, emits nothing more, leaves no
// temporary (half-written) file, and no goroutine behind.
func TestRunCancelStops(t *testing.T) {
	d := smallDetector(t)
	paths := pipelineInputs(t, 24)
	base := runtime.NumGoroutine()
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	_, err := Run(ctx, d, paths, Options{OutDir: out, BatchSize: 2}, func(r Result) {
		n++
		if n == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v", err)
	}
	if n < 3 || n >= len(paths) {
		t.Errorf("%d results emitted after cancelling at the 3rd of %d", n, len(paths))
	}
	files, _ := os.ReadDir(out)
	for _, f := range files {
		if strings.Contains(f.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", f.Name())
		}
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > base; {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left running (%d before):\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
