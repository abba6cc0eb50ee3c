package model

import (
	"fmt"

	"github.com/mambaad/mambaad/kernels/conv"
	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/nn"
)

// Encoder is the frozen ImageNet ResNet trunk (stem and layer1–3, spec §2).
// It keeps the weights with their torchvision names (so .pth and
// .safetensors files load directly), folds every eval-mode BatchNorm into
// the convolution before it (Fold), and runs forward only, reusing scratch
// buffers instead of storing activations.
type Encoder struct {
	Arch     string
	Channels [3]int // output channels of layer1..3

	stem   *frozenConv
	layers [3][]*frozenBlock
	params []*nn.Param
	folded bool
	bf16   bool // bf16 products (see SetPrecision)
	out    [3][]float32
	prof   *probe
}

// Arch describes a ResNet variant: block type, blocks per layer and the
// bottleneck width multiplier (2 for WideResNet50-2).
type archSpec struct {
	bottleneck bool
	blocks     [3]int
	widthMul   int
}

var archs = map[string]archSpec{
	"resnet18":        {false, [3]int{2, 2, 2}, 1},
	"resnet34":        {false, [3]int{3, 4, 6}, 1},
	"resnet50":        {true, [3]int{3, 4, 6}, 1},
	"wide_resnet50_2": {true, [3]int{3, 4, 6}, 2},
}

// Archs lists the supported encoder architectures.
func Archs() []string { return []string{"resnet18", "resnet34", "resnet50", "wide_resnet50_2"} }

// NewEncoder builds an encoder with zero weights; load weights then Fold.
func NewEncoder(arch string) (*Encoder, error) {
	spec, ok := archs[arch]
	if !ok {
		return nil, fmt.Errorf("model: unknown backbone %q (known: %v)", arch, Archs())
	}
	e := &Encoder{Arch: arch, stem: newFrozenConv("conv1", "bn1", 3, 64, 7, 2, 3)}
	e.params = e.stem.params()
	in := 64
	for li := 0; li < 3; li++ {
		planes := 64 << li
		for bi := 0; bi < spec.blocks[li]; bi++ {
			stride := 1
			if bi == 0 && li > 0 {
				stride = 2
			}
			name := fmt.Sprintf("layer%d.%d", li+1, bi)
			blk := newFrozenBlock(name, spec, in, planes, stride)
			e.layers[li] = append(e.layers[li], blk)
			e.params = append(e.params, blk.params()...)
			in = blk.out
		}
		e.Channels[li] = in
	}
	return e, nil
}

// Params returns the weights and BatchNorm buffers (all frozen).
func (e *Encoder) Params() []*nn.Param { return e.params }

func (e *Encoder) setProbe(p *probe) { e.prof = p }

// Fold computes the BN-folded convolution weights from the loaded tensors.
// Call it after loading weights (again after any change).
func (e *Encoder) Fold() {
	e.stem.fold()
	for _, l := range e.layers {
		for _, b := range l {
			b.fold()
		}
	}
	e.folded = true
}

// Forward returns layer1..3 features for images x (n, 3, size, size):
// (n, c1, size/4, ·), (n, c2, size/8, ·), (n, c3, size/16, ·). The slices
// are owned by the encoder and overwritten by the next call.
func (e *Encoder) Forward(x []float32, n, size int) [3][]float32 {
	return e.forward(x, n, size, e.bf16)
}

// forward is Forward with bfloat16 products when bf16 is set.
func (e *Encoder) forward(x []float32, n, size int, bf16 bool) [3][]float32 {
	if !e.folded {
		panic("model: Encoder.Forward before Fold")
	}
	h := e.stem.outSize(size)
	stem := nn.GetScratch(n * 64 * h * h)
	e.stem.forward(x, n, size, stem, conv.Epilogue{ReLU: true}, bf16, e.prof)
	p := ops.PoolOutSize(h, 3, 2, 1)
	cur := nn.GetScratch(n * 64 * p * p)
	t := e.prof.start()
	ops.MaxPool2d(stem, n*64, h, h, 3, 2, 1, cur, nil)
	e.prof.stop(t, OpAct, 0, f32(len(stem)+len(cur)))
	nn.PutScratch(stem)
	s := p
	owned := false // whether cur is one of e.out (else a scratch buffer)
	for li, layer := range e.layers {
		for bi, blk := range layer {
			os := blk.outSize(s)
			var next []float32
			if bi == len(layer)-1 { // the layer's output: written where it is kept
				e.out[li] = ensureLen(e.out[li], n*blk.out*os*os)
				next = e.out[li]
			} else {
				next = nn.GetScratch(n * blk.out * os * os)
			}
			blk.forward(cur, n, s, next, bf16, e.prof)
			if !owned {
				nn.PutScratch(cur)
			}
			cur, s, owned = next, os, bi == len(layer)-1
		}
	}
	return e.out
}

// frozenConv is a convolution with its BatchNorm folded in (weights and a
// bias), keeping the original tensors for loading.
type frozenConv struct {
	w                         *nn.Param
	bnW, bnB, bnM, bnV, bnN   *nn.Param
	c, k, kernel, stride, pad int
	fw, fb                    []float32
	fwp                       []float32 // fw rounded to bfloat16 pairs, made on first use
}

func newFrozenConv(convName, bnName string, c, k, kernel, stride, pad int) *frozenConv {
	f := &frozenConv{c: c, k: k, kernel: kernel, stride: stride, pad: pad,
		w:   nn.NewBuffer(convName+".weight", k, c, kernel, kernel),
		bnW: nn.NewBuffer(bnName+".weight", k), bnB: nn.NewBuffer(bnName+".bias", k),
		bnM: nn.NewBuffer(bnName+".running_mean", k), bnV: nn.NewBuffer(bnName+".running_var", k),
		bnN: nn.NewBuffer(bnName + ".num_batches_tracked")}
	f.bnN.Int64 = true
	for i := range f.bnW.W {
		f.bnW.W[i], f.bnV.W[i] = 1, 1
	}
	return f
}

func (f *frozenConv) params() []*nn.Param {
	return []*nn.Param{f.w, f.bnW, f.bnB, f.bnM, f.bnV, f.bnN}
}

func (f *frozenConv) fold() {
	f.fw = append(f.fw[:0], f.w.W...)
	f.fwp = nil
	f.fb = ensureLen(f.fb, f.k)
	clear(f.fb)
	ops.FoldBatchNorm(f.fw, f.fb, f.k, f.bnW.W, f.bnB.W, f.bnM.W, f.bnV.W, 1e-5)
}

func (f *frozenConv) shape(n, s int) conv.Shape {
	return conv.Shape{N: n, C: f.c, H: s, W: s, K: f.k, KH: f.kernel, KW: f.kernel,
		StrideH: f.stride, StrideW: f.stride, PadH: f.pad, PadW: f.pad}
}

func (f *frozenConv) outSize(s int) int { return f.shape(1, s).OutH() }

// forward writes conv(x)+bias into y with the epilogue ep (the block's
// ReLU, and its shortcut for the last convolution) applied in the same
// pass; with bf16, from the folded weights rounded to bfloat16 pairs once.
func (f *frozenConv) forward(x []float32, n, s int, y []float32, ep conv.Epilogue, bf16 bool, pr *probe) {
	sh := f.shape(n, s)
	t := pr.start()
	if bf16 {
		if f.fwp == nil {
			f.fwp = conv.WeightPairs(sh, f.fw)
		}
		conv.ForwardPairs(sh, x, f.fwp, f.fb, ep, y)
	} else {
		conv.ForwardEpilogue(sh, x, f.fw, f.fb, ep, y)
	}
	pr.stop(t, OpConv, convFLOPs(sh), f32(len(x)+len(f.fw)+len(y)+len(ep.Res)))
}

// convFLOPs is the arithmetic of a direct convolution.
func convFLOPs(s conv.Shape) float64 {
	return 2 * float64(s.N) * float64(s.K) * float64(s.C*s.KH*s.KW) * float64(s.OutH()*s.OutW())
}

// frozenBlock is a BasicBlock (two 3×3) or a Bottleneck (1×1, 3×3, 1×1),
// stride on the first 3×3, with an optional 1×1 downsample shortcut.
type frozenBlock struct {
	convs []*frozenConv
	down  *frozenConv
	out   int
}

func newFrozenBlock(name string, spec archSpec, in, planes, stride int) *frozenBlock {
	b := &frozenBlock{}
	cn := func(i int) (string, string) {
		return fmt.Sprintf("%s.conv%d", name, i), fmt.Sprintf("%s.bn%d", name, i)
	}
	if spec.bottleneck {
		width := planes * spec.widthMul
		b.out = planes * 4
		c1, n1 := cn(1)
		c2, n2 := cn(2)
		c3, n3 := cn(3)
		b.convs = []*frozenConv{
			newFrozenConv(c1, n1, in, width, 1, 1, 0),
			newFrozenConv(c2, n2, width, width, 3, stride, 1),
			newFrozenConv(c3, n3, width, b.out, 1, 1, 0)}
	} else {
		b.out = planes
		c1, n1 := cn(1)
		c2, n2 := cn(2)
		b.convs = []*frozenConv{
			newFrozenConv(c1, n1, in, planes, 3, stride, 1),
			newFrozenConv(c2, n2, planes, planes, 3, 1, 1)}
	}
	if stride != 1 || in != b.out {
		b.down = newFrozenConv(name+".downsample.0", name+".downsample.1", in, b.out, 1, stride, 0)
	}
	return b
}

func (b *frozenBlock) params() []*nn.Param {
	var ps []*nn.Param
	for _, c := range b.convs {
		ps = append(ps, c.params()...)
	}
	if b.down != nil {
		ps = append(ps, b.down.params()...)
	}
	return ps
}

func (b *frozenBlock) fold() {
	for _, c := range b.convs {
		c.fold()
	}
	if b.down != nil {
		b.down.fold()
	}
}

// outSize is the side of the block's output for an input of side s.
func (b *frozenBlock) outSize(s int) int {
	for _, cv := range b.convs {
		s = cv.outSize(s)
	}
	return s
}

// forward writes the block output into y: every convolution but the last
// with its ReLU fused, the last with the shortcut (the downsample
// convolution's output, or x) and the ReLU fused.
func (b *frozenBlock) forward(x []float32, n, s int, y []float32, bf16 bool, pr *probe) {
	short := x
	if b.down != nil {
		short = nn.GetScratch(len(y))
		b.down.forward(x, n, s, short, conv.Epilogue{}, bf16, pr)
	}
	cur, cs := x, s
	var tmp []float32
	for i, cv := range b.convs {
		os := cv.outSize(cs)
		out, ep := y, conv.Epilogue{Res: short, ReLU: true}
		if i < len(b.convs)-1 {
			out, ep = nn.GetScratch(n*cv.k*os*os), conv.Epilogue{ReLU: true}
		}
		cv.forward(cur, n, cs, out, ep, bf16, pr)
		if tmp != nil {
			nn.PutScratch(tmp)
		}
		tmp, cur, cs = out, out, os
	}
	if b.down != nil {
		nn.PutScratch(short)
	}
}
