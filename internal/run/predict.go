package run

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/internal/atomicfile"
	"github.com/mambaad/mambaad/kernels/gemm"
)

// PredictOptions is `mambaad predict`: score images, one JSON line each.
type PredictOptions struct {
	Checkpoint string
	Inputs     []string // files, directories, glob patterns
	Out        string   // heat maps and masks; "" with NoImages
	NoImages   bool
	// Class is the product class of every input ("": infer each image's).
	Class string
	// Threshold overrides the checkpoint's when HasThreshold.
	Threshold    float64
	HasThreshold bool
	BatchSize    int
	// Manifest is a file listing inputs, one a line (relative to the
	// manifest's folder unless absolute; blank lines and # comments
	// skipped), scored with Inputs.
	Manifest string
	// Shard "I/N" scores only the inputs whose index in the sorted list is
	// I modulo N, and writes their lines atomically to
	// Out/shard-I-of-N.jsonl (heat maps under Out/shard-I-of-N/) instead
	// of stdout: a rerun rewrites the same file, a killed run leaves none.
	Shard string
	// Precision is fp32 (default) or bf16 (see model.SetPrecision).
	Precision      string
	Stdout, Stderr io.Writer

	shardIndex, shardCount int
	prec                   gemm.Precision
}

// Validate checks the options before anything is read.
func (o *PredictOptions) Validate() error {
	if o.Checkpoint == "" {
		return fmt.Errorf("give --checkpoint FILE")
	}
	if len(o.Inputs) == 0 && o.Manifest == "" {
		return fmt.Errorf("give the images to score (files, directories or glob patterns) or --manifest FILE")
	}
	if o.Shard != "" {
		i, n, err := ParseShard(o.Shard)
		if err != nil {
			return err
		}
		o.shardIndex, o.shardCount = i, n
		if o.Out == "" {
			return fmt.Errorf("--shard writes OUT/%s: give --out DIR", ShardFileName(i, n))
		}
	}
	if !o.NoImages && o.Out == "" {
		return fmt.Errorf("give --out DIR for the heat maps and masks (or --no-images)")
	}
	var err error
	if o.prec, err = ParsePrecision(o.Precision); err != nil {
		return err
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 8
	}
	defaultWriters(&o.Stdout, &o.Stderr)
	return nil
}

// Run scores the inputs. Unreadable images give an error line each and make
// Run fail after the others are done.
func (o *PredictOptions) Run(ctx context.Context) error {
	inputs := o.Inputs
	if o.Manifest != "" {
		listed, err := ReadManifest(o.Manifest)
		if err != nil {
			return err
		}
		inputs = append(slices.Clone(inputs), listed...)
	}
	paths, err := predict.ExpandInputs(inputs)
	if err != nil {
		return err
	}
	total := len(paths)
	if o.Shard != "" {
		paths = ShardOf(paths, o.shardIndex, o.shardCount)
	}
	d, err := detector.Load(o.Checkpoint)
	if err != nil {
		return err
	}
	if err := d.CheckClass(o.Class); err != nil {
		return err
	}
	if err := setPrecision(d.Model, o.prec, o.Stderr); err != nil {
		return err
	}
	po := predict.Options{Class: o.Class, BatchSize: o.BatchSize}
	if o.HasThreshold {
		po.Threshold = &o.Threshold
	} else if d.Meta.Thresholds.Empty() {
		fmt.Fprintln(o.Stderr, "note: no threshold (give --threshold or run mambaad calibrate): printing scores only")
	}
	if o.Out != "" {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return err
		}
	}
	if !o.NoImages {
		po.OutDir = o.Out
		if o.Shard != "" {
			po.OutDir = filepath.Join(o.Out, strings.TrimSuffix(ShardFileName(o.shardIndex, o.shardCount), ".jsonl"))
			if err := os.MkdirAll(po.OutDir, 0o755); err != nil {
				return err
			}
		}
	}
	var failed int
	if o.Shard == "" {
		enc := json.NewEncoder(o.Stdout)
		if failed, err = predict.Run(ctx, d, paths, po, func(r predict.Result) { enc.Encode(r) }); err != nil {
			return err
		}
	} else {
		sum, err := modelio.FileSHA256(o.Checkpoint)
		if err != nil {
			return err
		}
		file := filepath.Join(o.Out, ShardFileName(o.shardIndex, o.shardCount))
		err = atomicfile.Write(file, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			h := ShardHeader{Index: o.shardIndex, Count: o.shardCount, Images: len(paths), Total: total, Checkpoint: o.Checkpoint, CheckpointSHA256: sum}
			if err := enc.Encode(map[string]ShardHeader{"shard": h}); err != nil {
				return err
			}
			if len(paths) == 0 { // more shards than images
				return nil
			}
			var err error
			failed, err = predict.Run(ctx, d, paths, po, func(r predict.Result) { enc.Encode(r) })
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(o.Stderr, "shard %d/%d: %d of %d images → %s\n", o.shardIndex, o.shardCount, len(paths), total, file)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images could not be read (see the error lines)", failed, len(paths))
	}
	return nil
}

// ParseShard reads "I/N": shard I (from 0) of N.
func ParseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: want I/N with 0 ≤ I < N (e.g. $JOB_COMPLETION_INDEX/10)", s)
	}
	return i, n, nil
}

// ShardFileName is the result file of shard i of n.
func ShardFileName(i, n int) string { return fmt.Sprintf("shard-%05d-of-%05d.jsonl", i, n) }

// ShardOf returns the paths of shard i of n: those whose index in the
// sorted list is i modulo n.
func ShardOf(paths []string, i, n int) []string {
	var out []string
	for k := i; k < len(paths); k += n {
		out = append(out, paths[k])
	}
	return out
}

// ShardHeader is the first line of a shard file, {"shard": {...}}: which
// shard it is and of what run, so that merge can check the set.
type ShardHeader struct {
	Index            int    `json:"index"`
	Count            int    `json:"count"`
	Images           int    `json:"images"`
	Total            int    `json:"total"`
	Checkpoint       string `json:"checkpoint"`
	CheckpointSHA256 string `json:"checkpoint_sha256"`
}

// ReadManifest reads a list of image paths, one a line; relative paths
// are relative to the manifest's folder; blank lines and lines starting
// with # are skipped.
func ReadManifest(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--manifest: %w", err)
	}
	dir := filepath.Dir(path)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(dir, line)
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--manifest %s lists no image", path)
	}
	return out, nil
}
