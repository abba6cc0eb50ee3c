package weights

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Options control a download. The zero value fetches from upstream (or
// $MAMBAAD_WEIGHTS_URL) with a progress bar on a terminal stderr.
type Options struct {
	// BaseURL replaces the upstream location: the file is fetched from
	// BaseURL + "/" + Entry.File, so a mirror is a directory holding the
	// files under their cache names. Empty means $MAMBAAD_WEIGHTS_URL, and
	// if that is empty too, the entry's upstream URL.
	BaseURL string
	// Client sends the requests. nil means a client that honours the proxy
	// environment, times out connecting, the TLS handshake and waiting for
	// response headers, and asks for the file uncompressed so that byte
	// offsets stay valid for resuming.
	Client *http.Client
	// Quiet turns the progress bar off.
	Quiet bool
	// Progress is where the bar is drawn (os.Stderr when nil). It is drawn
	// only when Progress is a terminal, so logs and pipes stay clean.
	Progress io.Writer
	// StallTimeout aborts a download when no byte arrives for this long
	// (default 60s), leaving the .part file to resume from. A whole-request
	// timeout would instead cut off large files on slow links.
	StallTimeout time.Duration
}

// SourceURL returns where the entry's file is fetched from under opts.
func (o Options) SourceURL(e Entry) string {
	base := o.BaseURL
	if base == "" {
		base = os.Getenv(EnvURL)
	}
	if base == "" {
		return e.URL
	}
	return strings.TrimRight(base, "/") + "/" + url.PathEscape(e.File)
}

func (o Options) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = time.Minute
	t.DisableCompression = true
	return &http.Client{Transport: t}
}

// Download fetches a known backbone into the store and returns its path.
// A file already cached is returned as is. The bytes go to <file>.part,
// which is verified (see Entry.VerifyFile), fsynced and only then renamed
// into place: a truncated or corrupt download never appears under the final
// name. An interrupted download (network error, stall, cancelled ctx) keeps
// the .part file, and the next call asks the server for the rest with a
// Range request; a server that ignores Range sends the whole file again. A
// file that fails verification is deleted. Two processes fetching the same
// file at once can interleave their writes to the .part file; verification
// then rejects the result rather than installing it.
func (s *Store) Download(ctx context.Context, name string, opts Options) (string, error) {
	e, err := s.Registry.Lookup(name)
	if err != nil {
		return "", err
	}
	final := s.Path(e)
	if isFile(final) {
		return final, nil
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return "", fmt.Errorf("weights: create cache directory: %v", err)
	}
	d := &download{entry: e, url: opts.SourceURL(e), part: final + ".part", opts: opts, client: opts.client()}
	if err := d.fetch(ctx); err != nil {
		return "", err
	}
	if err := e.VerifyFile(d.part, d.url); err != nil {
		os.Remove(d.part)
		return "", fmt.Errorf("%w; the download was deleted", err)
	}
	if err := os.Rename(d.part, final); err != nil {
		return "", fmt.Errorf("weights: %v", err)
	}
	syncDir(s.Dir)
	return final, nil
}

// Download is Store.Download on the default cache.
func Download(ctx context.Context, name string, opts Options) (string, error) {
	s, err := NewStore("")
	if err != nil {
		return "", err
	}
	return s.Download(ctx, name, opts)
}

// syncDir makes a rename durable; it is best effort because not every
// platform can fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// download is one file being fetched into its .part file.
type download struct {
	entry  Entry
	url    string
	part   string
	opts   Options
	client *http.Client
}

// errStalled is the cause given when no byte arrived for StallTimeout.
type errStalled time.Duration

func (e errStalled) Error() string {
	return fmt.Sprintf("no data received for %s", time.Duration(e))
}

// fetch fills the .part file, resuming it when possible. A server that
// answers a Range request with a range other than the one asked for, or
// refuses it (416) although the .part file is incomplete, gets one fresh
// request from byte 0.
func (d *download) fetch(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		restart, err := d.get(ctx)
		if err != nil || !restart {
			return err
		}
		if attempt > 0 {
			return fmt.Errorf("weights: download %s: the server does not honour byte ranges consistently", d.url)
		}
		if err := os.Remove(d.part); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("weights: %v", err)
		}
	}
}

// get sends one request and appends (206) or writes (200) the body to the
// .part file. restart asks fetch to discard the .part file and try again.
func (d *download) get(ctx context.Context) (restart bool, err error) {
	var have int64
	if st, err := os.Stat(d.part); err == nil {
		have = st.Size()
	}
	stall := d.opts.StallTimeout
	if stall <= 0 {
		stall = time.Minute
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(stall, func() { cancel(errStalled(stall)) })
	defer timer.Stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.url, nil)
	if err != nil {
		return false, fmt.Errorf("weights: download %s: %v", d.url, err)
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return false, d.interrupted(ctx, have, -1, err)
	}
	defer resp.Body.Close()

	flags, total := os.O_WRONLY|os.O_CREATE, int64(-1)
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, size, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			return true, nil
		}
		flags |= os.O_APPEND
		total = size
		if total < 0 && resp.ContentLength >= 0 {
			total = have + resp.ContentLength
		}
	case http.StatusOK:
		flags |= os.O_TRUNC
		have, total = 0, resp.ContentLength
	case http.StatusRequestedRangeNotSatisfiable:
		// Nothing is left past `have`: the .part file is complete if the
		// server's size agrees, else it is stale.
		_, size, ok := contentRange(resp.Header.Get("Content-Range"))
		return !ok || size != have, nil
	default:
		return false, fmt.Errorf("weights: download %s: server answered %s", d.url, resp.Status)
	}
	if d.entry.Size > 0 && total >= 0 && total != d.entry.Size {
		return false, fmt.Errorf("weights: download %s: the server offers %d bytes, but %s is %d bytes",
			d.url, total, d.entry.File, d.entry.Size)
	}
	return false, d.write(ctx, resp.Body, flags, have, total, timer, stall)
}

// write copies the body into the .part file, restarting the stall timer on
// every chunk, and fsyncs what arrived, even when the copy fails, so that a
// resume starts from bytes that are really on disk.
func (d *download) write(ctx context.Context, body io.Reader, flags int, have, total int64,
	timer *time.Timer, stall time.Duration) error {
	f, err := os.OpenFile(d.part, flags, 0o644)
	if err != nil {
		return fmt.Errorf("weights: %v", err)
	}
	bar := newBar(d.opts, d.entry.File, total, have)
	n, copyErr := io.CopyBuffer(io.MultiWriter(f, bar), &stallReader{body, timer, stall}, make([]byte, 1<<20))
	bar.finish(copyErr == nil)
	syncErr := f.Sync()
	closeErr := f.Close()
	switch {
	case copyErr != nil:
		return d.interrupted(ctx, have+n, total, copyErr)
	case syncErr != nil:
		return fmt.Errorf("weights: write %s: %v", d.part, syncErr)
	case closeErr != nil:
		return fmt.Errorf("weights: write %s: %v", d.part, closeErr)
	case total >= 0 && have+n != total:
		return d.interrupted(ctx, have+n, total, io.ErrUnexpectedEOF)
	}
	return nil
}

// interrupted words a failed transfer: the cause (stall, cancellation or
// network error, without net/url's repetition of the URL) and whether a
// partial file is left to resume from.
func (d *download) interrupted(ctx context.Context, got, total int64, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		err = cause
	} else if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err
	}
	if got == 0 {
		if st, statErr := os.Stat(d.part); statErr == nil && st.Size() == 0 {
			os.Remove(d.part)
		}
		if unreachable(err) {
			return fmt.Errorf("weights: download %s: %w (offline? copy the file here from a machine that has it and run: mambaad weights import FILE --name %s)",
				d.url, err, d.entry.Name)
		}
		return fmt.Errorf("weights: download %s: %w", d.url, err)
	}
	of := ""
	if total >= 0 {
		of = fmt.Sprintf(" of %d", total)
	}
	return fmt.Errorf("weights: download %s interrupted after %d%s bytes: %w; %s is kept, run again to resume",
		d.url, got, of, err, d.part)
}

// unreachable reports a network error that means the host cannot be
// reached at all (no DNS, no route, refused), as on an offline machine.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial"
}

// contentRange parses "bytes START-END/SIZE", "bytes START-END/*" and
// "bytes */SIZE"; an unknown part is -1.
func contentRange(h string) (start, size int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(spec, "/")
	if !found {
		return 0, 0, false
	}
	start, size = -1, -1
	var err error
	if sz != "*" {
		if size, err = strconv.ParseInt(sz, 10, 64); err != nil || size < 0 {
			return 0, 0, false
		}
	}
	if rng != "*" {
		first, _, found := strings.Cut(rng, "-")
		if start, err = strconv.ParseInt(first, 10, 64); !found || err != nil || start < 0 {
			return 0, 0, false
		}
	}
	return start, size, true
}

// stallReader restarts the stall timer whenever data arrives.
type stallReader struct {
	r     io.Reader
	timer *time.Timer
	stall time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.timer.Reset(s.stall)
	}
	return n, err
}
