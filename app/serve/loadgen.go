package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LoadOptions describe one load phase against a running server.
type LoadOptions struct {
	URL    string   // the server's base URL, e.g. http://127.0.0.1:8080
	Model  string   // the model name
	Images [][]byte // encoded images, sent in turn
	// Clients is the number of concurrent clients (closed loop: each sends
	// its next request when the last is answered); with Rate it bounds the
	// requests outstanding at once.
	Clients int
	// Rate, when > 0, sends requests at this many per second whatever the
	// answers (open loop), as a production line does.
	Rate     float64
	Duration time.Duration
	// PID, when > 0, is the server's process: its resident memory is
	// sampled during the phase (Linux).
	PID int
}

// LoadReport is what one phase measured.
type LoadReport struct {
	Name        string  `json:"name"`
	Clients     int     `json:"clients"`
	Rate        float64 `json:"rate,omitempty"`
	Seconds     float64 `json:"seconds"`
	Sent        int     `json:"sent"`
	OK          int     `json:"ok"`
	Status429   int     `json:"status_429"`
	Status503   int     `json:"status_503"`
	Other5xx    int     `json:"other_5xx"`
	Other       int     `json:"other_status"`
	Errors      int     `json:"transport_errors"`
	Skipped     int     `json:"skipped"` // open loop: not sent, Clients already outstanding
	Throughput  float64 `json:"images_per_s"`
	P50MS       float64 `json:"p50_ms"`
	P90MS       float64 `json:"p90_ms"`
	P99MS       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	PeakRSSMiB  float64 `json:"peak_rss_mib,omitempty"`
	FirstErrors string  `json:"first_error,omitempty"`
}

// RunLoad sends OIP infer requests (one image each, base64 in JSON) for
// Duration and reports throughput (answered 200 per second), latency
// percentiles of the 200s, the count of each other answer and, with PID,
// the server's peak resident memory during the phase. Every request loop
// is bounded by Duration plus the client timeout.
func RunLoad(ctx context.Context, o LoadOptions) (LoadReport, error) {
	if len(o.Images) == 0 || o.Clients < 1 || o.Duration <= 0 {
		return LoadReport{}, fmt.Errorf("load: need images, clients ≥ 1 and a duration")
	}
	bodies := make([][]byte, len(o.Images))
	for i, img := range o.Images {
		b, _ := json.Marshal(map[string]any{"inputs": []any{map[string]any{"name": InputName, "shape": []int{1}, "datatype": "BYTES",
			"data": []string{base64.StdEncoding.EncodeToString(img)}}}, "outputs": []any{map[string]string{"name": "pred_score"}}})
		bodies[i] = b
	}
	url := strings.TrimRight(o.URL, "/") + "/v2/models/" + o.Model + "/infer"
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients, MaxConnsPerHost: o.Clients}}
	defer client.CloseIdleConnections()
	r := LoadReport{Clients: o.Clients, Rate: o.Rate}
	var mu sync.Mutex
	var lat []time.Duration
	record := func(code int, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			r.Errors++
			if r.FirstErrors == "" {
				r.FirstErrors = err.Error()
			}
		case code == 200:
			r.OK++
			lat = append(lat, d)
		case code == 429:
			r.Status429++
		case code == 503:
			r.Status503++
		case code >= 500:
			r.Other5xx++
		default:
			r.Other++
		}
	}
	send := func(i int) {
		start := time.Now()
		resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i%len(bodies)]))
		if err != nil {
			record(0, 0, err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		record(resp.StatusCode, time.Since(start), nil)
	}
	stopRSS := make(chan struct{})
	rssDone := make(chan int64, 1)
	go func() {
		var peak int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if o.PID > 0 {
				if v, err := ProcRSS(o.PID); err == nil {
					peak = max(peak, v)
				}
			}
			select {
			case <-stopRSS:
				rssDone <- peak
				return
			case <-tick.C:
			}
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	if o.Rate <= 0 {
		for c := range o.Clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := c; ctx.Err() == nil; i += o.Clients {
					mu.Lock()
					r.Sent++
					mu.Unlock()
					send(i)
				}
			}()
		}
	} else {
		slots := make(chan struct{}, o.Clients)
		interval := time.Duration(float64(time.Second) / o.Rate)
		next := time.Now()
	loop:
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				break loop
			case <-time.After(time.Until(next)):
			}
			next = next.Add(interval)
			select {
			case slots <- struct{}{}:
				r.Sent++
				wg.Add(1)
				go func() {
					defer wg.Done()
					send(i)
					<-slots
				}()
			default:
				mu.Lock()
				r.Skipped++
				mu.Unlock()
			}
		}
	}
	wg.Wait()
	r.Seconds = time.Since(start).Seconds()
	close(stopRSS)
	r.PeakRSSMiB = float64(<-rssDone) / (1 << 20)
	r.Throughput = float64(r.OK) / r.Seconds
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	r.P50MS, r.P90MS, r.P99MS, r.MaxMS = pct(0.50), pct(0.90), pct(0.99), pct(1)
	return r, nil
}

// ProcRSS is a process's resident memory in bytes (Linux /proc).
func ProcRSS(pid int) (int64, error) {
	return procStatus(pid, "VmRSS:")
}

// ProcPeakRSS is a process's peak resident memory (VmHWM) in bytes.
func ProcPeakRSS(pid int) (int64, error) {
	return procStatus(pid, "VmHWM:")
}

func procStatus(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, err := strconv.ParseInt(f[1], 10, 64)
				return kb << 10, err
			}
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, key)
}

// WriteLoadTable prints phases as a Markdown table.
func WriteLoadTable(w io.Writer, rs []LoadReport) {
	fmt.Fprintln(w, "| phase | clients | rate/s | seconds | sent | 200 | 429 | 503 | other 5xx | errors | images/s | p50 ms | p90 ms | p99 ms | max ms | peak RSS MiB |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		rate := "closed"
		if r.Rate > 0 {
			rate = strconv.FormatFloat(r.Rate, 'f', 2, 64)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.1f | %d | %d | %d | %d | %d | %d | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f |\n",
			r.Name, r.Clients, rate, r.Seconds, r.Sent, r.OK, r.Status429, r.Status503, r.Other5xx, r.Errors, r.Throughput,
			r.P50MS, r.P90MS, r.P99MS, r.MaxMS, r.PeakRSSMiB)
	}
}
