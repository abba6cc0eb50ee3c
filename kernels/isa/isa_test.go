package isa

import "testing"

func TestParseRoundTrip(t *testing.T) {
	for _, l := range []Level{Generic, AVX2, AVX512} {
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
