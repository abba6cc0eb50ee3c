package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// A deliberately naive implementation of every metric, straight from the
// definitions (one full pass over all pixels per threshold, flood-fill
// components), to check the one-sort sweep on small data with many ties.

type bruteImage struct {
	h, w  int
	score []float64
	mask  []uint8
}

// floodComponents labels 8-connected foreground pixels by breadth-first
// search: -1 for background, else a component index.
func floodComponents(mask []uint8, h, w int) ([]int, int) {
	lab := make([]int, len(mask))
	for i := range lab {
		lab[i] = -1
	}
	n := 0
	for p := range mask {
		if mask[p] == 0 || lab[p] >= 0 {
			continue
		}
		queue := []int{p}
		lab[p] = n
		for len(queue) > 0 {
			q := queue[0]
			queue = queue[1:]
			r, c := q/w, q%w
			for dr := -1; dr <= 1; dr++ {
				for dc := -1; dc <= 1; dc++ {
					rr, cc := r+dr, c+dc
					if rr < 0 || rr >= h || cc < 0 || cc >= w {
						continue
					}
					if o := rr*w + cc; mask[o] != 0 && lab[o] < 0 {
						lab[o] = n
						queue = append(queue, o)
					}
				}
			}
		}
		n++
	}
	return lab, n
}

// bruteRates returns AUROC, AP and F1-max with thresholds at every distinct
// score (positive when score ≥ t) by recounting everything per threshold.
func bruteRates(scores []float64, pos []bool) (auroc, ap, f1 float64) {
	ths := distinctDesc(scores)
	var P, N float64
	for _, p := range pos {
		if p {
			P++
		} else {
			N++
		}
	}
	prevF, prevT, prevR := 0.0, 0.0, 0.0
	for _, t := range ths {
		var tp, fp float64
		for i, s := range scores {
			if s >= t {
				if pos[i] {
					tp++
				} else {
					fp++
				}
			}
		}
		fpr, tpr := fp/N, tp/P
		auroc += (fpr - prevF) * (tpr + prevT) / 2
		prevF, prevT = fpr, tpr
		prec, rec := tp/(tp+fp), tp/P
		ap += (rec - prevR) * prec
		prevR = rec
		if f := 2 * prec * rec / (prec + rec); !math.IsNaN(f) && f > f1 {
			f1 = f
		}
	}
	return auroc, ap, f1
}

func distinctDesc(v []float64) []float64 {
	d := slices.Clone(v)
	for i := range d {
		d[i] += 0 // -0 → +0
	}
	slices.Sort(d)
	d = slices.Compact(d)
	slices.Reverse(d)
	return d
}

// bruteRegions flattens all images into per-pixel scores, labels and
// region indices (-1 for normal pixels) plus region areas.
func bruteRegions(imgs []bruteImage) (scores []float64, pos []bool, reg []int, areas []float64) {
	for _, im := range imgs {
		lab, n := floodComponents(im.mask, im.h, im.w)
		base := len(areas)
		areas = append(areas, make([]float64, n)...)
		for p, l := range lab {
			scores = append(scores, im.score[p])
			pos = append(pos, l >= 0)
			if l >= 0 {
				reg = append(reg, base+l)
				areas[base+l]++
			} else {
				reg = append(reg, -1)
			}
		}
	}
	return
}

// proAt returns FPR and mean region overlap for a binary prediction rule.
func proAt(scores []float64, reg []int, areas []float64, predict func(float64) bool) (fpr, pro float64) {
	tp := make([]float64, len(areas))
	var fp, neg float64
	for i, s := range scores {
		if reg[i] < 0 {
			neg++
			if predict(s) {
				fp++
			}
		} else if predict(s) {
			tp[reg[i]]++
		}
	}
	for r := range areas {
		pro += tp[r] / areas[r]
	}
	return fp / neg, pro / float64(len(areas))
}

// bruteExactPRO integrates the ≥ t PRO curve to maxFPR with interpolation.
func bruteExactPRO(imgs []bruteImage, maxFPR float64) float64 {
	scores, _, reg, areas := bruteRegions(imgs)
	xs, ys := []float64{0}, []float64{0}
	for _, t := range distinctDesc(scores) {
		f, p := proAt(scores, reg, areas, func(s float64) bool { return s >= t })
		xs, ys = append(xs, f), append(ys, p)
	}
	var area float64
	for i := 1; i < len(xs); i++ {
		if xs[i] > maxFPR {
			yi := ys[i-1] + (ys[i]-ys[i-1])*(maxFPR-xs[i-1])/(xs[i]-xs[i-1])
			area += (maxFPR - xs[i-1]) * (yi + ys[i-1]) / 2
			break
		}
		area += (xs[i] - xs[i-1]) * (ys[i] + ys[i-1]) / 2
	}
	return area / maxFPR
}

// bruteADerPRO follows cal_pro_score line by line.
func bruteADerPRO(imgs []bruteImage, steps int, maxFPR float64) float64 {
	scores, _, reg, areas := bruteRegions(imgs)
	lo, hi := slices.Min(scores), slices.Max(scores)
	ths, err := arange(lo, hi, (hi-lo)/float64(steps))
	if err != nil {
		return math.NaN()
	}
	var fs, ps []float64
	for _, th := range ths {
		f, p := proAt(scores, reg, areas, func(s float64) bool { return s > th })
		if f < maxFPR {
			fs, ps = append(fs, f), append(ps, p)
		}
	}
	if len(fs) < 2 {
		return math.NaN() // sklearn.auc raises
	}
	fmin, fmax := slices.Min(fs), slices.Max(fs)
	var area float64
	for i := 1; i < len(fs); i++ {
		a, b := (fs[i-1]-fmin)/(fmax-fmin), (fs[i]-fmin)/(fmax-fmin)
		area += (a - b) * (ps[i] + ps[i-1]) / 2
	}
	return area
}

// bruteADerF1 follows Evaluator.run's mF1_max_px / mIoU_max_px and the
// 0.2..0.8 means.
func bruteADerF1(imgs []bruteImage) (f1max, ioumax, f1, acc, iou float64) {
	scores, pos, _, _ := bruteRegions(imgs)
	lo, hi := slices.Min(scores), slices.Max(scores)
	eval := func(s float64) (f1, acc, iou float64) {
		var inter, pred, gt, union float64
		for i, v := range scores {
			pr := (v-lo)/(hi-lo) > s
			if pr && pos[i] {
				inter++
			}
			if pr {
				pred++
			}
			if pos[i] {
				gt++
			}
			if pr || pos[i] {
				union++
			}
		}
		p, r := inter/(pred+1e-8), inter/(gt+1e-8)
		return 2 * p * r / (p + r + 1e-8), r, inter / (union + 1e-8)
	}
	all, _ := arange(0, 1.001, 0.05)
	for _, s := range all {
		a, _, c := eval(s)
		f1max, ioumax = math.Max(f1max, a), math.Max(ioumax, c)
	}
	mid, _ := arange(0.2, 0.801, 0.1)
	for _, s := range mid {
		a, b, c := eval(s)
		f1, acc, iou = f1+a, acc+b, iou+c
	}
	n := float64(len(mid))
	return f1max, ioumax, f1 / n, acc / n, iou / n
}

// randomImages makes small images whose scores take few values (many ties,
// including -0 next to +0 and negative scores) and whose masks mix blobs,
// single pixels and diagonal scratches.
func randomImages(rng *rand.Rand, n, h, w, levels int) []bruteImage {
	imgs := make([]bruteImage, n)
	for i := range imgs {
		im := bruteImage{h: h, w: w, score: make([]float64, h*w), mask: make([]uint8, h*w)}
		if rng.IntN(3) > 0 {
			paintRandomDefects(rng, im.mask, h, w)
		}
		for p := range im.score {
			v := float64(rng.IntN(levels)) - float64(levels)/4
			if im.mask[p] != 0 {
				v += float64(rng.IntN(3)) // anomalies score higher on average
			}
			if v == 0 && rng.IntN(2) == 0 {
				v = math.Copysign(0, -1)
			}
			im.score[p] = v / 4
		}
		imgs[i] = im
	}
	return imgs
}

func paintRandomDefects(rng *rand.Rand, mask []uint8, h, w int) {
	for range 1 + rng.IntN(3) {
		r0, c0 := rng.IntN(h), rng.IntN(w)
		switch rng.IntN(3) {
		case 0: // single pixel
			mask[r0*w+c0] = 1
		case 1: // diagonal scratch, either direction
			d := 1 - 2*rng.IntN(2)
			for k := 0; k < 1+rng.IntN(h); k++ {
				if r, c := r0+k, c0+d*k; r < h && c >= 0 && c < w {
					mask[r*w+c] = 1
				}
			}
		default: // blob
			for r := r0; r < min(h, r0+1+rng.IntN(4)); r++ {
				for c := c0; c < min(w, c0+1+rng.IntN(4)); c++ {
					mask[r*w+c] = uint8(1 + rng.IntN(255))
				}
			}
		}
	}
}

func classOf(t *testing.T, imgs []bruteImage, opt Options) *Class {
	t.Helper()
	c, err := NewClass("random", opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range imgs {
		if err := c.Add(Image{H: im.h, W: im.w, Map64: im.score, Mask: im.mask}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const tol = 1e-12
	ran, refPRO := 0, 0
	for trial := range 60 {
		imgs := randomImages(rng, 2+rng.IntN(6), 3+rng.IntN(10), 3+rng.IntN(10), 2+rng.IntN(12))
		scores, pos, _, areas := bruteRegions(imgs)
		if len(areas) == 0 || !slices.Contains(pos, false) {
			continue
		}
		ran++
		var imgScore []float64
		var imgLabel []bool
		for _, im := range imgs {
			imgScore = append(imgScore, slices.Max(im.score))
			imgLabel = append(imgLabel, slices.Max(im.mask) > 0)
		}
		r, err := classOf(t, imgs, Options{}).Compute()
		if err != nil {
			t.Fatal(err)
		}
		au, ap, f1 := bruteRates(scores, pos)
		near(t, "P-AUROC", r.PAUROC, au, tol)
		near(t, "P-AP", r.PAP, ap, tol)
		near(t, "P-F1max", r.PF1Max, f1, tol)
		near(t, "AU-PRO", r.AUPRO, bruteExactPRO(imgs, 0.3), tol)
		if slices.Contains(imgLabel, true) && slices.Contains(imgLabel, false) {
			au, ap, f1 = bruteRates(imgScore, imgLabel)
			near(t, "I-AUROC", r.IAUROC, au, tol)
			near(t, "I-AP", r.IAP, ap, tol)
			near(t, "I-F1max", r.IF1Max, f1, tol)
		}
		steps := []int{5, 100, 200}[trial%3]
		ref, err := classOf(t, imgs, Options{Mode: Reference, ProSteps: steps}).Compute()
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteADerPRO(imgs, steps, 0.3); !math.IsNaN(want) || !math.IsNaN(ref.AUPRO) {
			near(t, "reference AU-PRO", ref.AUPRO, want, tol)
			refPRO++
		}
		f1max, ioumax, mf1, macc, miou := bruteADerF1(imgs)
		near(t, "reference P-F1max", ref.PF1Max, f1max, tol)
		near(t, "mIoU_max_px", ref.ADer.IoUMaxPx, ioumax, tol)
		near(t, "mF1_px", ref.ADer.F1Px, mf1, tol)
		near(t, "mAcc_px", ref.ADer.AccPx, macc, tol)
		near(t, "mIoU_px", ref.ADer.IoUPx, miou, tol)
		if t.Failed() {
			t.Fatalf("trial %d failed", trial)
		}
	}
	if ran < 40 || refPRO < 20 {
		t.Errorf("only %d trials ran, %d with a defined reference AU-PRO", ran, refPRO)
	}
	t.Logf("%d trials, %d with a defined reference AU-PRO", ran, refPRO)
}
