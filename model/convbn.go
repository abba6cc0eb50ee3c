package model

import (
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
)

// ConvBN is a convolution followed by BatchNorm and optionally ReLU, the
// unit of the fusion block and of the trainable Bottlenecks in it.
type ConvBN struct {
	Conv *nn.Conv2d
	BN   *nn.BatchNorm2d
	Act  bool // ReLU after the norm

	relu      nn.ReLU
	n, oh, ow int
}

// NewConvBN names the conv and the norm separately, as the reference does
// (e.g. "conv21" and "bn21").
func NewConvBN(convName, bnName string, c, k, kernel, stride, pad int, bias, act bool) *ConvBN {
	return &ConvBN{Conv: nn.NewConv2d(convName, c, k, kernel, stride, pad, bias),
		BN: nn.NewBatchNorm2d(bnName, k), Act: act}
}

// Params returns conv then norm tensors.
func (u *ConvBN) Params() []*nn.Param { return append(u.Conv.Params(), u.BN.Params()...) }

// Forward maps x (n, C, h, w) to (n, K, oh, ow).
func (u *ConvBN) Forward(x []float32, n, h, w int) []float32 {
	u.n = n
	u.oh, u.ow = u.Conv.OutSize(h, w)
	y := u.BN.Forward(u.Conv.Forward(x, n, h, w), n, u.oh*u.ow)
	if u.Act {
		y = u.relu.Forward(y)
	}
	return y
}

// Backward returns dx (a scratch buffer the caller releases);
// needInput=false skips the input gradient (whose producer is frozen) and
// returns nil.
func (u *ConvBN) Backward(dy []float32, needInput bool) []float32 {
	var act []float32
	if u.Act {
		act = u.relu.Backward(dy)
		dy = act
	}
	g := u.BN.Backward(dy)
	nn.PutScratch(act)
	defer nn.PutScratch(g)
	if !needInput {
		u.Conv.BackwardWeightOnly(g)
		return nil
	}
	return u.Conv.Backward(g)
}

// Bottleneck is the ResNet bottleneck block (1×1 → 3×3 with the stride →
// 1×1 ×4, BatchNorm after each, shortcut added before the last ReLU), in its
// trainable form used by the fusion block's one-class embedding.
type Bottleneck struct {
	C1, C2, C3 *ConvBN
	Down       *ConvBN // nil when the shortcut is the identity

	relu    nn.ReLU
	sum, dx []float32
	n, h, w int
	oh, ow  int
}

// NewBottleneck builds a block with the given input channels, planes (the
// inner width) and stride; the output has 4·planes channels.
func NewBottleneck(name string, in, planes, stride int) *Bottleneck {
	b := &Bottleneck{
		C1: NewConvBN(name+".conv1", name+".bn1", in, planes, 1, 1, 0, false, true),
		C2: NewConvBN(name+".conv2", name+".bn2", planes, planes, 3, stride, 1, false, true),
		C3: NewConvBN(name+".conv3", name+".bn3", planes, 4*planes, 1, 1, 0, false, false),
	}
	if stride != 1 || in != 4*planes {
		b.Down = NewConvBN(name+".downsample.0", name+".downsample.1", in, 4*planes, 1, stride, 0, false, false)
	}
	return b
}

// Params returns the tensors in state_dict order.
func (b *Bottleneck) Params() []*nn.Param {
	ps := append(append(b.C1.Params(), b.C2.Params()...), b.C3.Params()...)
	if b.Down != nil {
		ps = append(ps, b.Down.Params()...)
	}
	return ps
}

// SetTrain switches every BatchNorm between batch and running statistics.
func (b *Bottleneck) SetTrain(train bool) {
	for _, u := range []*ConvBN{b.C1, b.C2, b.C3, b.Down} {
		if u != nil {
			u.BN.Train = train
		}
	}
}

// Forward maps x (n, in, h, w) to (n, 4·planes, oh, ow).
func (b *Bottleneck) Forward(x []float32, n, h, w int) []float32 {
	b.n, b.h, b.w = n, h, w
	y := b.C1.Forward(x, n, h, w)
	y = b.C2.Forward(y, n, h, w)
	b.oh, b.ow = b.C2.oh, b.C2.ow
	y = b.C3.Forward(y, n, b.oh, b.ow)
	short := x
	if b.Down != nil {
		short = b.Down.Forward(x, n, h, w)
	}
	b.sum = ensureLen(b.sum, len(y))
	ops.Add(y, short, b.sum)
	return b.relu.Forward(b.sum)
}

// Backward returns dx, a scratch buffer the caller releases.
func (b *Bottleneck) Backward(dy []float32) []float32 {
	g := b.relu.Backward(dy)
	g3 := b.C3.Backward(g, true)
	g2 := b.C2.Backward(g3, true)
	dx := b.C1.Backward(g2, true)
	nn.PutScratch(g3, g2)
	if b.Down != nil {
		gd := b.Down.Backward(g, true)
		ops.AddInPlace(dx, gd)
		nn.PutScratch(gd)
	} else {
		ops.AddInPlace(dx, g)
	}
	nn.PutScratch(g)
	return dx
}
