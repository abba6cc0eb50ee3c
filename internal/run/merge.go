package run

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/predict"
	"github.com/mambaad/mambaad/internal/atomicfile"
)

// MergeOptions is `mambaad merge`: join the shard files of `predict
// --shard` into one table.
type MergeOptions struct {
	Inputs []string // shard files or folders holding them
	Out    string   // "" for stdout
	Format string   // csv or jsonl ("" from Out's extension, else csv)
	// AllowMissing merges an incomplete set (with a note) instead of
	// failing.
	AllowMissing   bool
	Stdout, Stderr io.Writer
}

// Validate checks the options.
func (o *MergeOptions) Validate() error {
	defaultWriters(&o.Stdout, &o.Stderr)
	if len(o.Inputs) == 0 {
		return fmt.Errorf("give the shard files or the folder holding them")
	}
	if o.Format == "" {
		o.Format = "csv"
		if strings.HasSuffix(o.Out, ".jsonl") || strings.HasSuffix(o.Out, ".json") {
			o.Format = "jsonl"
		}
	}
	if o.Format != "csv" && o.Format != "jsonl" {
		return fmt.Errorf("--format %q: want csv or jsonl", o.Format)
	}
	return nil
}

// MergeColumns are the CSV table's columns: predict's JSON line fields.
var MergeColumns = []string{"path", "class", "class_confidence", "score", "threshold", "threshold_from", "normalized_score", "anomalous", "heatmap", "mask", "error"}

// Run reads every shard, checks that they are one complete set of the same
// run (same shard count, checkpoint and input count, each index once, no
// image twice, the counts adding up) and writes the rows sorted by path.
func (o *MergeOptions) Run() error {
	var files []string
	for _, in := range o.Inputs {
		st, err := os.Stat(in)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			files = append(files, in)
			continue
		}
		m, _ := filepath.Glob(filepath.Join(in, "shard-*-of-*.jsonl"))
		if len(m) == 0 {
			return fmt.Errorf("%s: no shard-*-of-*.jsonl files", in)
		}
		files = append(files, m...)
	}
	var first *ShardHeader
	seen := map[int]string{}
	paths := map[string]string{}
	var rows []predict.Result
	images := 0
	for _, f := range files {
		h, rs, err := readShard(f)
		if err != nil {
			return err
		}
		if first == nil {
			first = &h
		}
		switch {
		case h.Count != first.Count || h.Total != first.Total || h.CheckpointSHA256 != first.CheckpointSHA256:
			return fmt.Errorf("%s is shard %d/%d of %d images with checkpoint %.12s; %s is of %d shards, %d images, checkpoint %.12s: not the same run",
				f, h.Index, h.Count, h.Total, h.CheckpointSHA256, files[0], first.Count, first.Total, first.CheckpointSHA256)
		case seen[h.Index] != "":
			return fmt.Errorf("shard %d/%d given twice: %s and %s", h.Index, h.Count, seen[h.Index], f)
		case len(rs) != h.Images:
			return fmt.Errorf("%s: header says %d images, the file has %d lines", f, h.Images, len(rs))
		}
		seen[h.Index] = f
		images += h.Images
		for _, r := range rs {
			if g, dup := paths[r.Path]; dup {
				return fmt.Errorf("%s is in %s and in %s", r.Path, g, f)
			}
			paths[r.Path] = f
		}
		rows = append(rows, rs...)
	}
	var missing []string
	for i := range first.Count {
		if seen[i] == "" {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("%d of %d shards missing: %s", len(missing), first.Count, strings.Join(missing, ", "))
		if !o.AllowMissing {
			return fmt.Errorf("%s (rerun them, or --allow-missing)", msg)
		}
		fmt.Fprintln(o.Stderr, "note:", msg)
	} else if images != first.Total {
		return fmt.Errorf("the shards hold %d images, their headers say the run had %d", images, first.Total)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Path < rows[j].Path })
	write := func(w io.Writer) error { return writeTable(w, o.Format, rows) }
	if o.Out == "" {
		if err := write(o.Stdout); err != nil {
			return err
		}
	} else if err := atomicfile.Write(o.Out, write); err != nil {
		return err
	}
	anomalous, failed := 0, 0
	for _, r := range rows {
		if r.Error != "" {
			failed++
		} else if r.Decision != nil && r.Anomalous != nil && *r.Anomalous {
			anomalous++
		}
	}
	fmt.Fprintf(o.Stderr, "merged %d shards: %d images, %d anomalous, %d unreadable\n", len(seen), len(rows), anomalous, failed)
	return nil
}

func readShard(path string) (ShardHeader, []predict.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return ShardHeader{}, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var h ShardHeader
	var rows []predict.Result
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			var head struct {
				Shard *ShardHeader `json:"shard"`
			}
			if err := json.Unmarshal(b, &head); err != nil || head.Shard == nil {
				return h, nil, fmt.Errorf("%s: not a shard file of mambaad predict --shard (no {\"shard\": …} header line)", path)
			}
			h = *head.Shard
			continue
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var r predict.Result
		r.Decision = new(detector.Decision)
		if err := json.Unmarshal(b, &r); err != nil {
			return h, nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if r.Error != "" {
			r.Decision = nil
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return h, nil, fmt.Errorf("%s: %w", path, err)
	}
	if line == 0 {
		return h, nil, fmt.Errorf("%s: empty (not a shard file)", path)
	}
	return h, rows, nil
}

func writeTable(w io.Writer, format string, rows []predict.Result) error {
	if format == "jsonl" {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	cw := csv.NewWriter(w)
	cw.Write(MergeColumns)
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	for _, r := range rows {
		rec := []string{r.Path, "", "", "", "", "", "", "", r.Heatmap, r.Mask, r.Error}
		if d := r.Decision; d != nil {
			rec[1], rec[2], rec[3], rec[4], rec[5], rec[6] = d.Class, f(d.ClassConfidence), strconv.FormatFloat(d.Score, 'g', -1, 64), f(d.Threshold), d.ThresholdFrom, f(d.Normalized)
			if d.Anomalous != nil {
				rec[7] = strconv.FormatBool(*d.Anomalous)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
