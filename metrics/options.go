package metrics

import (
	"fmt"
	"math"
)

// Mode selects how pixel F1-max and AU-PRO are computed. The image metrics,
// pixel AUROC and pixel AP are exact in both modes, as they are in ADer.
type Mode int

const (
	// Exact uses every distinct score as a threshold.
	Exact Mode = iota
	// Reference reproduces ADer: P-F1max from 21 thresholds on min-max
	// normalised maps (mF1_max_px) and AU-PRO from ProSteps thresholds
	// with a min-max rescaled FPR axis (cal_pro_score).
	Reference
)

// String returns "exact" or "reference"; these names appear in reports.
func (m Mode) String() string {
	switch m {
	case Exact:
		return "exact"
	case Reference:
		return "reference"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Default values, as in the MambaAD configuration and the MVTec AD paper.
const (
	DefaultProSteps = 100 // ADer max_step_aupro in configs/mambaad
	DefaultMaxFPR   = 0.3
)

// Options configures a Class or an Evaluator. The zero value is the exact
// mode with AU-PRO integrated to FPR 0.3.
type Options struct {
	Mode Mode
	// ProSteps is ADer's number of AU-PRO thresholds (Reference mode
	// only); 0 means DefaultProSteps.
	ProSteps int
	// MaxFPR is the AU-PRO integration limit; 0 means DefaultMaxFPR.
	MaxFPR float64
}

// withDefaults fills zero fields and rejects values that make no sense, so
// a typo fails at construction rather than as a strange number later.
func (o Options) withDefaults() (Options, error) {
	if o.Mode != Exact && o.Mode != Reference {
		return o, fmt.Errorf("metrics: unknown mode %d", int(o.Mode))
	}
	if o.ProSteps == 0 {
		o.ProSteps = DefaultProSteps
	}
	if o.ProSteps < 1 || o.ProSteps > 1_000_000 {
		return o, fmt.Errorf("metrics: ProSteps %d out of range [1, 1e6]", o.ProSteps)
	}
	if o.MaxFPR == 0 {
		o.MaxFPR = DefaultMaxFPR
	}
	if !(o.MaxFPR > 0 && o.MaxFPR <= 1) || math.IsNaN(o.MaxFPR) {
		return o, fmt.Errorf("metrics: MaxFPR %v out of range (0, 1]", o.MaxFPR)
	}
	return o, nil
}
