package report

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image"
	"image/jpeg"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mambaad/mambaad/metrics"
	"github.com/mambaad/mambaad/parallel"
	"gopkg.in/yaml.v3"
)

// Report is everything WriteHTML puts on the page.
type Report struct {
	Title string // page title; empty means "MambaAD report"
	Run   RunInfo
	// Table holds the metrics; nil for a run without ground truth
	// (mambaad predict), which then shows no table.
	Table *metrics.Table
	// Figures are shown above the classes: the combined curves, say.
	Figures []Figure
	// Classes hold each class's own curves and gallery, in table order.
	Classes []ClassSection
}

// RunInfo says what produced the numbers.
type RunInfo struct {
	Command    string // e.g. "mambaad test" or "mambaad demo"
	Model      string // model configuration; multi-line text is kept as is
	Checkpoint string
	Dataset    string    // not shown when Config's data.root says the same
	Date       time.Time // zero: not shown
	Mode       string    // metric mode; empty: taken from Table
	Machine    string    // see Machine
	Extra      []Field   // anything else, in order
	// Config is the run's configuration as YAML, in the layout of the
	// config.yaml every run writes. The run table shows one row per
	// setting, named by its path in that file (data.root,
	// model.image_size, train.epochs, …), under the heading ConfigLabel
	// ("configuration (config.yaml)" when empty). Text that is not a YAML
	// mapping is shown as it is.
	Config      string
	ConfigLabel string
}

// Field is one named line of run information.
type Field struct{ Name, Value string }

// Figure is one image of the report. Photo figures (galleries) are
// JPEG-encoded at quality JPEGQuality, others (charts) as PNG, which keeps
// lines and text sharp and is small for flat colours. Images wider than
// MaxHTMLWidth are scaled down first.
type Figure struct {
	Caption string
	Img     image.Image
	Photo   bool
}

// ClassSection is one class's part of the report.
type ClassSection struct {
	Name    string
	Figures []Figure
}

// Size controls for the embedded images: base64 adds a third, so a class
// gallery of 8 rows of 256-pixel tiles costs about 0.5 MB as JPEG, against
// several MB as PNG.
const (
	JPEGQuality  = 85
	MaxHTMLWidth = 1600
)

// WriteHTML writes the report as one self-contained HTML file: images are
// data URIs, the CSS is inline, and there is no script and no external
// link, so the file can be mailed or archived alone. The page is built
// with html/template, so names and notes are escaped. It is written
// atomically.
func WriteHTML(path string, r Report) error {
	page, err := buildPage(r)
	if err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return writeAtomic(path, func(w io.Writer) error { return pageTemplate.Execute(w, page) })
}

// page is the template's view of a Report: everything formatted and every
// image already encoded.
type page struct {
	Title   string
	Info    []infoRow
	Table   *tableView
	Figures []figureView
	Classes []classView
}

type infoRow struct {
	Name, Value string
	Multiline   bool
	Heading     bool // a group heading spanning both columns
}

type figureView struct {
	Caption string
	Src     template.HTMLAttr // the whole src="data:…" attribute
	W, H    int
}

type classView struct {
	Name    string
	ID      string
	Figures []figureView
}

type tableView struct {
	ModeLine string
	Metrics  []string
	Rows     []tableRow
	Notes    []string
}

type tableRow struct {
	Class, Link string
	Mean        bool
	Values      []string
	Images      string
}

func buildPage(r Report) (*page, error) {
	p := &page{Title: r.Title}
	if p.Title == "" {
		p.Title = "MambaAD report"
	}
	mode := r.Run.Mode
	if mode == "" && r.Table != nil {
		mode = r.Table.Mode.String()
	}
	date := ""
	if !r.Run.Date.IsZero() {
		date = r.Run.Date.Format("2006-01-02 15:04:05 MST")
	}
	cfg := configRows(r.Run.Config)
	dataset := r.Run.Dataset
	for _, c := range cfg {
		if c.Name == "data.root" && c.Value == dataset {
			dataset = ""
		}
	}
	for _, f := range append([]Field{
		{"command", r.Run.Command}, {"model", r.Run.Model}, {"checkpoint", r.Run.Checkpoint},
		{"dataset", dataset}, {"date", date}, {"metric mode", mode}, {"machine", r.Run.Machine},
	}, r.Run.Extra...) {
		if v := strings.TrimRight(f.Value, "\n"); v != "" {
			p.Info = append(p.Info, infoRow{Name: f.Name, Value: v, Multiline: strings.Contains(v, "\n")})
		}
	}
	if len(cfg) > 0 {
		label := r.Run.ConfigLabel
		if label == "" {
			label = "configuration (config.yaml)"
		}
		p.Info = append(p.Info, infoRow{Name: label, Heading: true})
		p.Info = append(p.Info, cfg...)
	}

	ids := map[string]string{}
	for i, c := range r.Classes {
		ids[c.Name] = "class-" + strconv.Itoa(i)
	}
	if r.Table != nil {
		p.Table = newTableView(r.Table, ids)
	}

	// Encode all images at once, in parallel: JPEG and PNG encoding is
	// most of the time WriteHTML takes.
	var figs []*Figure
	var views []*figureView
	p.Figures = make([]figureView, len(r.Figures))
	for i := range r.Figures {
		figs, views = append(figs, &r.Figures[i]), append(views, &p.Figures[i])
	}
	p.Classes = make([]classView, len(r.Classes))
	for i, c := range r.Classes {
		p.Classes[i] = classView{Name: c.Name, ID: ids[c.Name], Figures: make([]figureView, len(c.Figures))}
		for k := range c.Figures {
			figs, views = append(figs, &r.Classes[i].Figures[k]), append(views, &p.Classes[i].Figures[k])
		}
	}
	errs := make([]error, len(figs))
	parallel.Run(len(figs), func(i int) {
		*views[i], errs[i] = encodeFigure(*figs[i])
	})
	return p, errors.Join(errs...)
}

func newTableView(t *metrics.Table, ids map[string]string) *tableView {
	v := &tableView{Metrics: metrics.MetricNames[:]}
	v.ModeLine = "Mode: " + t.Mode.String()
	if t.Mode == metrics.Reference {
		v.ModeLine += fmt.Sprintf(" (ADer: AU-PRO on %d thresholds, P-F1max on 21)", t.ProSteps)
	}
	v.ModeLine += fmt.Sprintf("; AU-PRO up to FPR %g.", t.MaxFPR)
	row := func(r *metrics.Result, mean bool) tableRow {
		tr := tableRow{Class: r.Class, Mean: mean, Link: ids[r.Class]}
		if mean {
			tr.Class, tr.Link = "mean", ""
		}
		for _, x := range r.Values() {
			tr.Values = append(tr.Values, Percent(x))
		}
		if !mean {
			tr.Images = fmt.Sprintf("%d (%d)", r.Images, r.AnomalousImages)
		}
		return tr
	}
	for i := range t.Classes {
		v.Rows = append(v.Rows, row(&t.Classes[i], false))
		for _, n := range t.Classes[i].Notes {
			v.Notes = append(v.Notes, t.Classes[i].Class+": "+n)
		}
	}
	v.Rows = append(v.Rows, row(&t.Mean, true))
	return v
}

// Percent formats a metric as the Markdown table does: percent with one
// decimal, "n/a" when undefined.
func Percent(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64)
}

// encodeFigure scales the image down to MaxHTMLWidth if needed and turns it
// into a src attribute with a data URI. The attribute is built here from a
// constant MIME type and base64 text, neither of which can hold a quote or
// markup, which is what makes marking it as safe correct. (Passed as a
// URL, html/template would write every '+' of the base64 as "&#43;",
// 6 % more bytes for nothing.)
func encodeFigure(f Figure) (figureView, error) {
	if f.Img == nil {
		return figureView{}, fmt.Errorf("figure %q has no image", f.Caption)
	}
	img := f.Img
	if b := img.Bounds(); b.Dx() > MaxHTMLWidth {
		img = Resize(img, MaxHTMLWidth, max(1, b.Dy()*MaxHTMLWidth/b.Dx()))
	}
	var buf bytes.Buffer
	mime := "image/png"
	var err error
	if f.Photo {
		mime = "image/jpeg"
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality})
	} else {
		err = pngEncoder.Encode(&buf, img)
	}
	if err != nil {
		return figureView{}, fmt.Errorf("figure %q: %w", f.Caption, err)
	}
	b := img.Bounds()
	src := `src="data:` + mime + ";base64," + base64.StdEncoding.EncodeToString(buf.Bytes()) + `"`
	return figureView{Caption: f.Caption, Src: template.HTMLAttr(src), W: b.Dx(), H: b.Dy()}, nil
}

// configRows turns a run's YAML configuration into one row per setting,
// named by its dotted path in the file (model.image_size) and in the
// file's order. Lists print in YAML's flow style ([2, 2, 2, 2]) and empty
// strings as "". Text that does not parse as a mapping becomes one
// preformatted row, so nothing given is lost.
func configRows(text string) []infoRow {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return []infoRow{{Name: "config.yaml", Value: text, Multiline: strings.Contains(text, "\n")}}
	}
	var rows []infoRow
	var walk func(prefix string, n *yaml.Node)
	walk = func(prefix string, n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			if prefix != "" {
				key = prefix + "." + key
			}
			if val.Kind == yaml.MappingNode && len(val.Content) > 0 {
				walk(key, val)
				continue
			}
			v := yamlValue(val)
			rows = append(rows, infoRow{Name: key, Value: v, Multiline: strings.Contains(v, "\n")})
		}
	}
	walk("", doc.Content[0])
	return rows
}

// yamlValue prints one setting's value as a config file would hold it.
func yamlValue(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Value == "":
		return `""`
	case n.Kind == yaml.ScalarNode:
		return n.Value
	case n.Kind == yaml.AliasNode && n.Alias != nil:
		return yamlValue(n.Alias)
	}
	c := *n
	c.Style |= yaml.FlowStyle
	b, err := yaml.Marshal(&c)
	if err != nil {
		return fmt.Sprint(n.Value)
	}
	return strings.TrimSpace(string(b))
}

//go:embed page.html
var pageHTML string

// pageTemplate is parsed once; a template error is a bug caught by any test.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))
