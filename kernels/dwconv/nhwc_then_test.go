package dwconv

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/mambaad/mambaad/internal/testutil"
)

// TestForwardNHWCThen checks the epilogue hook: y is ForwardNHWC's, every
// element lies in exactly one piece, and each piece is final when it is
// handed over (a copy taken in the hook equals the finished y), for the
// direct and the packed paths.
func TestForwardNHWCThen(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, sh := range []struct{ n, h, w, c, k int }{{2, 8, 8, 48, 3}, {1, 5, 7, 33, 3}, {2, 8, 8, 1024, 3}, {1, 4, 4, 512, 3}, {3, 16, 16, 64, 7}} {
		t.Run(fmt.Sprintf("%+v", sh), func(t *testing.T) {
			n := sh.n * sh.h * sh.w * sh.c
			x, wt, bias := testutil.NormVec(rng, n), testutil.NormVec(rng, sh.c*sh.k*sh.k), testutil.NormVec(rng, sh.c)
			want := make([]float32, n)
			ForwardNHWC(sh.n, sh.h, sh.w, sh.c, sh.k, x, wt, bias, want)
			y, seen, copyY := make([]float32, n), make([]int32, n), make([]float32, n)
			var mu sync.Mutex
			ForwardNHWCThen(sh.n, sh.h, sh.w, sh.c, sh.k, x, wt, bias, y, func(off, m int) {
				mu.Lock()
				defer mu.Unlock()
				for i := off; i < off+m; i++ {
					seen[i]++
				}
				copy(copyY[off:off+m], y[off:off+m])
			})
			if !slices.Equal(y, want) {
				t.Fatal("output differs from ForwardNHWC")
			}
			if !slices.Equal(copyY, want) {
				t.Fatal("a piece was handed over before it was final")
			}
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("element %d in %d pieces", i, c)
				}
			}
		})
	}
}
