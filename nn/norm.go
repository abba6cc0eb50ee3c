package nn

import "github.com/mambaad/mambaad/kernels/ops"

// LayerNorm normalises each row of a (rows, C) matrix over its C values
// (biased variance) with an affine weight and bias.
type LayerNorm struct {
	C    int
	Eps  float32
	W, B *Param

	x, y       []float32
	mean, rstd []float32
	rows       int
}

// NewLayerNorm returns a LayerNorm with weight 1 and bias 0.
func NewLayerNorm(name string, c int, eps float32) *LayerNorm {
	ln := &LayerNorm{C: c, Eps: eps, W: NewParam(name+".weight", c), B: NewParam(name+".bias", c)}
	for i := range ln.W.W {
		ln.W.W[i] = 1
	}
	return ln
}

// Params returns weight and bias.
func (l *LayerNorm) Params() []*Param { return []*Param{l.W, l.B} }

// Forward normalises x (rows, C).
func (l *LayerNorm) Forward(x []float32, rows int) []float32 {
	l.x, l.rows = x, rows
	l.y = ensure(l.y, rows*l.C)
	l.mean = ensure(l.mean, rows)
	l.rstd = ensure(l.rstd, rows)
	ops.LayerNorm(x, rows, l.C, l.W.W, l.B.W, l.Eps, l.y, l.mean, l.rstd)
	return l.y
}

// Out returns the output of the last Forward.
func (l *LayerNorm) Out() []float32 { return l.y }

// Release drops the output, statistics and input reference kept for
// Backward, so that an idle layer holds no activation memory.
func (l *LayerNorm) Release() { l.x, l.y, l.mean, l.rstd = nil, nil, nil, nil }

// Backward returns dx and accumulates the weight and bias gradients.
func (l *LayerNorm) Backward(dy []float32) []float32 {
	dx := GetScratch(l.rows * l.C)
	ops.LayerNormBackward(dy, l.x, l.rows, l.C, l.W.W, l.mean, l.rstd, dx, l.W.G, l.B.G)
	return dx
}

// InstanceNorm normalises each (sample, channel) plane of an (N, C, HW)
// tensor with its own statistics; it has no parameters (PyTorch's default
// InstanceNorm2d: affine=False, track_running_stats=False).
type InstanceNorm struct {
	Eps float32

	x, y       []float32
	mean, rstd []float32
	planes, hw int
}

// Forward normalises planes of hw values.
func (l *InstanceNorm) Forward(x []float32, planes, hw int) []float32 {
	l.x, l.planes, l.hw = x, planes, hw
	l.y = ensure(l.y, planes*hw)
	l.mean = ensure(l.mean, planes)
	l.rstd = ensure(l.rstd, planes)
	ops.InstanceNorm(x, planes, hw, l.Eps, l.y, l.mean, l.rstd)
	return l.y
}

// Backward returns dx.
func (l *InstanceNorm) Backward(dy []float32) []float32 {
	dx := GetScratch(l.planes * l.hw)
	ops.InstanceNormBackward(dy, l.x, l.planes, l.hw, l.mean, l.rstd, dx)
	return dx
}

// BatchNorm2d is PyTorch's BatchNorm2d on (N, C, HW): in training it
// normalises with the batch statistics and updates the running ones; in
// evaluation it uses the running statistics.
type BatchNorm2d struct {
	C                      int
	Eps, Momentum          float32
	W, B                   *Param
	RunMean, RunVar, Count *Param // buffers
	Train                  bool

	x, y       []float32
	mean, rstd []float32
	n, hw      int
}

// NewBatchNorm2d returns a BatchNorm with weight 1, bias 0, running mean 0
// and running variance 1 (PyTorch's initial state).
func NewBatchNorm2d(name string, c int) *BatchNorm2d {
	bn := &BatchNorm2d{C: c, Eps: 1e-5, Momentum: 0.1,
		W: NewParam(name+".weight", c), B: NewParam(name+".bias", c),
		RunMean: NewBuffer(name+".running_mean", c), RunVar: NewBuffer(name+".running_var", c),
		Count: NewBuffer(name + ".num_batches_tracked")}
	bn.Count.Int64 = true
	for i := 0; i < c; i++ {
		bn.W.W[i], bn.RunVar.W[i] = 1, 1
	}
	return bn
}

// Params returns weight, bias and the three buffers in state_dict order.
func (l *BatchNorm2d) Params() []*Param {
	return []*Param{l.W, l.B, l.RunMean, l.RunVar, l.Count}
}

// Forward normalises x (n, C, hw).
func (l *BatchNorm2d) Forward(x []float32, n, hw int) []float32 {
	l.x, l.n, l.hw = x, n, hw
	l.y = ensure(l.y, n*l.C*hw)
	if !l.Train {
		ops.BatchNormEval(x, n, l.C, hw, l.W.W, l.B.W, l.RunMean.W, l.RunVar.W, l.Eps, l.y)
		return l.y
	}
	l.mean = ensure(l.mean, l.C)
	l.rstd = ensure(l.rstd, l.C)
	ops.BatchNormTrain(x, n, l.C, hw, l.W.W, l.B.W, l.Eps, l.Momentum, l.RunMean.W, l.RunVar.W, l.y, l.mean, l.rstd)
	l.Count.W[0]++
	return l.y
}

// Backward returns dx and accumulates the weight and bias gradients.
func (l *BatchNorm2d) Backward(dy []float32) []float32 {
	dx := GetScratch(l.n * l.C * l.hw)
	if !l.Train {
		ops.BatchNormEvalBackward(dy, l.x, l.n, l.C, l.hw, l.W.W, l.RunMean.W, l.RunVar.W, l.Eps, dx, l.W.G, l.B.G)
		return dx
	}
	ops.BatchNormBackward(dy, l.x, l.n, l.C, l.hw, l.W.W, l.mean, l.rstd, dx, l.W.G, l.B.G)
	return dx
}
