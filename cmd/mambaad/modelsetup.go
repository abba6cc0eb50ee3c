package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/weights"
)

// encoderInfo says where the encoder's weights came from; it is stored in
// checkpoints and printed in every report, because a random encoder makes
// every number meaningless for real use.
type encoderInfo struct {
	Source string `json:"source"` // a file path, sourceRandom or sourceRandomFallback
	Random bool   `json:"random"`
}

// The two sources of a random encoder: asked for with --weights random (a
// baseline), or the fallback when "auto" finds no cached weights.
const (
	sourceRandom         = "random"
	sourceRandomFallback = "random-fallback"
)

func (e encoderInfo) String() string {
	switch {
	case e.Source == sourceRandom:
		return "RANDOM encoder (--weights random: a baseline, not a detector for real use)"
	case e.Random:
		return "RANDOM encoder (no ImageNet weights found; results are only a smoke test)"
	}
	return "ImageNet weights from " + e.Source
}

// buildModel creates the network for mc, initialises the trainable part
// from seed and loads the encoder weights mc.Weights names ("auto": the
// cache, falling back to a random encoder with a warning on warn).
func buildModel(mc ModelConfig, seed uint64, warn io.Writer) (*model.MambaAD, encoderInfo, error) {
	m, err := model.New(mc.toModel())
	if err != nil {
		return nil, encoderInfo{}, err
	}
	m.Init(seed)
	info, err := loadEncoder(m, mc, seed, warn)
	return m, info, err
}

func loadEncoder(m *model.MambaAD, mc ModelConfig, seed uint64, warn io.Writer) (encoderInfo, error) {
	name := mc.Weights
	switch name {
	case sourceRandom:
		m.Enc.InitRandom(seed)
		return encoderInfo{Source: sourceRandom, Random: true}, nil
	case "", "auto":
		name = mc.Backbone
	}
	path, err := weights.Resolve(name)
	var nc *weights.NotCachedError
	if errors.As(err, &nc) && (mc.Weights == "" || mc.Weights == "auto") {
		fmt.Fprintf(warn, "warning: %v\nwarning: continuing with a RANDOM encoder; anomaly scores will be far from what ImageNet weights give\n", err)
		m.Enc.InitRandom(seed)
		return encoderInfo{Source: sourceRandomFallback, Random: true}, nil
	}
	if err != nil {
		return encoderInfo{}, err
	}
	if _, err := modelio.LoadBackbone(m.Enc, path); err != nil {
		return encoderInfo{}, err
	}
	return encoderInfo{Source: path}, nil
}
