package metrics

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Reports. JSON keeps the raw fractions (NaN as null) and everything else a
// Result holds; CSV and Markdown print the eight metrics in percent, CSV
// with two decimals (as ADer logs them) and Markdown with one (as the
// MambaAD paper prints them). Column names are MetricNames and never change.

// jsonFloat writes NaN and ±Inf as null, which JSON has no number for.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

type jsonADer struct {
	IoUMaxPx jsonFloat `json:"mIoU_max_px"`
	F1Px     jsonFloat `json:"mF1_px_0.2_0.8_0.1"`
	AccPx    jsonFloat `json:"mAcc_px_0.2_0.8_0.1"`
	IoUPx    jsonFloat `json:"mIoU_px_0.2_0.8_0.1"`
}

type jsonRow struct {
	Class           string    `json:"class"`
	IAUROC          jsonFloat `json:"I-AUROC"`
	IAP             jsonFloat `json:"I-AP"`
	IF1Max          jsonFloat `json:"I-F1max"`
	PAUROC          jsonFloat `json:"P-AUROC"`
	PAP             jsonFloat `json:"P-AP"`
	PF1Max          jsonFloat `json:"P-F1max"`
	AUPRO           jsonFloat `json:"AU-PRO"`
	MAD             jsonFloat `json:"mAD"`
	Images          int       `json:"images"`
	AnomalousImages int       `json:"anomalous_images"`
	Regions         int       `json:"regions"`
	Pixels          int64     `json:"pixels"`
	AnomalousPixels int64     `json:"anomalous_pixels"`
	ADer            *jsonADer `json:"ader,omitempty"`
	Notes           []string  `json:"notes,omitempty"`
}

type jsonTable struct {
	Mode     string    `json:"mode"`
	MaxFPR   float64   `json:"max_fpr"`
	ProSteps int       `json:"pro_steps,omitempty"`
	Metrics  []string  `json:"metrics"`
	Classes  []jsonRow `json:"classes"`
	Mean     jsonRow   `json:"mean"`
}

func toJSONRow(r *Result) jsonRow {
	j := jsonRow{
		Class: r.Class, IAUROC: jsonFloat(r.IAUROC), IAP: jsonFloat(r.IAP), IF1Max: jsonFloat(r.IF1Max),
		PAUROC: jsonFloat(r.PAUROC), PAP: jsonFloat(r.PAP), PF1Max: jsonFloat(r.PF1Max),
		AUPRO: jsonFloat(r.AUPRO), MAD: jsonFloat(r.MAD),
		Images: r.Images, AnomalousImages: r.AnomalousImages, Regions: r.Regions,
		Pixels: r.Pixels, AnomalousPixels: r.AnomalousPixels, Notes: r.Notes,
	}
	if a := r.ADer; a != nil {
		j.ADer = &jsonADer{jsonFloat(a.IoUMaxPx), jsonFloat(a.F1Px), jsonFloat(a.AccPx), jsonFloat(a.IoUPx)}
	}
	return j
}

// WriteJSON writes the table as indented JSON with fractions in [0, 1].
func (t *Table) WriteJSON(w io.Writer) error {
	j := jsonTable{Mode: t.Mode.String(), MaxFPR: t.MaxFPR, Metrics: MetricNames[:], Mean: toJSONRow(&t.Mean)}
	if t.Mode == Reference {
		j.ProSteps = t.ProSteps
	}
	for i := range t.Classes {
		j.Classes = append(j.Classes, toJSONRow(&t.Classes[i]))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

func percent(v float64, decimals int, nan string) string {
	if math.IsNaN(v) {
		return nan
	}
	s := strconv.FormatFloat(100*v, 'f', decimals, 64)
	// A value a rounding error below zero (the reference mode's AU-PRO
	// can be -1e-17) must print as 0.0, not -0.0.
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

func (t *Table) rows() []*Result {
	rs := make([]*Result, 0, len(t.Classes)+1)
	for i := range t.Classes {
		rs = append(rs, &t.Classes[i])
	}
	return append(rs, &t.Mean)
}

// WriteCSV writes a header (class and MetricNames) and one row per class
// plus the mean row, in percent with two decimals; NaN is written as NaN.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"class"}, MetricNames[:]...)); err != nil {
		return err
	}
	for _, r := range t.rows() {
		rec := []string{r.Class}
		for _, v := range r.Values() {
			rec = append(rec, percent(v, 2, "NaN"))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteMarkdown writes a GitHub table in percent with one decimal (n/a for
// undefined), a line naming the mode, and the notes of each class.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Mode: %s", t.Mode)
	if t.Mode == Reference {
		fmt.Fprintf(&b, " (ADer: AU-PRO on %d thresholds, P-F1max on 21)", t.ProSteps)
	}
	fmt.Fprintf(&b, "; AU-PRO up to FPR %g.\n\n", t.MaxFPR)
	b.WriteString("| class | " + strings.Join(MetricNames[:], " | ") + " |\n")
	b.WriteString("|---" + strings.Repeat("|---:", len(MetricNames)) + "|\n")
	for _, r := range t.rows() {
		name := r.Class
		if r == &t.Mean {
			name = "**mean**"
		}
		b.WriteString("| " + name)
		for _, v := range r.Values() {
			b.WriteString(" | " + percent(v, 1, "n/a"))
		}
		b.WriteString(" |\n")
	}
	notes := false
	for i := range t.Classes {
		for _, n := range t.Classes[i].Notes {
			if !notes {
				b.WriteString("\nNotes:\n")
				notes = true
			}
			fmt.Fprintf(&b, "- %s: %s\n", t.Classes[i].Class, n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
