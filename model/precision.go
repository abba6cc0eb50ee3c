package model

import (
	"errors"
	"math"

	"github.com/mambaad/mambaad/kernels/conv"
	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/nn"
)

// The opt-in bf16 inference precision (see gemm.Precision).
//
// With BF16 set (SetPrecision) and on a machine that runs it
// (gemm.BF16.Effective()), the inference forward computes its large
// products with bfloat16 operands and float32 sums: every convolution of
// the encoder and of the fusion block, and in the decoder SS2D's input,
// x and output projections, the LSS branches' 1×1 convolutions and final
// 1×1 convolution, and PatchExpand's linear. Weights are rounded to
// bfloat16 pairs once and cached: the encoder's when it folds its
// BatchNorms (Fold drops them), the trainable modules' keyed by a
// fingerprint of the float32 weights, so a checkpoint loaded into the same
// model or any other change of the weights converts them again.
// Activations are rounded on every call. Everything else — norms,
// activations, the depthwise convolutions, the selective scan, the anomaly
// map and its blur — stays float32.
//
// Training is always float32: SetPrecision(BF16) is refused while the
// decoder keeps activations for a backward pass, and a model switched to
// training afterwards runs float32 products in every forward that keeps
// activations (the decoder's, the fusion block's with batch statistics,
// and the encoder's while the decoder has backprop on), so bf16 never
// reaches a gradient.

// ErrPrecisionTraining is SetPrecision's refusal of bf16 on a model in
// training mode.
var ErrPrecisionTraining = errors.New("model: bf16 precision is for inference only (the model is in training mode)")

// SetPrecision sets the precision of the inference forward's large
// products: gemm.FP32 (the default and the reference) or gemm.BF16, which
// runs as FP32 where gemm.BF16.Effective() is FP32 (no AVX512_BF16, or
// MAMBAAD_ISA below avx512bf16): the model's output is then bit for bit
// the FP32 output. It returns ErrPrecisionTraining for BF16 while the
// model is in training mode (see SetTrain), and an error for an unknown
// precision.
func (m *MambaAD) SetPrecision(p gemm.Precision) error {
	switch p {
	case gemm.FP32:
	case gemm.BF16:
		if m.Dec.backprop() {
			return ErrPrecisionTraining
		}
	default:
		return errors.New("model: unknown precision " + p.String())
	}
	m.prec = p
	on := p.Effective() == gemm.BF16
	m.Enc.bf16 = on
	m.Fuse.setBF16(on)
	m.Dec.setBF16(on)
	return nil
}

// setBF16 switches the fusion block's convolutions to bf16 products in
// inference (running-statistics BatchNorm).
func (f *Fusion) setBF16(on bool) {
	for _, u := range f.convBNs() {
		u.bf16 = on
	}
}

// setBF16 switches the decoder's projections and 1×1 convolutions to bf16
// products in inference (no backprop).
func (d *Decoder) setBF16(on bool) {
	for _, st := range d.Stages {
		if st.up != nil {
			st.up.bf16 = on
		}
		for _, l := range st.blocks {
			l.bf16, l.B5.bf16, l.B7.bf16 = on, on, on
			for _, h := range l.Blocks {
				h.SS.bf16 = on
			}
		}
	}
}

// Precision returns the precision set with SetPrecision (FP32 by default);
// its Effective method tells what the products run in on this machine.
func (m *MambaAD) Precision() gemm.Precision { return m.prec }

// pairsCache holds a weight tensor rounded to bfloat16 pairs, with what
// identifies the float32 values it was converted from: their storage and
// a fingerprint of their bits, checked on every use (a pass over the
// weights, far cheaper than the product that reads them too).
type pairsCache struct {
	src   *float32
	n     int
	sum   uint64
	pairs []float32
}

// get returns the pairs of w, calling convert (which returns them) when
// w has changed since the last conversion.
func (c *pairsCache) get(w []float32, convert func() []float32) []float32 {
	sum := fingerprint(w)
	if c.pairs != nil && c.n == len(w) && c.sum == sum && len(w) > 0 && c.src == &w[0] {
		return c.pairs
	}
	c.pairs = convert()
	c.n, c.sum = len(w), sum
	if len(w) > 0 {
		c.src = &w[0]
	}
	return c.pairs
}

// rows returns the pairs of a (rows, k) row-major weight matrix, each row
// paired along k: the B operand of x·Wᵀ (gemm.SgemmPairs with transB,
// ldb = gemm.Pairs(k)), or an A operand without transA.
func (c *pairsCache) rows(w []float32, rows, k int) []float32 {
	return c.get(w, func() []float32 {
		k2 := gemm.Pairs(k)
		p := make([]float32, rows*k2)
		gemm.ToPairs(p, k2, w, k, rows, k)
		return p
	})
}

// conv returns the pairs of a dense convolution's weights (conv.WeightPairs).
func (c *pairsCache) conv(l *nn.Conv2d) []float32 {
	return c.get(l.W.W, func() []float32 { return conv.WeightPairs(convWeightShape(l), l.W.W) })
}

// convWeightShape is a shape of l that conv.WeightPairs accepts (it reads
// only the weight dimensions).
func convWeightShape(l *nn.Conv2d) conv.Shape {
	return conv.Shape{N: 1, C: l.C, H: l.KH, W: l.KW, K: l.K, KH: l.KH, KW: l.KW, StrideH: 1, StrideW: 1}
}

// fingerprint hashes the bits of w: four interleaved FNV-1a-style lanes
// (xor a word, multiply by an odd constant: each step a bijection of the
// lane, so a change of a single word always changes the result).
func fingerprint(w []float32) uint64 {
	const prime = 0x100000001b3
	h := [4]uint64{0xcbf29ce484222325, 0x84222325cbf29ce4, 0x9ce484222325cbf2, 0x2325cbf29ce48422}
	i := 0
	for ; i+4 <= len(w); i += 4 {
		v := w[i : i+4 : i+4]
		h[0] = (h[0] ^ uint64(math.Float32bits(v[0]))) * prime
		h[1] = (h[1] ^ uint64(math.Float32bits(v[1]))) * prime
		h[2] = (h[2] ^ uint64(math.Float32bits(v[2]))) * prime
		h[3] = (h[3] ^ uint64(math.Float32bits(v[3]))) * prime
	}
	for ; i < len(w); i++ {
		h[0] = (h[0] ^ uint64(math.Float32bits(w[i]))) * prime
	}
	r := uint64(len(w))
	for _, v := range h {
		r = (r ^ v) * prime
		r ^= r >> 29
	}
	return r
}

// toPairs returns x (rows, k, row stride ldx) rounded to bfloat16 pairs
// along k, in a scratch buffer (rows × gemm.Pairs(k) words, row stride
// gemm.Pairs(k)) the caller releases.
func toPairs(x []float32, ldx, rows, k int) []float32 {
	k2 := gemm.Pairs(k)
	p := nn.GetScratch(rows * k2)
	gemm.ToPairs(p, k2, x, ldx, rows, k)
	return p
}

// interleave returns the k×n matrix x (row stride ldx) rounded to pairs of
// rows, in a scratch buffer (gemm.Pairs(k) rows of n words) the caller
// releases: the transposed A operand of a product summing over k.
func interleave(x []float32, ldx, k, n int) []float32 {
	p := nn.GetScratch(gemm.Pairs(k) * n)
	gemm.Interleave(p, n, x, ldx, k, n)
	return p
}
