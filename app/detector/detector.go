// Package detector is a trained model ready to judge images: the network,
// what its checkpoint says about it (encoder origin, training data,
// calibrated thresholds) and the decision rule. Every inference path —
// test, predict, calibrate and the server — loads its model here, so they
// all see the same network and the same thresholds.
package detector

import (
	"github.com/mambaad/mambaad/format/checkpoint"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/model"
)

// Detector is a loaded checkpoint.
type Detector struct {
	Path  string
	Model *model.MambaAD
	Meta  Meta
	file  *checkpoint.File
}

// Load reads a mambaad checkpoint and its metadata.
func Load(path string) (*Detector, error) {
	m, f, err := modelio.Load(path)
	if err != nil {
		return nil, err
	}
	meta, err := ParseMeta(path, f.Meta)
	if err != nil {
		return nil, err
	}
	return &Detector{Path: path, Model: m, Meta: meta, file: f}, nil
}

// SaveMeta writes the checkpoint again to dst (atomically; dst may be the
// file it was loaded from) with d.Meta in place of its stored metadata.
// Every tensor and every metadata entry this package does not own is kept.
func (d *Detector) SaveMeta(dst string) error {
	meta := map[string]string{}
	for k, v := range d.file.Meta {
		meta[k] = v
	}
	delete(meta, KeyThreshold)
	for k, v := range d.Meta.Entries() {
		meta[k] = v
	}
	return checkpoint.Save(dst, d.file.Tensors, meta)
}
