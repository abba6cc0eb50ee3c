package model

import (
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

// Read-only views of the network's structure for exporters (format/onnx),
// which rebuild the same computation in another runtime's terms. Nothing
// here changes the model; the slices returned are the model's own.

// FoldedConv is a frozen encoder convolution with its BatchNorm folded in,
// exactly the weights and bias the encoder computes with.
type FoldedConv struct {
	W, B                      []float32 // (K, C, Kernel, Kernel) and (K)
	C, K, Kernel, Stride, Pad int
}

// FoldedBlock is one encoder residual block: its convolutions in order
// (ReLU after each but the last) and the downsample shortcut (nil: the
// identity); the sum is followed by a ReLU.
type FoldedBlock struct {
	Convs []FoldedConv
	Down  *FoldedConv
}

func (f *frozenConv) folded() FoldedConv {
	return FoldedConv{W: f.fw, B: f.fb, C: f.c, K: f.k, Kernel: f.kernel, Stride: f.stride, Pad: f.pad}
}

// FoldedStem returns the stem convolution (followed by ReLU and a 3×3/2
// max-pool with padding 1). Fold must have run.
func (e *Encoder) FoldedStem() FoldedConv {
	if !e.folded {
		panic("model: FoldedStem before Fold")
	}
	return e.stem.folded()
}

// FoldedLayers returns the blocks of layer1..3. Fold must have run.
func (e *Encoder) FoldedLayers() [3][]FoldedBlock {
	if !e.folded {
		panic("model: FoldedLayers before Fold")
	}
	var out [3][]FoldedBlock
	for li, layer := range e.layers {
		for _, b := range layer {
			fb := FoldedBlock{}
			for _, c := range b.convs {
				fb.Convs = append(fb.Convs, c.folded())
			}
			if b.down != nil {
				d := b.down.folded()
				fb.Down = &d
			}
			out[li] = append(out[li], fb)
		}
	}
	return out
}

// StageParts returns decoder stage i's PatchExpand (nil for stage 0), its
// LSS modules, its channel count and its side.
func (d *Decoder) StageParts(i int) (up *PatchExpand, blocks []*LSS, c, side int) {
	st := d.Stages[i]
	return st.up, st.blocks, st.c, st.side
}

// Branch returns the LSS module's local branch of kernel k (5 or 7):
// conv1×1 → IN → SiLU → depthwise k×k → IN → SiLU → conv1×1 → IN → SiLU,
// every InstanceNorm with eps 1e-5 and no affine parameters.
func (m *LSS) Branch(k int) (pre *nn.Conv2d, dw *nn.DWConv, post *nn.Conv2d) {
	br := m.B5
	if k == 7 {
		br = m.B7
	}
	return br.pre, br.dw, br.post
}

// Directions returns the SS2D's scan directions: Idx[k][j] is the
// row-major pixel that step j of direction k visits.
func (s *SS2D) Directions() *scanorder.Directions { return s.dirs }
