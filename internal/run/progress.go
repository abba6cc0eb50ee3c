package run

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a progress bar on a terminal and nothing otherwise (logs and
// CI output stay clean; the JSONL log carries the numbers).
type progress struct {
	bar *progressbar.ProgressBar
}

// stderrIsTerminal reports whether progress bars make sense.
func stderrIsTerminal() bool { return term.IsTerminal(int(os.Stderr.Fd())) }

// newProgress counts images towards total; the caller puts rates and
// epochs in the description (the library's own rate jumps after a resume
// and reads "0 img/hr" at the start).
func newProgress(total int, what string, quiet bool) *progress {
	if quiet || !stderrIsTerminal() {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }))}
}

func (p *progress) set(n int) {
	if p != nil && p.bar != nil {
		p.bar.Set(n)
	}
}

func (p *progress) add(n int) {
	if p != nil && p.bar != nil {
		p.bar.Add(n)
	}
}

func (p *progress) describe(s string) {
	if p != nil && p.bar != nil {
		p.bar.Describe(s)
	}
}

func (p *progress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Finish()
	}
}

// logf prints a status line to w (stderr), clearing a bar if one is drawn.
func (p *progress) logf(w io.Writer, format string, a ...any) {
	if p != nil && p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(w, format+"\n", a...)
}
