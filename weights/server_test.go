package weights

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeServer serves one payload the way a download server might: honouring
// Range or not, failing, cutting the body short, or stalling mid-body.
type fakeServer struct {
	payload     []byte
	ignoreRange bool // answer 200 with the whole file even to a Range request
	status      int  // answer with this error status
	truncateAt  int  // declare the full length but send only this many bytes
	hangAt      int  // send this many bytes, then wait for the client to go
	wrongRange  bool // always answer 206 for a range starting at byte 1
	hung        chan struct{}

	mu       sync.Mutex
	requests int
	ranges   []string
}

func (f *fakeServer) start(t *testing.T) *httptest.Server {
	t.Helper()
	f.hung = make(chan struct{}, 1)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeServer) seen() (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, append([]string(nil), f.ranges...)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.ranges = append(f.ranges, r.Header.Get("Range"))
	f.mu.Unlock()
	if f.status != 0 {
		http.Error(w, http.StatusText(f.status), f.status)
		return
	}
	body, status := f.payload, http.StatusOK
	if f.wrongRange {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 1-%d/%d", len(f.payload)-1, len(f.payload)))
		w.WriteHeader(http.StatusPartialContent)
		w.Write(f.payload[1:])
		return
	}
	if rng := r.Header.Get("Range"); rng != "" && !f.ignoreRange {
		from, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rng, "bytes="), "-"))
		if err != nil || from >= len(f.payload) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(f.payload)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(f.payload)-1, len(f.payload)))
		body, status = f.payload[from:], http.StatusPartialContent
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	switch {
	case f.truncateAt > 0:
		w.Write(body[:f.truncateAt])
	case f.hangAt > 0:
		w.Write(body[:f.hangAt])
		w.(http.Flusher).Flush()
		f.hung <- struct{}{}
		<-r.Context().Done()
	default:
		w.Write(body)
	}
}
