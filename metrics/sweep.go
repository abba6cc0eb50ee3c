package metrics

// pixels holds one class's pixel scores as keys: normal pixels as bare keys,
// anomalous pixels as keys with the index of their ground-truth region.
type pixels[K key] struct {
	neg   chunks[K]
	posK  chunks[K]
	posR  chunks[uint32]
	areas []int64 // pixels per region
	// lo and hi are the smallest and largest key stored (valid when the
	// class has pixels); the sort works on offsets from lo.
	lo, hi K
	// sorted is true while every list is one ascending block (no Add
	// since the last sort), so a second Compute or ProCurve skips the sort.
	sorted bool
}

func (px *pixels[K]) count() int64 { return int64(px.neg.n + px.posK.n) }

// fill is a size snapshot, to undo a partly stored image.
type fill struct{ neg, pos int }

func (px *pixels[K]) mark() fill { return fill{px.neg.n, px.posK.n} }

func (px *pixels[K]) undo(f fill) {
	px.neg.truncate(f.neg)
	px.posK.truncate(f.pos)
	px.posR.truncate(f.pos)
}

// sort leaves each list as one ascending block. The lists are sorted one
// after the other, each with every worker, and the stored blocks are
// released to the sort so they can be collected after its first pass.
func (px *pixels[K]) sort() {
	if px.sorted {
		return
	}
	nb := px.neg.blocks
	px.neg.blocks = nil
	neg, _ := radixSort(nb, nil, px.lo, px.hi)
	px.neg.set(neg)
	kb, vb := px.posK.blocks, px.posR.blocks
	px.posK.blocks, px.posR.blocks = nil, nil
	k, v := radixSort(kb, vb, px.lo, px.hi)
	px.posK.set(k)
	px.posR.set(v)
	px.sorted = true
}

// lists returns the sorted lists; sort must have run.
func (px *pixels[K]) lists() (neg, posK []K, posR []uint32) {
	one := func(b [][]K) []K {
		if len(b) == 0 {
			return nil
		}
		return b[0]
	}
	neg, posK = one(px.neg.blocks), one(px.posK.blocks)
	if len(px.posR.blocks) > 0 {
		posR = px.posR.blocks[0]
	}
	return neg, posK, posR
}

// sweepOut is everything one descending pass produces.
type sweepOut struct {
	rates rates
	pro   proArea
}

// stop is a reference-mode checkpoint: the state is recorded once every key
// ≥ at has been admitted and before any smaller key is.
type stop[K key] struct {
	at     K
	record func(state)
}

// sweep admits the pixels from the highest score down and updates the exact
// metrics, the PRO curve and the checkpoints (stops, sorted by at
// descending). The lists must be sorted.
//
// All pixels of one score are admitted together (ties are one threshold).
// Between two anomalous scores only the normal pixels move, which changes
// no precision, recall or PRO value, just the FP count: such a stretch is
// admitted in one bulk step (a tight scan, no per-pixel work). That gives
// the same AUROC and AU-PRO as one step per score; recordCurve turns the
// bulk steps off so that the PRO curve gets one point per distinct score.
func (px *pixels[K]) sweep(maxFPR float64, recordCurve bool, stops []stop[K]) sweepOut {
	neg, posK, posR := px.lists()
	inv := make([]float64, len(px.areas))
	for r, a := range px.areas {
		inv[r] = 1 / float64(a)
	}
	out := sweepOut{
		rates: newRates(int64(len(posK)), int64(len(neg))),
		pro:   newProArea(int64(len(neg)), len(px.areas), maxFPR, recordCurve),
	}
	var sum neumaier // Σ 1/area over admitted anomalous pixels
	st := func() state { return state{tp: out.rates.tp, fp: out.rates.fp, prosum: sum.value()} }
	admit := func(p, n int64) {
		out.rates.step(p, n)
		if !out.pro.done {
			out.pro.point(out.rates.fp, sum.value())
		}
	}
	i, j := len(neg)-1, len(posK)-1
	below := func(at K) bool { return (i < 0 || neg[i] < at) && (j < 0 || posK[j] < at) }
	for {
		// Record the checkpoints that every remaining key is below.
		for len(stops) > 0 && below(stops[0].at) {
			stops[0].record(st())
			stops = stops[1:]
		}
		if i < 0 && j < 0 {
			return out
		}
		// Bulk-admit normal pixels above the next anomalous score and not
		// below the next checkpoint.
		var lim K
		if j >= 0 {
			lim = posK[j] + 1
		}
		if len(stops) > 0 {
			lim = max(lim, stops[0].at)
		}
		if recordCurve && i >= 0 {
			lim = max(lim, neg[i])
		}
		i0 := i
		for i >= 0 && neg[i] >= lim {
			i--
		}
		if i < i0 {
			admit(0, int64(i0-i))
			continue
		}
		if j < 0 || (i >= 0 && neg[i] > posK[j]) {
			continue // a checkpoint comes first
		}
		k := posK[j]
		j0 := j
		for ; j >= 0 && posK[j] == k; j-- {
			sum.add(inv[posR[j]])
		}
		for i >= 0 && neg[i] == k {
			i--
		}
		admit(int64(j0-j), int64(i0-i))
	}
}

// neumaier is a compensated sum: PRO adds up to millions of 1/area terms,
// and the compensation keeps the total exact to a few ulps.
type neumaier struct{ sum, comp float64 }

func (s *neumaier) add(x float64) {
	t := s.sum + x
	if abs(s.sum) >= abs(x) {
		s.comp += (s.sum - t) + x
	} else {
		s.comp += (x - t) + s.sum
	}
	s.sum = t
}

func (s *neumaier) value() float64 { return s.sum + s.comp }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
