package metrics

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// twoClassTable: "good" separates perfectly; "blank" has no anomalies.
func twoClassTable(t *testing.T, opt Options) *Table {
	t.Helper()
	e, err := NewEvaluator(opt)
	if err != nil {
		t.Fatal(err)
	}
	add := func(class string, m []float32, mask []uint8) {
		if err := e.Add(class, Image{H: 2, W: 2, Map: m, Mask: mask}); err != nil {
			t.Fatal(err)
		}
	}
	add("good", []float32{0.1, 0.2, 0.3, 0.4}, nil)
	add("blank", []float32{1, 2, 3, 4}, nil)
	add("good", []float32{0.9, 0.2, 0.1, 0.3}, []uint8{1, 0, 0, 0})
	tab, err := e.Compute()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestEvaluatorTable(t *testing.T) {
	tab := twoClassTable(t, Options{})
	if len(tab.Classes) != 2 || tab.Classes[0].Class != "good" || tab.Classes[1].Class != "blank" {
		t.Fatalf("classes %+v, want good then blank (order of first appearance)", tab.Classes)
	}
	if v := tab.Classes[0].Values(); v != [8]float64{1, 1, 1, 1, 1, 1, 1, 1} {
		t.Errorf("good: %v, want all 1", v)
	}
	if !math.IsNaN(tab.Mean.MAD) || tab.Mean.Images != 3 || tab.Mean.AnomalousPixels != 1 {
		t.Errorf("mean row %+v: want NaN mAD (blank is undefined), 3 images, 1 anomalous pixel", tab.Mean)
	}
	if _, err := (&Evaluator{}).Compute(); err == nil {
		t.Error("empty evaluator computed a table")
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := twoClassTable(t, Options{Mode: Reference}).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Mode     string                   `json:"mode"`
		ProSteps int                      `json:"pro_steps"`
		Metrics  []string                 `json:"metrics"`
		Classes  []map[string]interface{} `json:"classes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
	}
	if got.Mode != "reference" || got.ProSteps != 100 || len(got.Metrics) != 8 || len(got.Classes) != 2 {
		t.Fatalf("header %+v", got)
	}
	if v, ok := got.Classes[0]["I-AUROC"].(float64); !ok || v != 1 {
		t.Errorf("good I-AUROC = %v, want the fraction 1", got.Classes[0]["I-AUROC"])
	}
	if v, present := got.Classes[1]["I-AUROC"]; !present || v != nil {
		t.Errorf("blank I-AUROC = %v, want null", v)
	}
	if _, ok := got.Classes[0]["ader"].(map[string]interface{})["mIoU_max_px"]; !ok {
		t.Error("reference mode JSON lacks ader.mIoU_max_px")
	}
	var again bytes.Buffer
	twoClassTable(t, Options{Mode: Reference}).WriteJSON(&again)
	if again.String() != buf.String() {
		t.Error("JSON output is not deterministic")
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := twoClassTable(t, Options{}).WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "class,I-AUROC,I-AP,I-F1max,P-AUROC,P-AP,P-F1max,AU-PRO,mAD"
	if len(recs) != 4 || strings.Join(recs[0], ",") != want {
		t.Fatalf("records %q", recs)
	}
	if strings.Join(recs[1], ",") != "good,100.00,100.00,100.00,100.00,100.00,100.00,100.00,100.00" {
		t.Errorf("good row %q", recs[1])
	}
	if recs[2][1] != "NaN" || recs[3][0] != "mean" {
		t.Errorf("blank row %q, mean row %q", recs[2], recs[3])
	}
}

func TestWriteMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := twoClassTable(t, Options{}).WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	want := `Mode: exact; AU-PRO up to FPR 0.3.

| class | I-AUROC | I-AP | I-F1max | P-AUROC | P-AP | P-F1max | AU-PRO | mAD |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
| good | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 |
| blank | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |
| **mean** | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |

Notes:
- blank: I-AUROC, I-AP, I-F1max undefined: no anomalous images
- blank: P-AUROC, P-AP, P-F1max, AU-PRO undefined: no anomalous pixels
`
	if buf.String() != want {
		t.Errorf("markdown:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestPercentNeverPrintsNegativeZero(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{-1e-17, "0.0"}, {0, "0.0"}, {-0.0004, "0.0"}, {-0.001, "-0.1"}, {0.9876, "98.8"}, {math.NaN(), "n/a"}} {
		if got := percent(c.v, 1, "n/a"); got != c.want {
			t.Errorf("percent(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
