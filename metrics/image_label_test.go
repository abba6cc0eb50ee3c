package metrics

import "testing"

// TestExplicitImageLabel: a defective image whose mask is empty (datasets
// label some defects only at image level) counts as anomalous when its
// label says so, and as normal when the label is derived from the mask.
func TestExplicitImageLabel(t *testing.T) {
	yes := true
	run := func(label *bool) Result {
		c, err := NewClass("x", Options{})
		if err != nil {
			t.Fatal(err)
		}
		mask := []uint8{0, 1, 0, 0}
		add := func(m []float32, mask []uint8, a *bool) {
			if err := c.Add(Image{H: 2, W: 2, Map: m, Mask: mask, Anomalous: a}); err != nil {
				t.Fatal(err)
			}
		}
		add([]float32{0.1, 0.2, 0.1, 0.1}, nil, nil)                   // normal, low
		add([]float32{0.1, 0.9, 0.1, 0.1}, mask, nil)                  // anomalous with a region
		add([]float32{0.1, 0.1, 0.1, 0.15}, nil, nil)                  // normal
		add([]float32{0.3, 0.1, 0.1, 0.1}, []uint8{0, 0, 0, 0}, label) // defective, empty mask
		r, err := c.Compute()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := run(&yes); r.AnomalousImages != 2 || r.IAUROC != 1 {
		t.Errorf("labelled: %d anomalous images, image AUROC %v; want 2 and 1", r.AnomalousImages, r.IAUROC)
	}
	if r := run(nil); r.AnomalousImages != 1 {
		t.Errorf("derived from masks: %d anomalous images, want 1", r.AnomalousImages)
	}
}
