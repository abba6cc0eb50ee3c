package metrics

// MetricNames are the column names of a results table, in the order the
// MambaAD paper prints them; Result.Values uses the same order.
var MetricNames = [8]string{"I-AUROC", "I-AP", "I-F1max", "P-AUROC", "P-AP", "P-F1max", "AU-PRO", "mAD"}

// Result holds one class's metrics as fractions in [0, 1] (NaN when
// undefined; Notes says why).
type Result struct {
	Class string

	IAUROC, IAP, IF1Max float64 // image level, score = max of the map
	PAUROC, PAP, PF1Max float64 // pixel level, all pixels of the class
	AUPRO               float64 // up to Options.MaxFPR, normalised
	MAD                 float64 // mean of the seven above; NaN if any is

	Images, AnomalousImages, Regions int
	Pixels, AnomalousPixels          int64

	// ADer is set in Reference mode only.
	ADer *ADerExtras
	// Notes explain undefined metrics and reference-mode degeneracies.
	Notes []string
}

// Values returns the eight metrics in MetricNames order.
func (r *Result) Values() [8]float64 {
	return [8]float64{r.IAUROC, r.IAP, r.IF1Max, r.PAUROC, r.PAP, r.PF1Max, r.AUPRO, r.MAD}
}
