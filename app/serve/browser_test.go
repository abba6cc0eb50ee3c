package serve

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromium finds a headless-capable Chromium: Debian's package, else
// another common name. Without one the test skips, unless
// MAMBAAD_REQUIRE_BROWSER is set (CI sets it), when it fails.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MAMBAAD_REQUIRE_BROWSER") != "" {
		t.Fatal("MAMBAAD_REQUIRE_BROWSER is set but no chromium is installed (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH: the browser test needs Debian's chromium (apt-get install chromium); set MAMBAAD_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// TestPageInBrowser drives the real page in headless Chromium: it loads,
// shows the model's metadata and thresholds, takes uploaded images through
// the file picker, shows a verdict, a score equal to the server's and a
// drawn heat map, and re-decides when the threshold slider is moved with
// the keyboard (Home: threshold 0, everything anomalous; End: above every
// score, normal). The screenshot is saved in the test's temporary
// directory (and in MAMBAAD_SCREENSHOT_DIR when set, for the README).
func TestPageInBrowser(t *testing.T) {
	exe := chromium(t)
	_, ts := startServer(t, Config{})
	dir := t.TempDir()
	var files []string
	for i, c := range []struct {
		k, w, h int
		defect  bool
	}{{0, 300, 220, false}, {1, 260, 260, false}, {0, 320, 240, true}, {1, 400, 300, true}} {
		p := filepath.Join(dir, fmt.Sprintf("part-%03d.png", i+1))
		if err := os.WriteFile(p, encodePNG(t, SyntheticImage(c.k, c.w, c.h, uint64(40+i), c.defect)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 1000),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		must("reading #"+id, err)
		return v
	}
	wait := func(what, expr string, d time.Duration) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d)))
		must(what, err)
	}
	must("loading the page", chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("drop"))))
	wait("status Ready", `document.getElementById('status').textContent === 'Ready'`, 20*time.Second)
	version, thresholds := text("model-version"), text("thresholds")
	if version == "" || !strings.Contains(thresholds, "bolt") || !strings.Contains(thresholds, "tile") {
		t.Errorf("model panel: version %q, thresholds %q", version, thresholds)
	}

	// One upload through the file picker.
	must("uploading", chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("file"), files[2:3])))
	wait("a verdict", `['ANOMALOUS','NORMAL','NO THRESHOLD'].includes(document.getElementById('verdict').textContent)`, 30*time.Second)
	verdict, scoreText := text("verdict"), text("score")
	serverScore, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`state.current.resp.score`))
	must("reading the response", err)
	wait("the heat map drawn", `(() => { const c = document.getElementById('overlay'); if (c.width < 100) return false;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const s = new Set();
		for (let i = 0; i < d.length; i += 4 * 97) s.add(d[i] + ',' + d[i+1] + ',' + d[i+2]); return s.size > 20; })()`, 10*time.Second)
	if shown, err := strconv.ParseFloat(scoreText, 64); err != nil || serverScore <= 0 || math.Abs(shown-serverScore) > 1e-4*serverScore {
		t.Errorf("score shown %q, server's %v", scoreText, serverScore)
	}

	// The slider, moved with the keyboard: Home is threshold 0, End the top.
	must("moving the slider", chromedp.Do(ctx, chromedp.Focus(chromedp.ID("threshold-slider")), chromedp.KeyEvent(kb.Home)))
	low, lowVal := text("verdict"), text("threshold")
	must("moving the slider", chromedp.Do(ctx, chromedp.KeyEvent(kb.End)))
	high, highVal := text("verdict"), text("threshold")
	if low != "ANOMALOUS" || high != "NORMAL" {
		t.Errorf("slider at %s: %q; at %s: %q (calibrated: %q)", lowVal, low, highVal, high, verdict)
	}

	// Several at once; then show one of them.
	must("several uploads", chromedp.Do(ctx, chromedp.Click(chromedp.ID("threshold-reset")), chromedp.SetUploadFiles(chromedp.ID("file"), files)))
	wait("five results", `document.querySelectorAll('#recent li').length === 5 && !document.querySelector('#recent .chip-wait')`, 30*time.Second)
	must("selecting a result", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#recent li[data-id="4"]`)), chromedp.Sleep(300*time.Millisecond)))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must("screenshot", err)
	shot := filepath.Join(t.TempDir(), "serve-page.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	if d := os.Getenv("MAMBAAD_SCREENSHOT_DIR"); d != "" {
		os.WriteFile(filepath.Join(d, "serve-page.png"), png, 0o644)
	}
}
