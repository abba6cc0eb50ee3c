package run

import (
	"slices"
	"strings"
	"testing"
)

func TestBenchValidate(t *testing.T) {
	o := BenchOptions{Sections: []string{"all"}, Breakdown: true}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"kernels", "model", "metrics"}; !slices.Equal(o.Sections, want) {
		t.Fatalf("sections %v, want %v", o.Sections, want)
	}
	o = BenchOptions{Sections: []string{"kernels"}, Breakdown: true}
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "bench model --breakdown") {
		t.Fatalf("--breakdown without the model section: %v", err)
	}
	o = BenchOptions{Sections: []string{"gpu"}}
	if err := o.Validate(); err == nil {
		t.Fatal("unknown section accepted")
	}
}
