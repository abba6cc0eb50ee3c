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
	o = BenchOptions{Sections: []string{"kernels"}, Precision: "bf16"}
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "bench model --precision bf16") {
		t.Fatalf("--precision without the model section: %v", err)
	}
	o = BenchOptions{Sections: []string{"model"}, Precision: "fp16"}
	if err := o.Validate(); err == nil || err.Error() != `--precision "fp16": want fp32 or bf16` {
		t.Fatalf("--precision fp16: %v", err)
	}
	o = BenchOptions{Sections: []string{"gpu"}}
	if err := o.Validate(); err == nil {
		t.Fatal("unknown section accepted")
	}
}
