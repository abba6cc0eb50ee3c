package model

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
)

// Fusion is the multi-scale feature fusion and one-class embedding block
// ("MFF_OCE", spec §3). For encoder channels (c1, c2, c3) (64, 128, 256 for
// ResNet18/34) it maps the three feature maps to a (2·c3)-channel map at
// half the coarsest side:
//
//	a = ReLU(BN(conv3×3/2 c1→c2)(f1))
//	b = ReLU(BN(conv1×1 c2→c2, bias)(f2)) + a
//	c = ReLU(BN(conv3×3/2 c2→c3)(b)) + ReLU(BN(conv1×1 c3→c3, bias)(f3))
//	d = ReLU(BN(conv1×1 c3→c3, bias)(c))
//	e = 3 Bottlenecks (planes c3/2, first stride 2 with downsample)(d)
type Fusion struct {
	Ch            [3]int
	Conv1, Conv21 *ConvBN
	Conv2, Conv31 *ConvBN
	ConvF         *ConvBN
	Layer         []*Bottleneck
	// InputGrads makes Backward return the gradients of the three inputs;
	// training does not need them (the encoder is frozen).
	InputGrads bool

	n, s1, s2, s3 int
	bsum, csum    []float32
	prof          *probe
}

// NewFusion builds the block for encoder channels ch with nBlocks
// bottlenecks (3 in the reference).
func NewFusion(name string, ch [3]int, nBlocks int) (*Fusion, error) {
	if ch[2]%2 != 0 || nBlocks < 1 {
		return nil, fmt.Errorf("model: fusion needs an even c3 and ≥ 1 block (got %v, %d)", ch, nBlocks)
	}
	p := func(s string) string {
		if name == "" {
			return s
		}
		return name + "." + s
	}
	f := &Fusion{Ch: ch,
		Conv1:  NewConvBN(p("conv1"), p("bn1"), ch[0], ch[1], 3, 2, 1, false, true),
		Conv21: NewConvBN(p("conv21"), p("bn21"), ch[1], ch[1], 1, 1, 0, true, true),
		Conv2:  NewConvBN(p("conv2"), p("bn2"), ch[1], ch[2], 3, 2, 1, false, true),
		Conv31: NewConvBN(p("conv31"), p("bn31"), ch[2], ch[2], 1, 1, 0, true, true),
		ConvF:  NewConvBN(p("convf"), p("bnf"), ch[2], ch[2], 1, 1, 0, true, true),
	}
	planes := ch[2] / 2
	in := ch[2]
	for i := 0; i < nBlocks; i++ {
		stride := 1
		if i == 0 {
			stride = 2
		}
		f.Layer = append(f.Layer, NewBottleneck(fmt.Sprintf("%s.%d", p("bn_layer"), i), in, planes, stride))
		in = 4 * planes
	}
	return f, nil
}

// OutChannels is the channel count of the output (2·c3).
func (f *Fusion) OutChannels() int { return 2 * f.Ch[2] }

// Params returns the tensors in the reference's state_dict order.
func (f *Fusion) Params() []*nn.Param {
	var ps []*nn.Param
	for _, b := range f.Layer {
		ps = append(ps, b.Params()...)
	}
	for _, u := range []*ConvBN{f.Conv1, f.Conv2, f.Conv21, f.Conv31, f.ConvF} {
		ps = append(ps, u.Params()...)
	}
	return ps
}

// convBNs returns every convolution unit, the bottlenecks' included.
func (f *Fusion) convBNs() []*ConvBN {
	us := []*ConvBN{f.Conv1, f.Conv2, f.Conv21, f.Conv31, f.ConvF}
	for _, b := range f.Layer {
		for _, u := range []*ConvBN{b.C1, b.C2, b.C3, b.Down} {
			if u != nil {
				us = append(us, u)
			}
		}
	}
	return us
}

func (f *Fusion) setProbe(p *probe) {
	f.prof = p
	for _, u := range []*ConvBN{f.Conv1, f.Conv2, f.Conv21, f.Conv31, f.ConvF} {
		u.prof = p
	}
	for _, b := range f.Layer {
		b.setProbe(p)
	}
}

// SetTrain switches every BatchNorm between batch statistics (training) and
// running statistics.
func (f *Fusion) SetTrain(train bool) {
	for _, u := range []*ConvBN{f.Conv1, f.Conv2, f.Conv21, f.Conv31, f.ConvF} {
		u.BN.Train = train
	}
	for _, b := range f.Layer {
		b.SetTrain(train)
	}
}

// Forward fuses f1 (n, c1, s1, s1), f2 (n, c2, s1/2, ·) and f3 (n, c3,
// s1/4, ·) into (n, 2·c3, s1/8, s1/8).
func (f *Fusion) Forward(f1, f2, f3 []float32, n, s1 int) []float32 {
	f.n, f.s1, f.s2, f.s3 = n, s1, s1/2, s1/4
	a := f.Conv1.Forward(f1, n, s1, s1)
	b := f.Conv21.Forward(f2, n, f.s2, f.s2)
	t := f.prof.start()
	f.bsum = ensureLen(f.bsum, len(b))
	ops.Add(b, a, f.bsum)
	f.prof.stop(t, OpAct, 0, f32(3*len(b)))
	c := f.Conv2.Forward(f.bsum, n, f.s2, f.s2)
	c3 := f.Conv31.Forward(f3, n, f.s3, f.s3)
	t = f.prof.start()
	f.csum = ensureLen(f.csum, len(c))
	ops.Add(c, c3, f.csum)
	f.prof.stop(t, OpAct, 0, f32(3*len(c)))
	y := f.ConvF.Forward(f.csum, n, f.s3, f.s3)
	s := f.s3
	for _, blk := range f.Layer {
		y = blk.Forward(y, n, s, s)
		s = blk.oh
	}
	return y
}

// Backward accumulates parameter gradients from dy and, when InputGrads is
// set, returns the gradients of the three inputs (scratch buffers the caller
// releases; else nils).
func (f *Fusion) Backward(dy []float32) [3][]float32 {
	g := dy
	for i := len(f.Layer) - 1; i >= 0; i-- {
		next := f.Layer[i].Backward(g)
		if i < len(f.Layer)-1 {
			nn.PutScratch(g)
		}
		g = next
	}
	dc := f.ConvF.Backward(g, true)
	nn.PutScratch(g)
	db := f.Conv2.Backward(dc, true)
	in := f.InputGrads
	d3 := f.Conv31.Backward(dc, in)
	d2 := f.Conv21.Backward(db, in)
	d1 := f.Conv1.Backward(db, in)
	nn.PutScratch(dc, db)
	return [3][]float32{d1, d2, d3}
}
