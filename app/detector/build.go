package detector

import (
	"context"
	"fmt"
	"slices"

	"github.com/mambaad/mambaad/model"
	"github.com/mambaad/mambaad/model/membank"
)

// FeatureSource hands out the frozen encoder's features of the training
// images, batch by batch, in the same order on every call.
type FeatureSource interface {
	// Each calls visit for every batch: the images' classes and their
	// layer-1..3 features (n images, NCHW). The slices are only valid
	// during the call.
	Each(ctx context.Context, visit func(classes []string, f [3][]float32, n int) error) error
}

// BuildOptions control what Build adds to a detector.
type BuildOptions struct {
	Bank membank.Options
	// StatsEvery: FitFusion scores every StatsEvery-th training image
	// (default 10) with both maps to set the combined method's scales.
	StatsEvery int
	// Progress, when set, hears each stage's name and progress in images.
	Progress func(stage string, done int)
}

// Build adds to a detector whose Meta.Method is set the parts that depend
// only on the frozen encoder: the class prototypes and, when the method uses
// one, the memory bank, from the training images' features. The combined
// method also needs FitFusion once the decoder is trained.
func Build(ctx context.Context, d *Detector, src FeatureSource, o BuildOptions) error {
	progress := func(stage string, done int) {
		if o.Progress != nil {
			o.Progress(stage, done)
		}
	}
	m := d.Model
	m.SetTrain(false, 0)
	ch, sides := m.FeatureShapes()
	c2, c3, s2, s3 := ch[1], ch[2], sides[1], sides[2]
	dim := membank.Dim(c2, c3)
	useBank := d.Meta.Method.UsesMemory()
	var bl *membank.Builder
	if useBank {
		var err error
		if bl, err = membank.NewBuilder(dim, o.Bank); err != nil {
			return err
		}
	}
	pb := NewPrototypeBuilder(c3)
	var patches []float32
	embed := func(f [3][]float32, n int) []float32 {
		patches = slices.Grow(patches[:0], n*s2*s2*dim)[:n*s2*s2*dim]
		membank.Embed(f[1], f[2], n, c2, c3, s2, s3, patches)
		return patches
	}
	done := 0
	err := src.Each(ctx, func(classes []string, f [3][]float32, n int) error {
		pb.Add(classes, Pool(f[2], n, c3, s3))
		if useBank {
			bl.Add(embed(f, n), n*s2*s2)
		}
		done += n
		progress("features", done)
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	protos, err := pb.Build()
	if err != nil {
		return err
	}
	d.SetPrototypes(protos)
	if !useBank {
		return nil
	}
	progress("coreset", 0)
	if _, err := bl.Select(ctx); err != nil {
		return err
	}
	row, done := 0, 0
	err = src.Each(ctx, func(_ []string, f [3][]float32, n int) error {
		bl.Fill(row, embed(f, n), n*s2*s2)
		row += n * s2 * s2
		done += n
		progress("memory bank", done)
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	d.Bank, err = bl.Bank()
	return err
}

// FitFusion sets the combined method's scales: the mean image score
// (maximum of the map) of each map over every k-th training image (k =
// o.StatsEvery). It needs the memory bank and the trained decoder.
func (d *Detector) FitFusion(ctx context.Context, src FeatureSource, o BuildOptions) error {
	if d.Bank == nil {
		return fmt.Errorf("detector: FitFusion before the memory bank is built")
	}
	k := o.StatsEvery
	if k <= 0 {
		k = 10
	}
	progress := func(stage string, done int) {
		if o.Progress != nil {
			o.Progress(stage, done)
		}
	}
	m := d.Model
	m.SetTrain(false, 0)
	ch, sides := m.FeatureShapes()
	s := m.Cfg.ImageSize
	var recSum, memSum float64
	count, seen := 0, 0
	var sub [3][]float32
	err := src.Each(ctx, func(_ []string, f [3][]float32, n int) error {
		// Pick this batch's every-k-th images into a sub-batch.
		var pick []int
		for i := 0; i < n; i++ {
			if (seen+i)%k == 0 {
				pick = append(pick, i)
			}
		}
		seen += n
		if len(pick) == 0 {
			return nil
		}
		for l := range sub {
			per := ch[l] * sides[l] * sides[l]
			sub[l] = sub[l][:0]
			for _, i := range pick {
				sub[l] = append(sub[l], f[l][i*per:(i+1)*per]...)
			}
		}
		np := len(pick)
		mem := d.Bank.AnomalyMaps(sub[1], sub[2], np, ch[1], ch[2], sides[1], sides[2], s, membank.Sigma)
		outs := m.Reconstruct(sub, np)
		rec := model.AnomalyMaps(sub[:], outs, ch, sides, np, s, model.Sigma)
		plane := s * s
		for b := 0; b < np; b++ {
			recSum += slices.Max(rec[b*plane : (b+1)*plane])
			memSum += slices.Max(mem[b*plane : (b+1)*plane])
		}
		count += np
		progress("normalisation", seen)
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	if count == 0 || recSum <= 0 || memSum <= 0 {
		return fmt.Errorf("detector: cannot normalise the combined maps (%d images, mean scores %g and %g)", count, recSum, memSum)
	}
	d.Meta.Fusion = &FusionStats{ReconScale: recSum / float64(count), MemoryScale: memSum / float64(count)}
	return nil
}
