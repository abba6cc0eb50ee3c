package run

import (
	"errors"
	"fmt"
	"io"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/weights"
)

// buildModel creates the network for mc, initialises the trainable part
// from seed and loads the encoder weights mc.Weights names ("auto": the
// cache, falling back to a random encoder with a warning on warn).
func buildModel(mc ModelConfig, seed uint64, warn io.Writer) (*model.MambaAD, detector.EncoderInfo, error) {
	m, err := model.New(mc.toModel())
	if err != nil {
		return nil, detector.EncoderInfo{}, err
	}
	m.Init(seed)
	info, err := loadEncoder(m, mc, seed, warn)
	return m, info, err
}

func loadEncoder(m *model.MambaAD, mc ModelConfig, seed uint64, warn io.Writer) (detector.EncoderInfo, error) {
	name := mc.Weights
	switch name {
	case detector.SourceRandom:
		m.Enc.InitRandom(seed)
		return detector.EncoderInfo{Source: detector.SourceRandom, Random: true}, nil
	case "", "auto":
		name = mc.Backbone
	}
	path, err := weights.Resolve(name)
	var nc *weights.NotCachedError
	if errors.As(err, &nc) && (mc.Weights == "" || mc.Weights == "auto") {
		fmt.Fprintf(warn, "warning: %v\nwarning: continuing with a RANDOM encoder; anomaly scores will be far from what ImageNet weights give\n", err)
		m.Enc.InitRandom(seed)
		return detector.EncoderInfo{Source: detector.SourceRandomFallback, Random: true}, nil
	}
	if err != nil {
		return detector.EncoderInfo{}, err
	}
	if _, err := modelio.LoadBackbone(m.Enc, path); err != nil {
		return detector.EncoderInfo{}, err
	}
	return detector.EncoderInfo{Source: path}, nil
}
