package train

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/mambaad/mambaad/format/checkpoint"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/format/safetensors"
)

// state is the JSON "train_state" entry of a training checkpoint.
type state struct {
	Iter        int     `json:"iter"`
	Epoch       int     `json:"epoch"`
	StepInEpoch int     `json:"step_in_epoch"`
	ItersPerEp  int     `json:"iters_per_epoch"`
	OptStep     int     `json:"optimizer_step"`
	Options     Options `json:"options"`
	RNG         string  `json:"rng"` // drop-path PCG state, base64
}

// Save writes a resumable checkpoint: the model, the optimiser moments as
// extra tensors and the train state, atomically. o adds metadata entries
// (the dataset description…) and says how the model is stored; the
// trainable tensors stay float32 whatever o.Half says, since resuming must
// continue exactly.
func (t *Trainer) Save(path string, o modelio.SaveOptions) error {
	rng, err := t.src.MarshalBinary()
	if err != nil {
		return err
	}
	st := state{Iter: t.Iter, Epoch: t.Epoch, StepInEpoch: t.StepInEpoch, ItersPerEp: t.StepsPerEpoch,
		OptStep: t.Optimizer.Step, Options: t.Options, RNG: base64.StdEncoding.EncodeToString(rng)}
	js, err := json.Marshal(st)
	if err != nil {
		return err
	}
	all := map[string]string{"train_state": string(js)}
	for k, v := range o.Meta {
		all[k] = v
	}
	var extra []checkpoint.Named
	for i, p := range t.Optimizer.Params() {
		m, v := t.Optimizer.Moments(i)
		extra = append(extra,
			checkpoint.Named{Name: modelio.ExtraPrefix + "adam.m." + p.Name, DType: safetensors.F32, Shape: p.Shape, F32: m},
			checkpoint.Named{Name: modelio.ExtraPrefix + "adam.v." + p.Name, DType: safetensors.F32, Shape: p.Shape, F32: v})
	}
	o.Meta, o.Extra, o.Half = all, append(o.Extra, extra...), false
	return modelio.Save(path, t.Model, o)
}

// Resume rebuilds a trainer from a checkpoint written by Save so that the
// run continues exactly where it stopped.
func Resume(path string) (*Trainer, *checkpoint.File, error) {
	m, f, err := modelio.Load(path)
	if err != nil {
		return nil, nil, err
	}
	js, ok := f.Meta["train_state"]
	if !ok {
		return nil, nil, fmt.Errorf("%s: not a training checkpoint (no train_state); start a new run from its weights with --init %s instead", path, path)
	}
	var st state
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		return nil, nil, fmt.Errorf("%s: bad train_state: %w", path, err)
	}
	t, err := NewTrainer(m, st.Options, st.ItersPerEp)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Iter, t.Epoch, t.StepInEpoch, t.Optimizer.Step = st.Iter, st.Epoch, st.StepInEpoch, st.OptStep
	rng, err := base64.StdEncoding.DecodeString(st.RNG)
	if err == nil {
		err = t.src.UnmarshalBinary(rng)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: bad random state in train_state: %w", path, err)
	}
	for i, p := range t.Optimizer.Params() {
		mm, vv := t.Optimizer.Moments(i)
		for _, dst := range []struct {
			kind string
			buf  []float32
		}{{"m", mm}, {"v", vv}} {
			name := modelio.ExtraPrefix + "adam." + dst.kind + "." + p.Name
			ten, ok := f.Tensor(name)
			if !ok || len(ten.F32) != len(dst.buf) {
				return nil, nil, fmt.Errorf("%s: optimiser state %s missing or misshapen", path, name)
			}
			copy(dst.buf, ten.F32)
		}
	}
	return t, f, nil
}
