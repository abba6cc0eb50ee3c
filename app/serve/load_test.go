package serve

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLoad is the bounded load test on loopback: a real server with the
// small model and a deliberately small queue, first at capacity (closed
// loop, as many clients as a batch), then well above it (open loop at 3×
// the measured rate, clients many times the queue) for about a second
// each. Every request is answered; the answers are 200 or 429 only (no
// 5xx: the timeout is long enough not to fire); throughput and latency
// are positive; the server's memory budget is back to zero and nothing is
// left in flight afterwards.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	s, ts := startServer(t, Config{MaxBatch: 4, QueueSize: 8, MaxInflight: 24})
	var imgs [][]byte
	for k := range 4 {
		imgs = append(imgs, encodePNG(t, SyntheticImage(k%2, 80, 64, uint64(k), k == 3)))
	}
	d := 1200 * time.Millisecond
	capRep, err := RunLoad(context.Background(), LoadOptions{URL: ts.URL, Model: "parts", Images: imgs, Clients: 4, Duration: d, PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	capRep.Name = "capacity"
	over, err := RunLoad(context.Background(), LoadOptions{URL: ts.URL, Model: "parts", Images: imgs, Clients: 64,
		Rate: 3 * max(capRep.Throughput, 5), Duration: d, PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	over.Name = "overload 3×"
	var b strings.Builder
	WriteLoadTable(&b, []LoadReport{capRep, over})
	t.Logf("\n%s", b.String())
	for _, r := range []LoadReport{capRep, over} {
		if r.Errors != 0 || r.Other5xx != 0 || r.Status503 != 0 || r.Other != 0 || r.OK+r.Status429 != r.Sent {
			t.Errorf("%s: %+v: want every request answered 200 or 429", r.Name, r)
		}
		if r.OK == 0 || r.Throughput <= 0 || r.P50MS <= 0 || r.P99MS < r.P50MS {
			t.Errorf("%s: no throughput or latency: %+v", r.Name, r)
		}
	}
	if capRep.Status429 != 0 {
		t.Errorf("429s at capacity with %d clients and a queue of 8: %d", capRep.Clients, capRep.Status429)
	}
	if over.Status429 == 0 {
		t.Errorf("no 429 at 3× capacity with a queue of 8: %+v", over)
	}
	if s.inflight.Load() != 0 || s.budget.used != 0 {
		t.Errorf("after the load: %d in flight, %d bytes of budget held", s.inflight.Load(), s.budget.used)
	}
}
