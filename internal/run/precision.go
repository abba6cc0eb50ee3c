package run

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/kernels/isa"
	"github.com/mambaad/mambaad/model"
)

// PrecisionHelp is the --precision flag's usage line.
const PrecisionHelp = "arithmetic of the model's large products: fp32 (the reference) or bf16 (bfloat16 operands, float32 sums; runs as fp32 on CPUs without AVX512_BF16)"

// ParsePrecision reads a --precision value: fp32 (also "") or bf16.
func ParsePrecision(s string) (gemm.Precision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "fp32":
		return gemm.FP32, nil
	case "bf16":
		return gemm.BF16, nil
	}
	return gemm.FP32, fmt.Errorf("--precision %q: want fp32 or bf16", s)
}

// fallbackNote makes the bf16-runs-as-fp32 note appear once per process.
var fallbackNote sync.Once

// NotePrecision says on w, once per process, that bf16 runs as fp32 on
// this machine, when p is bf16 and the CPU (or MAMBAAD_ISA) lacks it.
func NotePrecision(p gemm.Precision, w io.Writer) {
	if p == gemm.BF16 && p.Effective() != gemm.BF16 {
		fallbackNote.Do(func() {
			fmt.Fprintf(w, "note: --precision bf16 runs as fp32 here (ISA level %v has no AVX512_BF16)\n", isa.Best())
		})
	}
}

// setPrecision puts a loaded model in precision p (inference only).
func setPrecision(m *model.MambaAD, p gemm.Precision, stderr io.Writer) error {
	NotePrecision(p, stderr)
	return m.SetPrecision(p)
}
