package report

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Machine describes the computer a run happens on, for the report's run
// information: timings and even float rounding depend on it. The CPU model
// is read from /proc/cpuinfo where it exists (Linux) and left out
// elsewhere.
func Machine() string {
	parts := []string{runtime.GOOS + "/" + runtime.GOARCH}
	if m := cpuModel(); m != "" {
		parts = append(parts, m)
	}
	parts = append(parts, fmt.Sprintf("%d CPUs (GOMAXPROCS %d)", runtime.NumCPU(), runtime.GOMAXPROCS(0)), runtime.Version())
	if h, err := os.Hostname(); err == nil && h != "" {
		parts = append(parts, "host "+h)
	}
	return strings.Join(parts, ", ")
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
