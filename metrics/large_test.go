package metrics

import (
	"cmp"
	"math"
	"slices"
	"testing"
)

// sortedReference computes the exact pixel metrics with a comparison sort
// and one point per distinct score: simpler and slower than the package's
// radix sort, block storage and bulk sweep, and sharing no code with them.
func sortedReference(scores []float64, reg []int, areas []float64, maxFPR float64) (au, ap, f1, aupro float64) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	var P, N float64
	for _, r := range reg {
		if r >= 0 {
			P++
		} else {
			N++
		}
	}
	var tp, fp, cover, prevR, prevF, prevT, proF, proP float64
	done := false
	for i := 0; i < len(idx); {
		s := scores[idx[i]]
		for ; i < len(idx) && scores[idx[i]] == s; i++ {
			if r := reg[idx[i]]; r >= 0 {
				tp++
				cover += 1 / areas[r]
			} else {
				fp++
			}
		}
		fpr, tpr := fp/N, tp/P
		au += (fpr - prevF) * (tpr + prevT) / 2
		prevF, prevT = fpr, tpr
		prec := tp / (tp + fp)
		ap += (tpr - prevR) * prec
		prevR = tpr
		if f := 2 * prec * tpr / (prec + tpr); f > f1 {
			f1 = f
		}
		if p := cover / float64(len(areas)); !done {
			if fpr > maxFPR {
				p = proP + (p-proP)*(maxFPR-proF)/(fpr-proF)
				fpr, done = maxFPR, true
			}
			aupro += (fpr - proF) * (p + proP) / 2
			proF, proP = fpr, p
		}
	}
	return au, ap, f1, aupro / maxFPR
}

// TestLargeClass runs a class big enough for many storage blocks and
// parallel radix chunks (40 maps of 256×256, float32) against
// sortedReference and the brute-force ADer formulas.
func TestLargeClass(t *testing.T) {
	if testing.Short() {
		t.Skip("large class: skipped in -short mode")
	}
	g := newSynth(256, 11)
	var imgs []bruteImage
	for i := range 40 {
		img := g.image(i%3 != 0)
		im := bruteImage{h: img.H, w: img.W, score: make([]float64, len(img.Map)), mask: make([]uint8, len(img.Map))}
		for p, v := range img.Map {
			im.score[p] = float64(float32(math.Round(float64(v)*4096) / 4096)) // add ties
		}
		copy(im.mask, img.Mask)
		imgs = append(imgs, im)
	}
	scores, _, reg, areas := bruteRegions(imgs)
	if len(scores) <= 2*maxBlock {
		t.Fatalf("only %d pixels: not a large class", len(scores))
	}
	au, ap, f1, pro := sortedReference(scores, reg, areas, 0.3)
	for _, mode := range []Mode{Exact, Reference} {
		c, _ := NewClass("large", Options{Mode: mode})
		for _, im := range imgs {
			m := make([]float32, len(im.score))
			for p, v := range im.score {
				m[p] = float32(v)
			}
			if err := c.Add(Image{H: im.h, W: im.w, Map: m, Mask: im.mask}); err != nil {
				t.Fatal(err)
			}
		}
		r := compute(t, c)
		if r.Regions != len(areas) {
			t.Fatalf("%d regions, flood fill finds %d", r.Regions, len(areas))
		}
		near(t, "P-AUROC", r.PAUROC, au, 1e-12)
		near(t, "P-AP", r.PAP, ap, 1e-12)
		if mode == Exact {
			near(t, "P-F1max", r.PF1Max, f1, 1e-12)
			near(t, "AU-PRO", r.AUPRO, pro, 1e-11)
			continue
		}
		near(t, "reference AU-PRO", r.AUPRO, bruteADerPRO(imgs, 100, 0.3), 1e-11)
		f1max, ioumax, mf1, macc, miou := bruteADerF1(imgs)
		near(t, "reference P-F1max", r.PF1Max, f1max, 1e-12)
		near(t, "mIoU_max_px", r.ADer.IoUMaxPx, ioumax, 1e-12)
		near(t, "mF1_px", r.ADer.F1Px, mf1, 1e-12)
		near(t, "mAcc_px", r.ADer.AccPx, macc, 1e-12)
		near(t, "mIoU_px", r.ADer.IoUPx, miou, 1e-12)
	}
}

// TestProCurveMatchesArea integrates ProCurve's points (per-value sweep)
// and compares with Compute's AU-PRO (bulk sweep).
func TestProCurveMatchesArea(t *testing.T) {
	c := classOf(t, randomImages(newSynth(8, 3).rng, 30, 24, 24, 400), Options{})
	fpr, pro, err := c.ProCurve()
	if err != nil {
		t.Fatal(err)
	}
	var area float64
	for i := 1; i < len(fpr); i++ {
		x, y := fpr[i], pro[i]
		if x > 0.3 {
			y = pro[i-1] + (y-pro[i-1])*(0.3-fpr[i-1])/(x-fpr[i-1])
			x = 0.3
		}
		area += (x - fpr[i-1]) * (y + pro[i-1]) / 2
	}
	if fpr[len(fpr)-1] <= 0.3 || fpr[len(fpr)-2] > 0.3 || len(fpr) < 100 {
		t.Fatalf("curve of %d points should end at the first FPR above 0.3: ends %v", len(fpr), fpr[len(fpr)-2:])
	}
	near(t, "AU-PRO", compute(t, c).AUPRO, area/0.3, 1e-12)
}
