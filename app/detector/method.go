package detector

import (
	"fmt"
	"strings"
)

// Method is how a detector makes its anomaly maps.
type Method string

// The methods.
const (
	// MethodRecon is the paper's: 1 − cosine similarity between the
	// encoder's features and the decoder's reconstruction of them.
	MethodRecon Method = "recon"
	// MethodMemory is a memory bank of normal patch features: the distance
	// of each patch to its nearest normal patch (no trained network).
	MethodMemory Method = "memory"
	// MethodCombined adds both maps, each normalised by its statistics on
	// normal images.
	MethodCombined Method = "combined"
)

// Methods lists the methods in the order --help shows them.
var Methods = []Method{MethodRecon, MethodMemory, MethodCombined}

// ParseMethod reads a method name.
func ParseMethod(s string) (Method, error) {
	for _, m := range Methods {
		if strings.EqualFold(s, string(m)) {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown method %q (want recon, memory or combined)", s)
}

// UsesRecon reports whether the method needs the trained decoder.
func (m Method) UsesRecon() bool { return m == MethodRecon || m == MethodCombined }

// UsesMemory reports whether the method needs the memory bank.
func (m Method) UsesMemory() bool { return m == MethodMemory || m == MethodCombined }

// KeyFusion is the metadata key of the combined method's statistics.
const KeyFusion = "fusion"

// FusionStats normalise the two maps of the combined method: each map is
// divided by Scale (a typical value of that map on normal images) before
// the two are added, so that both weigh alike and the sum stays positive.
type FusionStats struct {
	ReconScale  float64 `json:"recon_scale"`
	MemoryScale float64 `json:"memory_scale"`
}
