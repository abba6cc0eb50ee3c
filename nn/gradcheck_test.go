package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/mambaad/mambaad/nn"
)

// TestMain runs the package's tests with the scratch pool's checking mode
// on: a buffer returned twice or never obtained panics at the faulty call,
// and buffers are NaN-filled when handed out and returned, so a Backward
// that leaves part of its dx unwritten fails its gradient check.
func TestMain(m *testing.M) {
	nn.SetScratchChecks(true)
	os.Exit(m.Run())
}

// layerCase is one layer instance under a finite-difference check, in the
// llm.c style: forward and backward side by side. forward runs the layer on
// x and returns its output (owned by the layer); backward takes d loss / d
// output and returns d loss / d x (a scratch buffer, or nil for a layer
// whose input gradient is not computed).
type layerCase struct {
	name     string
	x        []float32
	params   []*nn.Param
	forward  func(x []float32) []float32
	backward func(dy []float32) []float32
}

// Finite-difference settings. The layers compute in float32, so the loss
// L = Σ y·r (accumulated in float64) carries float32 rounding noise of about
// 1e-7·Σ|y·r|; the central difference (L(x+h) − L(x−h))/2h divides that
// noise by 2h while its truncation error grows as h²·f‴/6. h = 1e-2 balances
// the two for inputs and weights of order 1. The error of an element is
// |numeric − analytic| / max(max|analytic| over the tensor, 1e-3); the
// largest over all cases is 2.6e-5 (LayerNorm and InstanceNorm dx), and
// gradTol is about 10× that.
const (
	fdStep  = 1e-2
	gradTol = 3e-4
)

// checkLayer compares the analytic input and parameter gradients of a loss
// L = Σ y·r (r fixed random) with float64 central differences, checks that
// parameter gradients accumulate over two backward passes, and that the
// scratch pool balances after forward and after backward.
func checkLayer(t *testing.T, c layerCase) {
	t.Helper()
	c.params = nn.Trainables(c.params) // BatchNorm's running statistics have no gradient
	rng := rand.New(rand.NewPCG(7, uint64(len(c.name))))
	mark := nn.ScratchOutstanding()
	y := c.forward(c.x)
	nn.CheckScratchBalance(t, mark, c.name+": after forward")
	r := randVec(rng, len(y))
	loss := func() float64 {
		y := c.forward(c.x)
		s := 0.0
		for i, v := range y {
			s += float64(v) * float64(r[i])
		}
		return s
	}

	loss() // forward state for backward
	nn.ZeroGrad(c.params)
	dx := c.backward(r)
	var dxA []float32
	if dx != nil {
		dxA = append([]float32(nil), dx...)
		nn.PutScratch(dx)
	}
	nn.CheckScratchBalance(t, mark, c.name+": after backward")
	g1 := make([][]float32, len(c.params))
	for i, p := range c.params {
		g1[i] = append([]float32(nil), p.G...)
	}
	// Parameter gradients accumulate: a second backward doubles them.
	nn.PutScratch(c.backward(r))
	for i, p := range c.params {
		for j, g := range p.G {
			if want := 2 * g1[i][j]; math.Abs(float64(g-want)) > 1e-5*(1+math.Abs(float64(want))) {
				t.Errorf("%s: %s gradient does not accumulate: [%d] = %g after two backward passes, want %g", c.name, p.Name, j, g, want)
				break
			}
		}
	}
	nn.CheckScratchBalance(t, mark, c.name+": after a second backward")

	if dxA != nil {
		fdCompare(t, c.name+": dx", c.x, dxA, loss)
	}
	for i, p := range c.params {
		fdCompare(t, c.name+": d "+p.Name, p.W, g1[i], loss)
	}
}

// fdCompare perturbs every element of v by ±h and compares the central
// difference of loss with the analytic gradient ana.
func fdCompare(t *testing.T, what string, v, ana []float32, loss func() float64) {
	t.Helper()
	if len(v) != len(ana) {
		t.Fatalf("%s: %d values, %d gradients", what, len(v), len(ana))
	}
	scale := 1e-3
	for _, a := range ana {
		scale = max(scale, math.Abs(float64(a)))
	}
	worst, at := 0.0, -1
	var num float64
	for i := range v {
		orig := v[i]
		v[i] = orig + fdStep
		lp := loss()
		v[i] = orig - fdStep
		lm := loss()
		v[i] = orig
		n := (lp - lm) / (2 * fdStep)
		if e := math.Abs(n-float64(ana[i])) / scale; e > worst || math.IsNaN(e) {
			worst, at, num = e, i, n
			if math.IsNaN(e) {
				break
			}
		}
	}
	if !(worst <= gradTol) {
		t.Errorf("%s: [%d] analytic %g, numeric %g (error %.3g of max|grad| %.3g, tolerance %.0g)", what, at, ana[at], num, worst, scale, gradTol)
	} else if testing.Verbose() {
		t.Logf("%s: worst error %.2g of max|grad| %.3g", what, worst, scale)
	}
}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

func fill(rng *rand.Rand, v []float32, scale float64) {
	for i := range v {
		v[i] = float32(rng.NormFloat64() * scale)
	}
}

// awayFromZero moves values within margin of 0 out to ±margin..2·margin, so
// that a ReLU input never crosses its kink under a finite-difference step.
func awayFromZero(v []float32, margin float32) {
	for i, x := range v {
		switch {
		case x >= 0 && x < margin:
			v[i] = margin + x
		case x < 0 && x > -margin:
			v[i] = -margin + x
		}
	}
}

func TestLinearGradients(t *testing.T) {
	for _, bias := range []bool{true, false} {
		rng := rand.New(rand.NewPCG(1, 1))
		const rows, in, out = 5, 7, 4
		l := nn.NewLinear("lin", in, out, bias)
		for _, p := range l.Params() {
			fill(rng, p.W, 0.5)
		}
		checkLayer(t, layerCase{name: fmt.Sprintf("linear bias=%v", bias), x: randVec(rng, rows*in), params: l.Params(),
			forward:  func(x []float32) []float32 { return l.Forward(x, rows) },
			backward: l.Backward})
	}
}

func TestConv2dGradients(t *testing.T) {
	for _, c := range []struct {
		c, k, kernel, stride, pad, h, w int
		bias                            bool
	}{
		{3, 4, 3, 1, 1, 5, 6, true},
		{3, 4, 3, 2, 1, 7, 6, false},
		{2, 5, 1, 1, 0, 4, 4, true},
		{3, 2, 7, 2, 3, 9, 8, false},
	} {
		name := fmt.Sprintf("conv %dx%d/%d pad %d %d→%d bias=%v", c.kernel, c.kernel, c.stride, c.pad, c.c, c.k, c.bias)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, uint64(c.kernel)))
			const n = 2
			l := nn.NewConv2d("conv", c.c, c.k, c.kernel, c.stride, c.pad, c.bias)
			for _, p := range l.Params() {
				fill(rng, p.W, 0.5)
			}
			x := randVec(rng, n*c.c*c.h*c.w)
			checkLayer(t, layerCase{name: name, x: x, params: l.Params(),
				forward:  func(x []float32) []float32 { return l.Forward(x, n, c.h, c.w) },
				backward: l.Backward})
			// BackwardWeightOnly accumulates the same weight gradients.
			l.Forward(x, n, c.h, c.w)
			oh, ow := l.OutSize(c.h, c.w)
			dy := randVec(rng, n*c.k*oh*ow)
			nn.ZeroGrad(l.Params())
			nn.PutScratch(l.Backward(dy))
			want := append([]float32(nil), l.W.G...)
			nn.ZeroGrad(l.Params())
			l.BackwardWeightOnly(dy)
			for i := range want {
				if l.W.G[i] != want[i] {
					t.Fatalf("BackwardWeightOnly: dW[%d] = %g, Backward gives %g", i, l.W.G[i], want[i])
				}
			}
		})
	}
}

func TestDWConvGradients(t *testing.T) {
	for _, last := range []bool{false, true} {
		for _, k := range []int{3, 5, 7} {
			bias := k != 5
			name := fmt.Sprintf("dwconv %dx%d channels-last=%v bias=%v", k, k, last, bias)
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, uint64(k)))
				const n, c, h, w = 2, 3, 6, 5
				l := nn.NewDWConv("dw", c, k, bias)
				l.ChannelsLast = last
				for _, p := range l.Params() {
					fill(rng, p.W, 0.5)
				}
				checkLayer(t, layerCase{name: name, x: randVec(rng, n*c*h*w), params: l.Params(),
					forward:  func(x []float32) []float32 { return l.Forward(x, n, h, w) },
					backward: l.Backward})
			})
		}
	}
}

func TestLayerNormGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	const rows, c = 6, 8
	l := nn.NewLayerNorm("ln", c, 1e-5)
	fill(rng, l.W.W, 1)
	fill(rng, l.B.W, 1)
	checkLayer(t, layerCase{name: "layernorm", x: randVec(rng, rows*c), params: l.Params(),
		forward:  func(x []float32) []float32 { return l.Forward(x, rows) },
		backward: l.Backward})
}

func TestInstanceNormGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	const planes, hw = 6, 10
	l := &nn.InstanceNorm{Eps: 1e-5}
	checkLayer(t, layerCase{name: "instancenorm", x: randVec(rng, planes*hw),
		forward:  func(x []float32) []float32 { return l.Forward(x, planes, hw) },
		backward: l.Backward})
}

func TestBatchNormGradients(t *testing.T) {
	for _, train := range []bool{true, false} {
		rng := rand.New(rand.NewPCG(6, 1))
		const n, c, hw = 3, 4, 5
		l := nn.NewBatchNorm2d("bn", c)
		l.Train = train
		fill(rng, l.W.W, 1)
		fill(rng, l.B.W, 1)
		fill(rng, l.RunMean.W, 0.3)
		for i := range l.RunVar.W {
			l.RunVar.W[i] = 0.5 + rng.Float32()
		}
		checkLayer(t, layerCase{name: fmt.Sprintf("batchnorm train=%v", train), x: randVec(rng, n*c*hw), params: l.Params(),
			forward:  func(x []float32) []float32 { return l.Forward(x, n, hw) },
			backward: l.Backward})
	}
}

func TestActivationGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	var silu nn.SiLU
	x := randVec(rng, 40)
	for i := range x {
		x[i] *= 3 // reach both tails of the sigmoid
	}
	checkLayer(t, layerCase{name: "silu", x: x, forward: silu.Forward, backward: silu.Backward})

	var relu nn.ReLU
	x = randVec(rng, 40)
	awayFromZero(x, 4*fdStep)
	checkLayer(t, layerCase{name: "relu", x: x, forward: relu.Forward, backward: relu.Backward})
}
