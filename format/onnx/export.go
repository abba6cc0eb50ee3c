package onnx

import (
	"fmt"
	"math"

	"github.com/mambaad/mambaad/kernels/ops"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/nn"
)

// Opset and IR version of exported models: opset 17 (LayerNormalization's
// first opset) is run by every current runtime.
const (
	Opset     = 17
	IRVersion = 8
)

// Names of the exported graph's inputs and outputs.
const (
	InputName      = "image"       // (batch, 3, S, S) float32, normalised
	OutputMap      = "anomaly_map" // (batch, 1, S, S) float32, after the blur
	OutputScore    = "pred_score"  // (batch) float32, the map's maximum
	OutputClass    = "class_probs" // (batch, classes) float32, with prototypes
	BatchDimension = "batch"
)

// Prototypes are class prototypes to export as the class_probs output: a
// softmax over the cosine similarities of the image's pooled layer-3
// features with each class's unit vector, at the given temperature.
type Prototypes struct {
	Names       []string
	Dim         int
	Vec         []float32 // len(Names)×Dim
	Temperature float64
}

// Memory is a memory bank (model/membank) to export: the anomaly map of
// method "memory" is every layer-2 patch's distance to its nearest bank
// row, and method "combined" adds it to the reconstruction map, each
// divided by its scale.
type Memory struct {
	Dim int
	Vec []float32 // rows of Dim values
	// Combined adds the reconstruction map: recon/ReconScale +
	// memory/MemoryScale; otherwise the memory map alone is the output (and
	// the fusion block and decoder are not exported).
	Combined                bool
	ReconScale, MemoryScale float64
}

// Options control Export.
type Options struct {
	// Memory, when set, exports the memory-bank method instead of the
	// paper's reconstruction map (see Memory).
	Memory *Memory
	// ScanChunk, when set below a sequence's length L, cuts SS2D's selective
	// scan into L/ScanChunk segments scanned side by side (three Scans
	// instead of one, see ss2d.go): fewer, larger loop iterations, for
	// runtimes where an iteration is expensive (GPU providers launch kernels
	// per iteration). 0, the default, is one plain sequential Scan, which is
	// the faster form in ONNX Runtime's CPU provider (measured: 3.7 s vs
	// 6–8 s per 256² image with 128- to 256-step segments).
	ScanChunk int
	// Prototypes, when set, add the class_probs output.
	Prototypes *Prototypes
	// Metadata is written as the model's metadata_props, in order.
	Metadata []Entry
	// ProducerVersion is the mambaad version recorded in the file.
	ProducerVersion string
	DocString       string

	// debugOutputs adds the encoder features and the reconstructions as
	// outputs features_{1,2,3} and reconstructions_{1,2,3} (tests).
	debugOutputs bool
}

// Export builds the inference graph of m (encoder with its BatchNorms
// folded, fusion block, decoder and the anomaly map) from the normalised
// image to the anomaly map and the image score, exactly as model.Predict
// computes them (spec §6). m must have been loaded (its encoder folded).
func Export(m *model.MambaAD, o Options) (*Model, error) {
	if err := m.Cfg.Validate(); err != nil {
		return nil, err
	}
	if o.ScanChunk < 0 {
		return nil, fmt.Errorf("onnx: scan chunk %d < 0", o.ScanChunk)
	}
	if p := o.Prototypes; p != nil {
		if len(p.Names) == 0 || p.Dim != m.Enc.Channels[2] || len(p.Vec) != len(p.Names)*p.Dim || !(p.Temperature > 0) {
			return nil, fmt.Errorf("onnx: class prototypes of %d names × %d (%d values, temperature %v) do not fit layer-3 features of %d channels",
				len(p.Names), p.Dim, len(p.Vec), p.Temperature, m.Enc.Channels[2])
		}
	}
	if mem := o.Memory; mem != nil {
		c := m.Enc.Channels
		if mem.Dim != c[1]+c[2] || len(mem.Vec) == 0 || len(mem.Vec)%mem.Dim != 0 {
			return nil, fmt.Errorf("onnx: a memory bank of %d values in rows of %d does not fit patches of %d+%d channels", len(mem.Vec), mem.Dim, c[1], c[2])
		}
		if mem.Combined && !(mem.ReconScale > 0 && mem.MemoryScale > 0) {
			return nil, fmt.Errorf("onnx: combined method with scales %v and %v", mem.ReconScale, mem.MemoryScale)
		}
		if o.debugOutputs && !mem.Combined {
			return nil, fmt.Errorf("onnx: no reconstructions in a memory-only model")
		}
	}
	e := &exporter{b: NewBuilder("mambaad"), m: m, o: o, ones: map[int]string{}, zeros: map[int]string{}, dirs: map[int]*dirTables{}}
	S := m.Cfg.ImageSize
	batch := Sym(BatchDimension)
	x := e.b.Input(InputName, Float, batch, Fixed(3), Fixed(S), Fixed(S))
	f := e.encoder(x)
	var g [3]string
	var amap string
	if mem := o.Memory; mem == nil || mem.Combined {
		g = e.decoder(e.fusion(f))
		amap = e.reconMap(f, g)
	}
	if mem := o.Memory; mem != nil {
		mm := e.memoryMap(f[1], f[2])
		if mem.Combined {
			amap = e.add(e.b.Op("Div", []string{amap, e.b.Scalar(float32(mem.ReconScale))}),
				e.b.Op("Div", []string{mm, e.b.Scalar(float32(mem.MemoryScale))}))
		} else {
			amap = mm
		}
	}
	score := e.b.Op("ReduceMax", []string{amap}, AInts("axes", 1, 2, 3), AInt("keepdims", 0))
	e.b.OpTo("Identity", []string{amap}, []string{OutputMap})
	e.b.OpTo("Identity", []string{score}, []string{OutputScore})
	e.b.Output(OutputMap, Float, batch, Fixed(1), Fixed(S), Fixed(S))
	e.b.Output(OutputScore, Float, batch)
	if o.debugOutputs {
		for i := range f {
			for _, v := range []struct{ kind, val string }{{"features", f[i]}, {"reconstructions", g[i]}} {
				name := fmt.Sprintf("%s_%d", v.kind, i+1)
				e.b.OpTo("Identity", []string{v.val}, []string{name})
				e.b.Output(name, Float)
			}
		}
	}
	if o.Prototypes != nil {
		e.b.OpTo("Identity", []string{e.classProbs(f[2])}, []string{OutputClass})
		e.b.Output(OutputClass, Float, batch, Fixed(len(o.Prototypes.Names)))
	}
	return &Model{
		IRVersion:       IRVersion,
		OpsetImports:    []OpsetID{{Version: Opset}},
		ProducerName:    "mambaad",
		ProducerVersion: o.ProducerVersion,
		DocString:       o.DocString,
		Graph:           e.b.G,
		Metadata:        o.Metadata,
	}, nil
}

type exporter struct {
	b           *Builder
	m           *model.MambaAD
	o           Options
	ones, zeros map[int]string     // InstanceNormalization's unit scale and zero bias per width
	dirs        map[int]*dirTables // scan index tables per side
}

// conv adds a Conv node (NCHW): w is (k, c/group, kh, kw), bias may be nil.
func (e *exporter) conv(x, name string, w, bias []float32, k, cg, kh, kw, stride, pad, group int) string {
	in := []string{x, e.b.Init(name+".weight", w, k, cg, kh, kw)}
	if bias != nil {
		in = append(in, e.b.Init(name+".bias", bias, k))
	}
	attrs := []*Attribute{AInts("kernel_shape", int64(kh), int64(kw)), AInts("strides", int64(stride), int64(stride)),
		AInts("pads", int64(pad), int64(pad), int64(pad), int64(pad))}
	if group > 1 {
		attrs = append(attrs, AInt("group", int64(group)))
	}
	return e.b.Op("Conv", in, attrs...)
}

func (e *exporter) relu(x string) string { return e.b.Op("Relu", []string{x}) }

func (e *exporter) add(a, b string) string { return e.b.Op("Add", []string{a, b}) }

func (e *exporter) mul(a, b string) string { return e.b.Op("Mul", []string{a, b}) }

// silu is x·sigmoid(x) (opset 17 has no SiLU operator).
func (e *exporter) silu(x string) string {
	return e.mul(x, e.b.Op("Sigmoid", []string{x}))
}

func (e *exporter) reshape(x string, shape ...int64) string {
	return e.b.Op("Reshape", []string{x, e.b.Ints(shape...)})
}

func (e *exporter) transpose(x string, perm ...int64) string {
	return e.b.Op("Transpose", []string{x}, AInts("perm", perm...))
}

// folded adds a BN-folded encoder convolution.
func (e *exporter) folded(x, name string, c model.FoldedConv) string {
	return e.conv(x, name, c.W, c.B, c.K, c.C, c.Kernel, c.Kernel, c.Stride, c.Pad, 1)
}

// encoder returns layer1..3 features (NCHW).
func (e *exporter) encoder(x string) [3]string {
	enc := e.m.Enc
	h := e.relu(e.folded(x, "net_t.conv1", enc.FoldedStem()))
	h = e.b.Op("MaxPool", []string{h}, AInts("kernel_shape", 3, 3), AInts("strides", 2, 2), AInts("pads", 1, 1, 1, 1))
	var out [3]string
	for li, layer := range enc.FoldedLayers() {
		for bi, blk := range layer {
			name := fmt.Sprintf("net_t.layer%d.%d", li+1, bi)
			y := h
			for ci, c := range blk.Convs {
				y = e.folded(y, fmt.Sprintf("%s.conv%d", name, ci+1), c)
				if ci < len(blk.Convs)-1 {
					y = e.relu(y)
				}
			}
			short := h
			if blk.Down != nil {
				short = e.folded(h, name+".downsample", *blk.Down)
			}
			h = e.relu(e.add(y, short))
		}
		out[li] = h
	}
	return out
}

// convBN is a trainable ConvBN unit in inference mode: Conv, then
// BatchNormalization with the running statistics, then ReLU if it has one.
func (e *exporter) convBN(x string, u *model.ConvBN) string {
	c := u.Conv
	var bias []float32
	if c.B != nil {
		bias = c.B.W
	}
	y := e.conv(x, trimWeight(c.W.Name), c.W.W, bias, c.K, c.C, c.KH, c.KW, c.Stride, c.Pad, 1)
	bn := u.BN
	y = e.b.Op("BatchNormalization", []string{y, e.param(bn.W), e.param(bn.B), e.param(bn.RunMean), e.param(bn.RunVar)},
		AFloat("epsilon", bn.Eps))
	if u.Act {
		y = e.relu(y)
	}
	return y
}

// param adds a model tensor as an initializer of its own shape.
func (e *exporter) param(p *nn.Param) string { return e.b.Init(p.Name, p.W, p.Shape...) }

func trimWeight(name string) string {
	const w = ".weight"
	if len(name) > len(w) && name[len(name)-len(w):] == w {
		return name[:len(name)-len(w)]
	}
	return name
}

// fusion is the MFF_OCE block (model.Fusion.Forward).
func (e *exporter) fusion(f [3]string) string {
	fu := e.m.Fuse
	a := e.convBN(f[0], fu.Conv1)
	b := e.convBN(f[1], fu.Conv21)
	c := e.convBN(e.add(b, a), fu.Conv2)
	c3 := e.convBN(f[2], fu.Conv31)
	y := e.convBN(e.add(c, c3), fu.ConvF)
	for _, blk := range fu.Layer {
		t := e.convBN(e.convBN(e.convBN(y, blk.C1), blk.C2), blk.C3)
		short := y
		if blk.Down != nil {
			short = e.convBN(y, blk.Down)
		}
		y = e.relu(e.add(t, short))
	}
	return y
}

// linearT adds x·Wᵀ for a (out, in) weight as a MatMul with the
// transposed weight stored.
func (e *exporter) linearT(x string, p *nn.Param, out, in int) string {
	return e.b.Op("MatMul", []string{x, e.b.Init(p.Name+"_T", transpose2(p.W, out, in), in, out)})
}

// transpose2 returns the (cols, rows) transpose of a row-major matrix.
func transpose2(w []float32, rows, cols int) []float32 {
	t := make([]float32, len(w))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			t[c*rows+r] = w[r*cols+c]
		}
	}
	return t
}

func (e *exporter) layerNorm(x string, ln *nn.LayerNorm) string {
	return e.b.Op("LayerNormalization", []string{x, e.param(ln.W), e.param(ln.B)},
		AInt("axis", -1), AFloat("epsilon", ln.Eps))
}

// decoder returns the reconstructions, finest first (NCHW), from the
// fused bottleneck z (NCHW).
func (e *exporter) decoder(z string) [3]string {
	dec := e.m.Dec
	n := len(dec.Stages)
	_, _, c0, s0 := dec.StageParts(0)
	h := e.reshape(e.transpose(z, 0, 2, 3, 1), 0, int64(s0*s0), int64(c0))
	var outs [3]string
	for i := 0; i < n; i++ {
		up, blocks, c, side := dec.StageParts(i)
		if up != nil {
			h = e.patchExpand(h, up)
		}
		for _, m := range blocks {
			h = e.lss(h, m)
		}
		if i > 0 {
			outs[n-1-i] = e.toNCHW(h, c, side)
		}
	}
	return outs
}

// toNCHW turns tokens (B, L, C) into (B, C, side, side).
func (e *exporter) toNCHW(x string, c, side int) string {
	return e.reshape(e.transpose(x, 0, 2, 1), 0, int64(c), int64(side), int64(side))
}

// toTokens turns (B, C, side, side) into tokens (B, L, C).
func (e *exporter) toTokens(x string, c, side int) string {
	return e.transpose(e.reshape(x, 0, int64(c), int64(side*side)), 0, 2, 1)
}

// patchExpand: linear 2C → 4C, out[b, 2h+p1, 2w+p2, c] = lin[b, h, w,
// (2·p1+p2)·C + c], LayerNorm(C).
func (e *exporter) patchExpand(x string, p *model.PatchExpand) string {
	C, S := int64(p.C), int64(p.Side)
	lin := e.linearT(x, p.Expand.W, 4*p.C, 2*p.C)
	y := e.reshape(lin, 0, S, S, 2, 2, C)
	y = e.transpose(y, 0, 1, 3, 2, 4, 5)
	y = e.reshape(y, 0, 4*S*S, C)
	return e.layerNorm(y, p.Norm)
}

// lss is model.LSS.Forward on tokens (B, L, C).
func (e *exporter) lss(x string, m *model.LSS) string {
	C, side := m.C, m.Side
	s := x
	for _, h := range m.Blocks {
		s = e.add(s, e.ss2d(e.layerNorm(s, h.LN), h.SS))
	}
	xn := e.toNCHW(x, C, side)
	m5 := e.branch(xn, m, 5)
	m7 := e.branch(xn, m, 7)
	cat := e.b.Op("Concat", []string{e.toNCHW(s, C, side), m5, m7}, AInt("axis", 1))
	fc := m.Final
	f := e.conv(cat, trimWeight(fc.W.Name), fc.W.W, fc.B.W, fc.K, fc.C, 1, 1, 1, 0, 1)
	return e.add(e.toTokens(f, C, side), x)
}

// branch is one local branch of an LSS module (NCHW in and out).
func (e *exporter) branch(x string, m *model.LSS, k int) string {
	pre, dw, post := m.Branch(k)
	C := m.C
	h := e.conv(x, trimWeight(pre.W.Name), pre.W.W, pre.B.W, C, C, 1, 1, 1, 0, 1)
	h = e.silu(e.instanceNorm(h, C))
	var dwb []float32
	if dw.B != nil {
		dwb = dw.B.W
	}
	h = e.conv(h, trimWeight(dw.W.Name), dw.W.W, dwb, C, 1, dw.Kernel, dw.Kernel, 1, dw.Kernel/2, C)
	h = e.silu(e.instanceNorm(h, C))
	h = e.conv(h, trimWeight(post.W.Name), post.W.W, post.B.W, C, C, 1, 1, 1, 0, 1)
	return e.silu(e.instanceNorm(h, C))
}

// instanceNorm is InstanceNorm2d without affine parameters (unit scale,
// zero bias, shared per width), eps 1e-5.
func (e *exporter) instanceNorm(x string, c int) string {
	if _, ok := e.ones[c]; !ok {
		one := make([]float32, c)
		for i := range one {
			one[i] = 1
		}
		e.ones[c] = e.b.Init(fmt.Sprintf("ones%d", c), one, c)
		e.zeros[c] = e.b.Init(fmt.Sprintf("zeros%d", c), make([]float32, c), c)
	}
	return e.b.Op("InstanceNormalization", []string{x, e.ones[c], e.zeros[c]}, AFloat("epsilon", 1e-5))
}

// reconMap is model.AnomalyMaps (spec §6) for the features f and the
// reconstructions g, both finest first: per level 1 − cos over channels,
// bilinear (align_corners) up to the image size, summed, divided by 9,
// blurred (σ = model.Sigma, scipy's reflect border).
func (e *exporter) reconMap(f, g [3]string) string {
	S := e.m.Cfg.ImageSize
	_, sides := e.m.FeatureShapes()
	var sum string
	for i := range f {
		a := e.b.Op("Sub", []string{e.b.Scalar(1), e.cosine(f[i], g[i])})
		r := float32(S) / float32(sides[i])
		a = e.b.Op("Resize", []string{a, "", e.b.Init("scales", []float32{1, 1, r, r}, 4)},
			AString("mode", "linear"), AString("coordinate_transformation_mode", "align_corners"))
		if sum == "" {
			sum = a
		} else {
			sum = e.add(sum, a)
		}
	}
	sum = e.b.Op("Div", []string{sum, e.b.Scalar(float32(len(f) * len(f)))})
	return e.blur(sum, S, model.Sigma)
}

// memoryMap is membank.Bank.AnomalyMaps: PatchCore patch vectors (layer 2
// and layer 3, each 3×3-averaged, layer 3 resized to layer 2's grid,
// concatenated), each one's Euclidean distance to its nearest bank row,
// resized to the image (bilinear, align_corners=False) and blurred. As in
// Bank.Nearest, the nearest row is found with the expansion |b|² − 2·q·b
// (one Gemm, ArgMin taking the first minimum) and its distance then
// computed directly, free of the expansion's cancellation.
func (e *exporter) memoryMap(f2, f3 string) string {
	b := e.b
	mem := e.o.Memory
	c := e.m.Enc.Channels
	S := e.m.Cfg.ImageSize
	_, sides := e.m.FeatureShapes()
	s2, s3, d := sides[1], sides[2], mem.Dim
	rows := len(mem.Vec) / d
	pool := func(x string) string {
		return b.Op("AveragePool", []string{x}, AInts("kernel_shape", 3, 3), AInts("strides", 1, 1),
			AInts("pads", 1, 1, 1, 1), AInt("count_include_pad", 1))
	}
	resize := func(x string, from, to int) string {
		r := float32(to) / float32(from)
		return b.Op("Resize", []string{x, "", b.Init("scales", []float32{1, 1, r, r}, 4)},
			AString("mode", "linear"), AString("coordinate_transformation_mode", "pytorch_half_pixel"))
	}
	p3 := resize(pool(f3), s3, s2)
	cat := b.Op("Concat", []string{pool(f2), p3}, AInt("axis", 1))
	q := e.reshape(e.transpose(e.reshape(cat, 0, int64(c[1]+c[2]), int64(s2*s2)), 0, 2, 1), -1, int64(d)) // (B·P, d)
	sq := make([]float32, rows)
	for i := range sq {
		var acc float32
		for _, v := range mem.Vec[i*d : (i+1)*d] {
			acc += v * v
		}
		sq[i] = acc
	}
	// One copy of the bank serves both the search (Gemm with transB: −2·q·bᵀ
	// + |b|²) and the exact distance (Gather of the row found), so the file
	// holds the bank once, as the checkpoint does.
	bank := b.Init("membank", mem.Vec, rows, d)
	t := b.Op("Gemm", []string{q, bank, b.Init("membank_sqnorm", sq, rows)},
		AFloat("alpha", -2), AFloat("beta", 1), AInt("transB", 1)) // (B·P, rows)
	idx := b.Op("ArgMin", []string{t}, AInt("axis", -1), AInt("keepdims", 0), AInt("select_last_index", 0))
	nearest := b.Op("Gather", []string{bank, idx}, AInt("axis", 0)) // (B·P, d)
	diff := b.Op("Sub", []string{q, nearest})
	dist := b.Op("Sqrt", []string{b.Op("ReduceSumSquare", []string{diff}, AInts("axes", -1), AInt("keepdims", 0))})
	dmap := e.reshape(dist, -1, 1, int64(s2), int64(s2))
	return e.blur(resize(dmap, s2, S), S, model.Sigma)
}

// cosine is PyTorch's cosine_similarity over channels (dim 1) with each
// norm clamped below at 1e-8; (B, C, h, w) → (B, 1, h, w).
func (e *exporter) cosine(a, b string) string {
	dot := e.b.Op("ReduceSum", []string{e.mul(a, b), e.b.Ints(1)}, AInt("keepdims", 1))
	eps := e.b.Scalar(ops.CosineEps)
	norm := func(x string) string {
		n := e.b.Op("Sqrt", []string{e.b.Op("ReduceSumSquare", []string{x}, AInts("axes", 1), AInt("keepdims", 1))})
		return e.b.Op("Max", []string{n, eps})
	}
	return e.b.Op("Div", []string{dot, e.mul(norm(a), norm(b))})
}

// blur is scipy.ndimage.gaussian_filter(sigma, truncate 4, mode
// 'reflect') on (B, 1, S, S) maps: along rows, then along columns, each a
// Conv with the 1-D kernel after the border is extended by a Gather with
// scipy's half-sample mirror (d c b a | a b c d | d c b a). ONNX's Pad
// "reflect" mirrors about the edge sample instead (c b | a b c d), so it
// cannot be used. The weights are scipy's float64 kernel rounded to
// float32; the map itself is float32 here (float64 in mambaad).
func (e *exporter) blur(x string, S int, sigma float64) string {
	wt := ops.GaussianKernel(sigma, ops.GaussianTruncate)
	r := len(wt) / 2
	k := make([]float32, len(wt))
	for i, v := range wt {
		k[i] = float32(v)
	}
	idx := make([]int64, S+2*r)
	for i := range idx {
		idx[i] = int64(reflectIndex(i-r, S))
	}
	pad := e.b.InitI64("blur_index", idx, len(idx))
	kv := e.b.Init("blur_kernel_v", k, 1, 1, len(k), 1)
	kh := e.b.Init("blur_kernel_h", k, 1, 1, 1, len(k))
	y := e.b.Op("Gather", []string{x, pad}, AInt("axis", 2))
	y = e.b.Op("Conv", []string{y, kv}, AInts("kernel_shape", int64(len(k)), 1))
	y = e.b.Op("Gather", []string{y, pad}, AInt("axis", 3))
	return e.b.Op("Conv", []string{y, kh}, AInts("kernel_shape", 1, int64(len(k))))
}

// reflectIndex is scipy's 'reflect' extension of position i onto 0..n−1.
func reflectIndex(i, n int) int {
	p := 2 * n
	i %= p
	if i < 0 {
		i += p
	}
	if i >= n {
		i = p - 1 - i
	}
	return i
}

// classProbs is the class inference of detector.Prototypes: layer-3
// features pooled and L2-normalised, cosine with each prototype, softmax at
// the fitted temperature.
func (e *exporter) classProbs(f3 string) string {
	p := e.o.Prototypes
	pooled := e.b.Op("ReduceMean", []string{f3}, AInts("axes", 2, 3), AInt("keepdims", 0))
	n := e.b.Op("Sqrt", []string{e.b.Op("ReduceSumSquare", []string{pooled}, AInts("axes", 1), AInt("keepdims", 1))})
	n = e.b.Op("Max", []string{n, e.b.Scalar(math.SmallestNonzeroFloat32)})
	unit := e.b.Op("Div", []string{pooled, n})
	protoT := e.b.Init("class_prototypes_T", transpose2(p.Vec, len(p.Names), p.Dim), p.Dim, len(p.Names))
	sims := e.b.Op("MatMul", []string{unit, protoT})
	sims = e.b.Op("Div", []string{sims, e.b.Scalar(float32(p.Temperature))})
	return e.b.Op("Softmax", []string{sims}, AInt("axis", -1))
}
