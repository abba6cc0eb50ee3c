package ops

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
	"github.com/mambaad/mambaad/kernels/isa"
)

// TestFusedMatchesSequence compares the fused chains with the kernels run
// one after the other over whole arrays: bit for bit when the rows are a
// multiple of 16 values (the model's shapes), within rounding otherwise
// (the vector tails then fall elsewhere), with and without the kept
// intermediate, in place and not, and the same for any worker count.
func TestFusedMatchesSequence(t *testing.T) {
	levels(t, func(t *testing.T, l isa.Level) {
		rng := rand.New(rand.NewPCG(4, 4))
		for _, sh := range []struct{ rows, cols int }{{700, 96}, {33, 1024}, {5000, 16}, {97, 1000}, {5, 7}} {
			rows, cols := sh.rows, sh.cols
			n := rows * cols
			x, z := testutil.NormVec(rng, n), testutil.NormVec(rng, n)
			gamma, beta := testutil.NormVec(rng, cols), testutil.NormVec(rng, cols)
			exact := cols%16 == 0
			name := fmt.Sprintf("%d×%d", rows, cols)

			// The unfused sequences.
			wantY, wantOut := make([]float32, n), make([]float32, n)
			wantM, wantS := make([]float32, rows), make([]float32, rows)
			layerNorm(l, x, rows, cols, gamma, beta, 1e-5, wantY, wantM, wantS)
			siLUMul(l, wantY, z, wantOut)
			wantIY, wantIOut := make([]float32, n), make([]float32, n)
			layerNorm(l, x, rows, cols, nil, nil, 1e-5, wantIY, nil, nil)
			siLU(l, wantIY, wantIOut)

			testutil.SameForAnyWorkers(t, "fused "+name, func() [][]float32 {
				y, out, m, s := make([]float32, n), make([]float32, n), make([]float32, rows), make([]float32, rows)
				layerNormSiLUMul(l, x, rows, cols, gamma, beta, 1e-5, z, y, out, m, s)
				inPlace := slices.Clone(x)
				layerNormSiLUMul(l, inPlace, rows, cols, gamma, beta, 1e-5, z, nil, inPlace, nil, nil)
				iy, iout := make([]float32, n), make([]float32, n)
				normAct(l, "InstanceNormSiLU", x, rows, cols, nil, nil, 1e-5, nil, iy, iout, nil, nil)
				iInPlace := slices.Clone(x)
				normAct(l, "InstanceNormSiLU", iInPlace, rows, cols, nil, nil, 1e-5, nil, nil, iInPlace, nil, nil)
				return [][]float32{y, out, m, s, inPlace, iy, iout, iInPlace}
			})
			y, out, m, s := make([]float32, n), make([]float32, n), make([]float32, rows), make([]float32, rows)
			layerNormSiLUMul(l, x, rows, cols, gamma, beta, 1e-5, z, y, out, m, s)
			inPlace := slices.Clone(x)
			layerNormSiLUMul(l, inPlace, rows, cols, gamma, beta, 1e-5, z, nil, inPlace, nil, nil)
			iy, iout := make([]float32, n), make([]float32, n)
			normAct(l, "InstanceNormSiLU", x, rows, cols, nil, nil, 1e-5, nil, iy, iout, nil, nil)
			for _, c := range []struct {
				what      string
				got, want []float32
				exactAll  bool
			}{
				{"LayerNorm output", y, wantY, true}, {"mean", m, wantM, true}, {"rstd", s, wantS, true},
				{"gated output", out, wantOut, exact}, {"gated output in place", inPlace, wantOut, exact},
				{"InstanceNorm output", iy, wantIY, true}, {"InstanceNorm+SiLU", iout, wantIOut, exact},
			} {
				if c.exactAll {
					if !slices.Equal(c.got, c.want) {
						t.Errorf("%s: %s differs from the unfused kernels", name, c.what)
					}
				} else if d := testutil.MaxAbsDiff(c.got, c.want); d > 1e-6 {
					t.Errorf("%s: %s differs by %g from the unfused kernels", name, c.what, d)
				}
			}
		}
	})
}
