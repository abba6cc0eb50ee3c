package weights

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

const payloadSize = 3<<20 + 12345

// setup returns a store whose registry holds one entry, "tiny", for the
// payload served by f (full SHA-256 unless changed by edit).
func setup(t *testing.T, f *fakeServer, edit func(*Entry)) (*Store, Entry) {
	t.Helper()
	t.Setenv(EnvURL, "")
	if f.payload == nil {
		f.payload = randomPayload(payloadSize)
	}
	srv := f.start(t)
	e := Entry{Name: "tiny", Arch: tinyArch, URL: srv.URL + "/models/tiny-0123abcd.bin",
		File: "tiny-0123abcd.bin", SHA256: sum256(f.payload)}
	if edit != nil {
		edit(&e)
	}
	return &Store{Dir: t.TempDir(), Registry: Registry{e}}, e
}

var quiet = Options{Progress: io.Discard, StallTimeout: 10 * time.Second}

// landed checks that the final file holds want and no .part is left.
func landed(t *testing.T, s *Store, e Entry, path string, want []byte) {
	t.Helper()
	if path != s.Path(e) {
		t.Errorf("path %s, want %s", path, s.Path(e))
	}
	got, err := os.ReadFile(s.Path(e))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("final file: %d bytes (%v), want the %d-byte payload", len(got), err, len(want))
	}
	if isFile(s.Path(e) + ".part") {
		t.Error(".part file left behind")
	}
}

// nothingLanded checks that no file is under the final name.
func nothingLanded(t *testing.T, s *Store, e Entry) {
	t.Helper()
	if isFile(s.Path(e)) {
		t.Fatal("a failed download landed under the final name")
	}
}

func TestDownloadFull(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, nil)
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)
	if n, ranges := f.seen(); n != 1 || ranges[0] != "" {
		t.Errorf("%d requests with ranges %q, want one plain GET", n, ranges)
	}
	// Already cached: no request at all.
	if p2, err := s.Download(context.Background(), "tiny", quiet); err != nil || p2 != p {
		t.Errorf("second download: %q, %v", p2, err)
	}
	if n, _ := f.seen(); n != 1 {
		t.Errorf("a cached file was fetched again")
	}
	if got, st := s.Status(e); st != Cached || got != p {
		t.Errorf("Status = %s, %s", got, st)
	}
}

func TestDownloadResume(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, nil)
	os.MkdirAll(s.Dir, 0o755)
	writeFile(t, s.Path(e)+".part", f.payload[:1<<20])
	if _, st := s.Status(e); st != Partial {
		t.Errorf("Status of a .part: %s", st)
	}
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)
	if _, ranges := f.seen(); len(ranges) != 1 || ranges[0] != "bytes=1048576-" {
		t.Errorf("ranges sent %q, want one bytes=1048576-", ranges)
	}
}

// A .part whose bytes are not the file's start (say, the server's file
// changed) resumes into a wrong file: verification must catch it.
func TestDownloadResumeOfWrongBytes(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, nil)
	os.MkdirAll(s.Dir, 0o755)
	writeFile(t, s.Path(e)+".part", make([]byte, 1000))
	_, err := s.Download(context.Background(), "tiny", quiet)
	var de *DigestError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a digest mismatch", err)
	}
	nothingLanded(t, s, e)
	if isFile(s.Path(e) + ".part") {
		t.Error("the corrupt .part was kept")
	}
}

func TestDownloadServerIgnoresRange(t *testing.T) {
	f := &fakeServer{ignoreRange: true}
	s, e := setup(t, f, nil)
	os.MkdirAll(s.Dir, 0o755)
	writeFile(t, s.Path(e)+".part", bytes.Repeat([]byte{7}, 5000)) // junk: must be overwritten, not appended to
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)
	if _, ranges := f.seen(); len(ranges) != 1 || ranges[0] != "bytes=5000-" {
		t.Errorf("ranges sent %q", ranges)
	}
}

// A .part that is already complete draws 416 from a server that honours
// Range; the file is then verified and installed without a refetch.
func TestDownloadCompletePart(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, nil)
	os.MkdirAll(s.Dir, 0o755)
	writeFile(t, s.Path(e)+".part", f.payload)
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)
	if n, _ := f.seen(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	// An over-long .part also draws 416, but with another size: restart.
	s2 := &Store{Dir: t.TempDir(), Registry: s.Registry}
	writeFile(t, s2.Path(e)+".part", append(bytes.Clone(f.payload), 1, 2, 3))
	if p, err := s2.Download(context.Background(), "tiny", quiet); err != nil {
		t.Fatal(err)
	} else {
		landed(t, s2, e, p, f.payload)
	}
}

func TestDownloadHashMismatch(t *testing.T) {
	f := &fakeServer{}
	wrong := strings.Repeat("ab", 32)
	s, e := setup(t, f, func(e *Entry) { e.SHA256 = wrong })
	_, err := s.Download(context.Background(), "tiny", quiet)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{e.URL, sum256(f.payload), wrong, "deleted"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	nothingLanded(t, s, e)
	if entries, _ := os.ReadDir(s.Dir); len(entries) != 0 {
		t.Errorf("cache holds %d files after a mismatch", len(entries))
	}
}

func TestDownloadPrefixVerification(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, func(e *Entry) { e.SHA256 = sum256(f.payload)[:8] })
	if e.Verification() != Prefix {
		t.Fatal(e.Verification())
	}
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)

	f2 := &fakeServer{}
	s2, e2 := setup(t, f2, func(e *Entry) { e.SHA256 = "00000000" })
	_, err = s2.Download(context.Background(), "tiny", quiet)
	if err == nil || !strings.Contains(err.Error(), "does not start with 00000000") {
		t.Errorf("wrong prefix: %v", err)
	}
	nothingLanded(t, s2, e2)
}

// Entries without a digest are checked by parsing: a valid trunk lands, an
// HTML error page served with 200 does not.
func TestDownloadStructural(t *testing.T) {
	f := &fakeServer{payload: trunkFile(t, tinyArch)}
	s, e := setup(t, f, func(e *Entry) { e.SHA256 = "" })
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)

	bad := &fakeServer{payload: []byte("<html>rate limited</html>")}
	s2, e2 := setup(t, bad, func(e *Entry) { e.SHA256 = "" })
	if _, err := s2.Download(context.Background(), "tiny", quiet); err == nil || !strings.Contains(err.Error(), "neither") ||
		!strings.Contains(err.Error(), e2.URL+": not a usable tiny checkpoint") {
		t.Errorf("html page: %v", err)
	}
	nothingLanded(t, s2, e2)
}

func TestDownloadHTTPErrors(t *testing.T) {
	for _, status := range []int{404, 500} {
		f := &fakeServer{status: status}
		s, e := setup(t, f, nil)
		_, err := s.Download(context.Background(), "tiny", quiet)
		if err == nil || !strings.Contains(err.Error(), e.URL) || !strings.Contains(err.Error(), "server answered "+strconv.Itoa(status)) {
			t.Errorf("%d: %v", status, err)
		}
		nothingLanded(t, s, e)
		if entries, _ := os.ReadDir(s.Dir); len(entries) != 0 {
			t.Errorf("%d: cache holds %d files", status, len(entries))
		}
	}
}

// A body cut short keeps its bytes in .part, never under the final name,
// and the next run completes it.
func TestDownloadTruncatedThenResumed(t *testing.T) {
	f := &fakeServer{truncateAt: 1 << 20}
	s, e := setup(t, f, nil)
	_, err := s.Download(context.Background(), "tiny", quiet)
	if err == nil || !strings.Contains(err.Error(), "interrupted after 1048576 of") || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("err = %v", err)
	}
	nothingLanded(t, s, e)
	if st, err := os.Stat(s.Path(e) + ".part"); err != nil || st.Size() != 1<<20 {
		t.Fatalf(".part: %v", err)
	}
	f.truncateAt = 0
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)
}

// Cancelling (Ctrl-C) mid-body leaves a resumable .part.
func TestDownloadCancel(t *testing.T) {
	f := &fakeServer{hangAt: 1 << 20}
	s, e := setup(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-f.hung
		time.Sleep(50 * time.Millisecond) // let the client write what it got
		cancel()
	}()
	_, err := s.Download(ctx, "tiny", quiet)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("err = %v", err)
	}
	nothingLanded(t, s, e)
	st, err := os.Stat(s.Path(e) + ".part")
	if err != nil || st.Size() == 0 || st.Size() > 1<<20 {
		t.Fatalf(".part after cancel: %v", err)
	}
	f.hangAt = 0
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)
	if _, ranges := f.seen(); ranges[1] == "" {
		t.Error("the second run did not resume")
	}
}

func TestDownloadStall(t *testing.T) {
	f := &fakeServer{hangAt: 1000}
	s, e := setup(t, f, nil)
	opts := quiet
	opts.StallTimeout = 200 * time.Millisecond
	start := time.Now()
	_, err := s.Download(context.Background(), "tiny", opts)
	if err == nil || !strings.Contains(err.Error(), "no data received for 200ms") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("stall detected after %s", time.Since(start))
	}
	nothingLanded(t, s, e)
	if !isFile(s.Path(e) + ".part") {
		t.Error("no .part kept after a stall")
	}
}

func TestDownloadSizeMismatch(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, func(e *Entry) { e.Size = 999 })
	_, err := s.Download(context.Background(), "tiny", quiet)
	if err == nil || !strings.Contains(err.Error(), "offers 3158073 bytes, but tiny-0123abcd.bin is 999 bytes") {
		t.Fatalf("err = %v", err)
	}
	nothingLanded(t, s, e)
}

func TestDownloadUnreachable(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, func(e *Entry) { e.URL = "http://127.0.0.1:1/tiny.bin" })
	_, err := s.Download(context.Background(), "tiny", quiet)
	if err == nil || !strings.Contains(err.Error(), "http://127.0.0.1:1/tiny.bin") || strings.Count(err.Error(), "/tiny.bin") != 1 {
		t.Fatalf("err = %v", err)
	}
	nothingLanded(t, s, e)
	if _, err := s.Download(context.Background(), "nope", quiet); err == nil || !strings.Contains(err.Error(), "known: tiny") {
		t.Errorf("unknown name: %v", err)
	}
}

// A mirror (env or option) serves the files under their cache names.
func TestDownloadMirror(t *testing.T) {
	f := &fakeServer{}
	s, e := setup(t, f, nil)
	mirror := strings.TrimSuffix(e.URL, "/models/tiny-0123abcd.bin") + "/mirror/"
	s.Registry[0].URL = "http://127.0.0.1:1/unreachable.bin"
	e = s.Registry[0]
	t.Setenv(EnvURL, mirror)
	if got := quiet.SourceURL(e); got != mirror+"tiny-0123abcd.bin" {
		t.Fatalf("SourceURL = %s", got)
	}
	opts := quiet
	opts.BaseURL = strings.TrimSuffix(mirror, "/") // the option wins over the env
	if got := opts.SourceURL(e); got != mirror+"tiny-0123abcd.bin" {
		t.Fatalf("SourceURL = %s", got)
	}
	p, err := s.Download(context.Background(), "tiny", quiet)
	if err != nil {
		t.Fatal(err)
	}
	landed(t, s, e, p, f.payload)
	t.Setenv(EnvURL, "")
	if got := quiet.SourceURL(e); got != e.URL {
		t.Errorf("SourceURL without mirror = %s", got)
	}
}

func TestDownloadProgressBar(t *testing.T) {
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	isTerminal = func(io.Writer) bool { return true }
	for _, q := range []bool{false, true} {
		f := &fakeServer{}
		s, _ := setup(t, f, nil)
		var buf bytes.Buffer
		opts := Options{Progress: &buf, Quiet: q}
		if _, err := s.Download(context.Background(), "tiny", opts); err != nil {
			t.Fatal(err)
		}
		drawn := strings.Contains(buf.String(), "tiny-0123abcd.bin") && strings.Contains(buf.String(), "100%")
		if drawn == q {
			t.Errorf("quiet=%v: bar output %q", q, buf.String())
		}
	}
}

func TestContentRange(t *testing.T) {
	for h, want := range map[string][3]int64{
		"bytes 10-19/20": {10, 20, 1},
		"bytes 10-19/*":  {10, -1, 1},
		"bytes */20":     {-1, 20, 1},
		"bytes x-19/20":  {0, 0, 0},
		"items 1-2/3":    {0, 0, 0},
		"bytes 1-2":      {0, 0, 0},
		"bytes 1-2/-4":   {0, 0, 0},
	} {
		s, n, ok := contentRange(h)
		if s != want[0] || n != want[1] || ok != (want[2] == 1) {
			t.Errorf("%q: %d %d %v", h, s, n, ok)
		}
	}
}

// A server that answers with a range other than the one asked for gets one
// fresh request, then an error.
func TestDownloadWrongRange(t *testing.T) {
	f := &fakeServer{wrongRange: true}
	s, e := setup(t, f, nil)
	_, err := s.Download(context.Background(), "tiny", quiet)
	if err == nil || !strings.Contains(err.Error(), "does not honour byte ranges") {
		t.Fatalf("err = %v", err)
	}
	if n, _ := f.seen(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	nothingLanded(t, s, e)
}

// The package-level Download uses $MAMBAAD_CACHE and $MAMBAAD_WEIGHTS_URL;
// a server offering other bytes than resnet18's is refused before anything
// is written.
func TestDownloadDefaultStore(t *testing.T) {
	f := &fakeServer{payload: randomPayload(1000)}
	srv := f.start(t)
	dir := t.TempDir()
	t.Setenv(EnvCache, dir)
	t.Setenv(EnvURL, srv.URL)
	_, err := Download(context.Background(), "resnet18", quiet)
	want := "weights: download " + srv.URL + "/resnet18-f37072fd.pth: the server offers 1000 bytes, but resnet18-f37072fd.pth is 46830571 bytes"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cache holds %d files", len(entries))
	}
}
