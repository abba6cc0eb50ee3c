package run

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/app/evaluate"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/internal/atomicfile"
)

// runInfo describes a run for reports.
type runInfo struct {
	Command    string  // "train", "test" or "demo"
	Threshold  float64 // decision threshold for the outlines (NaN: none)
	Checkpoint string
	Dataset    string
	Encoder    detector.EncoderInfo
	Thresholds detector.Thresholds // per-class decisions for the defect table
	Config     string              // the run's configuration, YAML with config.yaml's keys
}

// evalSettings is how a test split is read and scored.
type evalSettings struct {
	EvalConfig
	SkipBad bool // skip unreadable images with a warning
	Workers int  // decoding goroutines (0 = automatic)
}

// evalAndWrite evaluates d on samples and writes metrics.{md,csv,json},
// scores.csv and the HTML report into dir. It returns the result and prints
// the Markdown table to out.
func evalAndWrite(ctx context.Context, d *detector.Detector, samples []data.Sample, ec evalSettings, dir string,
	info runInfo, out, warn io.Writer, quiet bool) (*evaluate.Result, error) {
	mo, err := ec.metricsOptions()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bar := newProgress(len(samples), "evaluating", quiet)
	res, err := evaluate.Run(ctx, d, samples, evaluate.Options{
		Metrics: mo, BatchSize: ec.BatchSize, Keep: ec.Gallery, SkipBad: ec.SkipBad, Workers: ec.Workers,
		Warn:     func(s data.Sample, err error) { bar.logf(warn, "warning: skipping %s: %v", s.Path, err) },
		Progress: func(done, _ int) { bar.set(done) },
	})
	bar.finish()
	if err != nil {
		return nil, err
	}
	if err := writeTables(res, dir); err != nil {
		return nil, err
	}
	defects, err := defectRows(res, info.Thresholds)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer, []defectRow) error
	}{{"defects.md", writeDefectsMarkdown}, {"defects.csv", writeDefectsCSV}} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), func(w io.Writer) error { return f.write(w, defects) }); err != nil {
			return nil, err
		}
	}
	if err := writeReport(res, dir, info); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Encoder: %s\n\n", info.Encoder)
	if err := res.Table.WriteMarkdown(out); err != nil {
		return nil, err
	}
	fmt.Fprintln(out)
	if err := writeDefectsMarkdown(out, defects); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "\nWrote %s (metrics.md|csv|json, defects.md|csv, scores.csv, report.html)\n", dir)
	return res, nil
}

// writeTables writes the three metric tables and the per-image scores.
func writeTables(res *evaluate.Result, dir string) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"metrics.md", res.Table.WriteMarkdown},
		{"metrics.csv", res.Table.WriteCSV},
		{"metrics.json", res.Table.WriteJSON},
		{"scores.csv", func(w io.Writer) error { return writeScores(w, res) }},
	} {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

func writeScores(w io.Writer, res *evaluate.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"class", "path", "defect", "label", "score"})
	for _, c := range res.Classes {
		for _, im := range c.Images {
			cw.Write([]string{im.Sample.Class, im.Sample.Path, im.Sample.Defect,
				strconv.Itoa(im.Sample.Label), strconv.FormatFloat(im.Score, 'g', 8, 64)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeFileAtomic writes a file through a buffer, then atomically.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := fill(&buf); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}
