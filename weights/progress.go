package weights

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// isTerminal reports whether w is an interactive terminal; a variable so
// tests can draw the bar into a buffer.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// bar is a progress display fed by the bytes written; the zero bar shows
// nothing.
type bar struct {
	pb *progressbar.ProgressBar
	w  io.Writer
}

// newBar draws a byte-count bar for file on opts.Progress (os.Stderr),
// starting at have of total bytes (total -1: unknown, shown as a spinner).
func newBar(opts Options, file string, total, have int64) *bar {
	w := opts.Progress
	if w == nil {
		w = os.Stderr
	}
	if opts.Quiet || !isTerminal(w) {
		return &bar{}
	}
	pb := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(file),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionFullWidth(),
	)
	if have > 0 {
		pb.Set64(have)
	}
	return &bar{pb: pb, w: w}
}

func (b *bar) Write(p []byte) (int, error) {
	if b.pb != nil {
		b.pb.Add(len(p))
	}
	return len(p), nil
}

// finish completes the bar, or leaves it where the transfer stopped, and
// ends its line so that the next message starts on a fresh one.
func (b *bar) finish(done bool) {
	if b.pb == nil {
		return
	}
	if done {
		b.pb.Finish()
	} else {
		b.pb.Exit()
	}
	fmt.Fprintln(b.w)
}
