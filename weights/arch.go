package weights

import "fmt"

// Arch describes a torchvision-style ResNet (timm uses the same tensor
// names) well enough to list the tensors a checkpoint must hold. Key names
// alone cannot tell the variants apart — a ResNet50 file has every key of a
// ResNet18 — so shapes are checked too.
type Arch struct {
	Bottleneck bool   // Bottleneck blocks (ResNet50 and wider) instead of BasicBlock
	Blocks     [4]int // blocks in layer1..layer4
	Stem       int    // channels of conv1 (64 in every ImageNet ResNet)
	Planes     [4]int // planes of layer1..layer4 (64, 128, 256, 512)
	Width      int    // bottleneck inner width multiplier: 1, or 2 for wide_resnet50_2
}

// ResNet returns the ImageNet geometry with the given block type, block
// counts and bottleneck width multiplier.
func ResNet(bottleneck bool, blocks [4]int, width int) Arch {
	return Arch{Bottleneck: bottleneck, Blocks: blocks, Stem: 64, Planes: [4]int{64, 128, 256, 512}, Width: width}
}

// Param is one tensor a checkpoint is expected to hold.
type Param struct {
	Name     string
	Shape    []int
	Optional bool // BatchNorm's num_batches_tracked, absent from older files
}

func (a Arch) expansion() int {
	if a.Bottleneck {
		return 4
	}
	return 1
}

// Channels returns the output channels of layer1..layer3, the feature maps
// MambaAD's encoder hands to the fusion block.
func (a Arch) Channels() [3]int {
	e := a.expansion()
	return [3]int{a.Planes[0] * e, a.Planes[1] * e, a.Planes[2] * e}
}

// Trunk lists the tensors MambaAD needs: the stem and layer1..layer3.
// layer4 and fc may be present in a file but are not required.
func (a Arch) Trunk() []Param { return a.Tensors(3) }

// Tensors lists the stem and the first stages (1..4) of the network, in
// torchvision's state_dict order.
func (a Arch) Tensors(stages int) []Param {
	ps := []Param{{Name: "conv1.weight", Shape: []int{a.Stem, 3, 7, 7}}}
	ps = append(ps, bn("bn1", a.Stem)...)
	in := a.Stem
	for s := 0; s < stages; s++ {
		stride := 2
		if s == 0 {
			stride = 1
		}
		for b := 0; b < a.Blocks[s]; b++ {
			prefix := fmt.Sprintf("layer%d.%d.", s+1, b)
			down := b == 0 && (stride != 1 || in != a.Planes[s]*a.expansion())
			ps = append(ps, a.block(prefix, in, a.Planes[s], down)...)
			in = a.Planes[s] * a.expansion()
		}
	}
	return ps
}

// block lists one BasicBlock or Bottleneck, as torchvision's resnet.py
// builds it (the stride does not change any shape).
func (a Arch) block(prefix string, in, planes int, down bool) []Param {
	var ps []Param
	conv := func(name string, out, in, k int) {
		ps = append(ps, Param{Name: prefix + name + ".weight", Shape: []int{out, in, k, k}})
	}
	out := planes * a.expansion()
	if a.Bottleneck {
		w := planes * a.Width
		conv("conv1", w, in, 1)
		ps = append(ps, bn(prefix+"bn1", w)...)
		conv("conv2", w, w, 3)
		ps = append(ps, bn(prefix+"bn2", w)...)
		conv("conv3", out, w, 1)
		ps = append(ps, bn(prefix+"bn3", out)...)
	} else {
		conv("conv1", planes, in, 3)
		ps = append(ps, bn(prefix+"bn1", planes)...)
		conv("conv2", planes, planes, 3)
		ps = append(ps, bn(prefix+"bn2", planes)...)
	}
	if down {
		conv("downsample.0", out, in, 1)
		ps = append(ps, bn(prefix+"downsample.1", out)...)
	}
	return ps
}

// bn lists a BatchNorm2d's state: affine parameters, running statistics,
// and the optional step counter (a scalar).
func bn(name string, c int) []Param {
	return []Param{
		{Name: name + ".weight", Shape: []int{c}},
		{Name: name + ".bias", Shape: []int{c}},
		{Name: name + ".running_mean", Shape: []int{c}},
		{Name: name + ".running_var", Shape: []int{c}},
		{Name: name + ".num_batches_tracked", Shape: []int{}, Optional: true},
	}
}
