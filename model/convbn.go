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
	inLen     int // elements of the last input (for the breakdown's traffic)
	prof      *probe
	bf16      bool       // bf16 products in inference (see SetPrecision)
	wp        pairsCache // the conv weights rounded to bfloat16 pairs
}

// NewConvBN names the conv and the norm separately, as the reference does
// (e.g. "conv21" and "bn21").
func NewConvBN(convName, bnName string, c, k, kernel, stride, pad int, bias, act bool) *ConvBN {
	return &ConvBN{Conv: nn.NewConv2d(convName, c, k, kernel, stride, pad, bias),
		BN: nn.NewBatchNorm2d(bnName, k), Act: act}
}

// Params returns conv then norm tensors.
func (u *ConvBN) Params() []*nn.Param { return append(u.Conv.Params(), u.BN.Params()...) }

// Forward maps x (n, C, h, w) to (n, K, oh, ow); with bf16 products when
// bf16 is set and the norm uses its running statistics (inference).
func (u *ConvBN) Forward(x []float32, n, h, w int) []float32 {
	u.n = n
	u.oh, u.ow = u.Conv.OutSize(h, w)
	pr := u.prof
	u.inLen = len(x)
	t := pr.start()
	var y []float32
	if u.bf16 && !u.BN.Train {
		y = u.Conv.ForwardPairs(x, n, h, w, u.wp.conv(u.Conv))
	} else {
		y = u.Conv.Forward(x, n, h, w)
	}
	pr.stop(t, OpConv, u.convFLOPs(), f32(len(x)+len(u.Conv.W.W)+len(y)))
	t = pr.start()
	y = u.BN.Forward(y, n, u.oh*u.ow)
	pr.stop(t, OpNorm, 0, f32(2*len(y)))
	if u.Act {
		t = pr.start()
		y = u.relu.Forward(y)
		pr.stop(t, OpAct, 0, f32(2*len(y)))
	}
	return y
}

func (u *ConvBN) convFLOPs() float64 {
	c := u.Conv
	return 2 * float64(u.n*u.oh*u.ow) * float64(c.K) * float64(c.C*c.KH*c.KW)
}

// Backward returns dx (a scratch buffer the caller releases);
// needInput=false skips the input gradient (whose producer is frozen) and
// returns nil.
func (u *ConvBN) Backward(dy []float32, needInput bool) []float32 {
	pr := u.prof
	var act []float32
	if u.Act {
		t := pr.start()
		act = u.relu.Backward(dy)
		pr.stop(t, OpAct, 0, f32(3*len(dy)))
		dy = act
	}
	t := pr.start()
	g := u.BN.Backward(dy)
	pr.stop(t, OpNorm, 0, f32(3*len(dy)))
	nn.PutScratch(act)
	defer nn.PutScratch(g)
	c, xLen := u.Conv, u.inLen
	t = pr.start()
	if !needInput {
		u.Conv.BackwardWeightOnly(g)
		pr.stop(t, OpConv, u.convFLOPs(), f32(len(g)+len(c.W.W)+xLen))
		return nil
	}
	dx := u.Conv.Backward(g)
	pr.stop(t, OpConv, 2*u.convFLOPs(), f32(2*len(g)+2*len(c.W.W)+len(dx)+xLen))
	return dx
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
	prof    *probe
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
	t := b.prof.start()
	b.sum = ensureLen(b.sum, len(y))
	ops.Add(y, short, b.sum)
	out := b.relu.Forward(b.sum)
	b.prof.stop(t, OpAct, 0, f32(5*len(y)))
	return out
}

func (b *Bottleneck) setProbe(p *probe) {
	b.prof = p
	for _, u := range []*ConvBN{b.C1, b.C2, b.C3, b.Down} {
		if u != nil {
			u.prof = p
		}
	}
}

// Backward returns dx, a scratch buffer the caller releases.
func (b *Bottleneck) Backward(dy []float32) []float32 {
	t := b.prof.start()
	g := b.relu.Backward(dy)
	b.prof.stop(t, OpAct, 0, f32(3*len(dy)))
	g3 := b.C3.Backward(g, true)
	g2 := b.C2.Backward(g3, true)
	dx := b.C1.Backward(g2, true)
	nn.PutScratch(g3, g2)
	if b.Down != nil {
		gd := b.Down.Backward(g, true)
		t := b.prof.start()
		ops.AddInPlace(dx, gd)
		b.prof.stop(t, OpAct, 0, f32(3*len(dx)))
		nn.PutScratch(gd)
	} else {
		t := b.prof.start()
		ops.AddInPlace(dx, g)
		b.prof.stop(t, OpAct, 0, f32(3*len(dx)))
	}
	nn.PutScratch(g)
	return dx
}
