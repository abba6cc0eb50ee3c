// Package model is the MambaAD network (see ../shared/spec/mambaad-model.md):
// a frozen ResNet encoder, the fusion block (MFF_OCE) and the Mamba decoder
// (MambaUPNet) built from LSS modules, HSS blocks and SS2D mixers, each
// layer with its forward and backward pass side by side. Parameter names are
// the reference's state_dict keys, so PyTorch checkpoints load directly.
package model

import (
	"fmt"
	"math/bits"

	"github.com/mambaad/mambaad/kernels/gemm"
	"github.com/mambaad/mambaad/nn"
	"github.com/mambaad/mambaad/scanorder"
)

// Config is the model configuration stored in checkpoints.
type Config struct {
	Backbone     string  `json:"backbone"`      // resnet34 in the reference
	ImageSize    int     `json:"image_size"`    // 256 in the reference
	Depths       []int   `json:"depths"`        // [3 4 6 3]
	Scan         string  `json:"scan"`          // hilbert
	Directions   int     `json:"directions"`    // 8
	DState       int     `json:"d_state"`       // 16
	DropPath     float32 `json:"drop_path"`     // 0.2
	FusionBlocks int     `json:"fusion_blocks"` // 3
}

// DefaultConfig is the reference configuration (MVTec AD, 256×256).
func DefaultConfig() Config {
	return Config{Backbone: "resnet34", ImageSize: 256, Depths: []int{3, 4, 6, 3},
		Scan: "hilbert", Directions: 8, DState: 16, DropPath: 0.2, FusionBlocks: 3}
}

// Validate reports a configuration the network cannot be built with.
func (c Config) Validate() error {
	if _, ok := archs[c.Backbone]; !ok {
		return fmt.Errorf("model: unknown backbone %q (known: %v)", c.Backbone, Archs())
	}
	if _, err := scanorder.ParseOrder(c.Scan); err != nil {
		return err
	}
	if c.ImageSize < 64 || c.ImageSize%32 != 0 {
		return fmt.Errorf("model: image size %d must be a multiple of 32, at least 64", c.ImageSize)
	}
	if s := c.ImageSize / 32; bits.OnesCount(uint(s)) != 1 {
		return fmt.Errorf("model: image size %d gives a %d×%d bottleneck; the scans need a power of two (use 64, 128, 256, 512…)", c.ImageSize, s, s)
	}
	if len(c.Depths) != 4 {
		return fmt.Errorf("model: depths %v: the decoder has 4 stages", c.Depths)
	}
	if c.Directions != 2 && c.Directions != 4 && c.Directions != 8 {
		return fmt.Errorf("model: directions %d must be 2, 4 or 8", c.Directions)
	}
	if c.DState < 1 || c.FusionBlocks < 1 || c.DropPath < 0 || c.DropPath >= 1 {
		return fmt.Errorf("model: invalid d_state %d, fusion_blocks %d or drop_path %g", c.DState, c.FusionBlocks, c.DropPath)
	}
	return nil
}

// MambaAD is the whole network: Encoder (frozen) → Fusion → Decoder.
type MambaAD struct {
	Cfg  Config
	Enc  *Encoder
	Fuse *Fusion
	Dec  *Decoder

	prof *probe         // the anomaly map's (see SetBreakdown)
	prec gemm.Precision // of the inference products (see SetPrecision)
}

// New builds the network with zero weights (see Init and the loaders).
func New(cfg Config) (*MambaAD, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	enc, err := NewEncoder(cfg.Backbone)
	if err != nil {
		return nil, err
	}
	ch := enc.Channels
	fuse, err := NewFusion("mff_oce", ch, cfg.FusionBlocks)
	if err != nil {
		return nil, err
	}
	order, _ := scanorder.ParseOrder(cfg.Scan)
	dec, err := NewDecoder("net_s", DecoderConfig{
		Dims:   []int{fuse.OutChannels(), ch[2], ch[1], ch[0]},
		Depths: cfg.Depths, Side0: cfg.ImageSize / 32, Order: order,
		K: cfg.Directions, N: cfg.DState, LNEps: 1e-5, DropPath: cfg.DropPath})
	if err != nil {
		return nil, err
	}
	return &MambaAD{Cfg: cfg, Enc: enc, Fuse: fuse, Dec: dec}, nil
}

// FeatureShapes returns the channels and sides of the three feature levels
// (layer1, layer2, layer3 of the encoder; the decoder's outputs match them).
func (m *MambaAD) FeatureShapes() (chans, sides []int) {
	s := m.Cfg.ImageSize
	return m.Enc.Channels[:], []int{s / 4, s / 8, s / 16}
}

// Trainable returns the parameters and buffers of the fusion block and the
// decoder (the trained part), with their reference names.
func (m *MambaAD) Trainable() []*nn.Param {
	return append(m.Fuse.Params(), m.Dec.Params()...)
}

// All returns every tensor, the encoder's prefixed with "net_t." as in the
// reference MAMBAAD state_dict.
func (m *MambaAD) All() []*nn.Param {
	return append(m.Trainable(), m.Enc.Params()...)
}

// EncoderPrefix is the reference's state_dict prefix of the encoder.
const EncoderPrefix = "net_t."

// SetTrain switches the trainable part between training (batch-statistics
// BatchNorm, drop-path, activations kept for backward) and inference.
// Training runs float32 whatever SetPrecision set (see precision.go).
func (m *MambaAD) SetTrain(train bool, seed uint64) {
	m.Fuse.SetTrain(train)
	m.Dec.SetTrain(train, newRNG(seed))
	m.Dec.SetBackprop(train)
}

// Features runs the frozen encoder on normalised images (n, 3, S, S), in
// float32 while the decoder has backprop on (training), else in the
// precision set with SetPrecision.
func (m *MambaAD) Features(images []float32, n int) [3][]float32 {
	return m.Enc.forward(images, n, m.Cfg.ImageSize, m.Enc.bf16 && !m.Dec.backprop())
}

// Reconstruct runs fusion and decoder on encoder features and returns the
// reconstructions, finest first (the same shapes as the features).
func (m *MambaAD) Reconstruct(f [3][]float32, n int) [][]float32 {
	z := m.Fuse.Forward(f[0], f[1], f[2], n, m.Cfg.ImageSize/4)
	return m.Dec.Forward(z, n)
}

// Backward back-propagates d loss / d reconstruction through decoder and
// fusion, accumulating parameter gradients.
func (m *MambaAD) Backward(grads [][]float32) {
	dz := m.Dec.Backward(grads)
	d := m.Fuse.Backward(dz)
	nn.PutScratch(dz, d[0], d[1], d[2])
}
