package serve

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/mambaad/mambaad/app/detector"
	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/format/modelio"
	"github.com/mambaad/mambaad/model"
)

// SyntheticImage is a w×h test picture of product class k: a smooth
// pattern whose colours depend on the class, with noise from seed. With
// defect set, a dark blob is painted on it.
func SyntheticImage(k, w, h int, seed uint64, defect bool) image.Image {
	rng := rand.New(rand.NewPCG(seed, uint64(k)+1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	base := [][3]float64{{200, 170, 90}, {90, 140, 210}, {150, 200, 120}, {210, 110, 150}}[k%4]
	fx, fy := 2+float64(k%3), 3-float64(k%2)
	cx, cy, r := rng.Float64()*float64(w), rng.Float64()*float64(h), 0.08*float64(min(w, h))+2
	for y := range h {
		for x := range w {
			u, v := float64(x)/float64(w), float64(y)/float64(h)
			s := 0.75 + 0.25*math.Sin(2*math.Pi*(fx*u+fy*v))
			var c [3]uint8
			for i := range c {
				val := base[i]*s + rng.NormFloat64()*6
				if defect && math.Hypot(float64(x)-cx, float64(y)-cy) < r {
					val *= 0.25
				}
				c[i] = uint8(min(max(val, 0), 255))
			}
			img.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	return img
}

// TinyConfig is a small model (64×64 input, ResNet18 encoder, light
// decoder) for tests and demonstrations.
func TinyConfig() model.Config {
	return model.Config{Backbone: "resnet18", ImageSize: 64, Depths: []int{2, 2, 2, 2}, Scan: "hilbert",
		Directions: 2, DState: 4, FusionBlocks: 1}
}

// WriteSyntheticCheckpoint writes a checkpoint with random weights (seed)
// for cfg, class prototypes for the given classes (from SyntheticImage
// pictures) and per-class thresholds at the median score of a few normal
// pictures of each class (the global one at the median of all): a real
// checkpoint in every respect but training, for tests and for measuring
// the server (its timing does not depend on the weights).
func WriteSyntheticCheckpoint(path string, cfg model.Config, classes []string, seed uint64) (*detector.Detector, error) {
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	m.Init(seed)
	m.Enc.InitRandom(seed)
	m.SetTrain(false, 0)
	d := detector.FromModel(m)
	d.Meta.Encoder = detector.EncoderInfo{Source: detector.SourceRandom, Random: true}
	d.Meta.Dataset = detector.DatasetInfo{Dataset: "synthetic", Classes: fmt.Sprint(classes)}
	s := cfg.ImageSize
	const per = 3
	if len(classes) > 0 {
		ch, sides := m.FeatureShapes()
		pb := detector.NewPrototypeBuilder(ch[2])
		for k, c := range classes {
			imgs := make([]float32, 0, per*3*s*s)
			for i := range per {
				imgs = append(imgs, data.ImageTensor(SyntheticImage(k, s+7*i, s+5*i, seed+uint64(i), false), s, s)...)
			}
			f := m.Features(imgs, per)
			pb.Add(slices.Repeat([]string{c}, per), detector.Pool(f[2], per, ch[2], sides[2]))
		}
		protos, err := pb.Build()
		if err != nil {
			return nil, err
		}
		d.SetPrototypes(protos)
	}
	var all []float64
	d.Meta.Thresholds.Classes = map[string]detector.Threshold{}
	for k, c := range append(slices.Clone(classes), "") {
		if c == "" && len(classes) > 0 {
			break
		}
		imgs := make([]float32, 0, per*3*s*s)
		for i := range per {
			imgs = append(imgs, data.ImageTensor(SyntheticImage(k, s+3*i, s+2*i, seed+100+uint64(i), false), s, s)...)
		}
		p := d.Predict(imgs, per)
		sc := slices.Clone(p.Scores)
		slices.Sort(sc)
		all = append(all, sc...)
		if c != "" {
			d.Meta.Thresholds.Classes[c] = detector.Threshold{Value: sc[per/2], Method: "given"}
		}
	}
	slices.Sort(all)
	d.Meta.Thresholds.Global = &detector.Threshold{Value: all[len(all)/2], Method: "given"}
	if err := modelio.Save(path, m, modelio.SaveOptions{Meta: d.Meta.Entries(), Extra: d.Parts(false)}); err != nil {
		return nil, err
	}
	return detector.Load(path)
}
