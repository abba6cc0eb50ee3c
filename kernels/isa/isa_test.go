package isa

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestParseRoundTrip(t *testing.T) {
	for _, l := range []Level{Generic, AVX2, AVX512, AVX512BF16} {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Fatalf("ParseLevel(%q) = %v, %v", l.String(), got, err)
		}
	}
	if _, err := ParseLevel("sse9"); err == nil {
		t.Fatal("unknown level accepted")
	}
}

func TestBestNotAboveHardware(t *testing.T) {
	if Best() > Hardware() {
		t.Fatalf("Best %v above Hardware %v", Best(), Hardware())
	}
	av := Available()
	if av[0] != Generic || av[len(av)-1] != Hardware() {
		t.Fatalf("Available = %v", av)
	}
	t.Logf("hardware %v, best %v", Hardware(), Best())
}

func TestChooseBest(t *testing.T) {
	for _, c := range []struct {
		env  string
		want Level
	}{
		{"", hardware}, {"auto", hardware}, {" AUTO ", hardware},
		{"generic", Generic}, {"avx2", min(AVX2, hardware)}, {"AVX512", min(AVX512, hardware)},
		{"avx512bf16", min(AVX512BF16, hardware)},
	} {
		if got, err := chooseBest(c.env); err != nil || got != c.want {
			t.Errorf("MAMBAAD_ISA=%q: %v, %v; want %v", c.env, got, err, c.want)
		}
	}
	l, err := chooseBest("avx3")
	if err == nil || l != Generic {
		t.Fatalf("MAMBAAD_ISA=avx3: %v, %v; want Generic and an error", l, err)
	}
	if want := `MAMBAAD_ISA="avx3": want one of auto, avx512bf16, avx512, avx2, generic`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// childEnv marks the subprocess of TestUnknownEnvValue.
const childEnv = "MAMBAAD_ISA_TEST_CHILD"

// TestMain lets the test binary play a command for TestUnknownEnvValue: it
// starts with MAMBAAD_ISA already read by this package's initialisation and
// does what cmd/mambaad does first — print Err as one line, exit 2.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := Err(); err != nil {
			fmt.Fprintln(os.Stderr, "mambaad:", err)
			os.Exit(2)
		}
		fmt.Println("no error")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestUnknownEnvValue runs the test binary with MAMBAAD_ISA=avx3: package
// initialisation must not panic, and the command's check prints exactly one
// line naming the variable, the value and the accepted values, with exit
// status 2.
func TestUnknownEnvValue(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	run := func(val string) (string, string, int) {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), childEnv+"=1", EnvVar+"="+val)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	_, stderr, code := run("avx3")
	want := "mambaad: MAMBAAD_ISA=\"avx3\": want one of auto, avx512bf16, avx512, avx2, generic\n"
	if code != 2 || stderr != want {
		t.Errorf("MAMBAAD_ISA=avx3: exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
	if stdout, stderr, code := run("avx2"); code != 0 || stdout != "no error\n" || stderr != "" {
		t.Errorf("MAMBAAD_ISA=avx2: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
