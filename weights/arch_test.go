package weights

import (
	"slices"
	"strings"
	"testing"
)

// The geometry must reproduce torchvision's parameter counts exactly
// (num_params in its weight metadata): stem, four stages and the fc layer,
// counting learnable tensors only.
func TestArchParamCounts(t *testing.T) {
	want := map[string]int{
		"resnet18":        11689512,
		"resnet34":        21797672,
		"resnet50":        25557032,
		"wide_resnet50_2": 68883240,
	}
	for name, n := range want {
		e, err := Known().Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, p := range e.Arch.Tensors(4) {
			if strings.HasSuffix(p.Name, ".running_mean") || strings.HasSuffix(p.Name, ".running_var") || p.Optional {
				continue
			}
			k := 1
			for _, d := range p.Shape {
				k *= d
			}
			got += k
		}
		feat := e.Arch.Planes[3] * e.Arch.expansion()
		got += feat*1000 + 1000
		if got != n {
			t.Errorf("%s: %d parameters, want %d", name, got, n)
		}
	}
}

func TestArchChannelsAndTrunk(t *testing.T) {
	r := Known()
	r18, _ := r.Lookup("resnet18")
	r50, _ := r.Lookup("resnet50")
	if c := r18.Arch.Channels(); c != [3]int{64, 128, 256} {
		t.Errorf("resnet18 channels %v", c)
	}
	if c := r50.Arch.Channels(); c != [3]int{256, 512, 1024} {
		t.Errorf("resnet50 channels %v", c)
	}
	trunk := r18.Arch.Trunk()
	if len(trunk) != 90 { // the count of the shared layer1-3 export
		t.Errorf("resnet18 trunk has %d tensors, want 90", len(trunk))
	}
	names := make([]string, len(trunk))
	for i, p := range trunk {
		names[i] = p.Name
	}
	for _, n := range []string{"conv1.weight", "bn1.running_var", "layer1.1.conv2.weight",
		"layer2.0.downsample.0.weight", "layer3.0.downsample.1.num_batches_tracked"} {
		if !slices.Contains(names, n) {
			t.Errorf("resnet18 trunk lacks %s", n)
		}
	}
	for _, n := range names {
		if strings.HasPrefix(n, "layer4") || strings.HasPrefix(n, "fc") || strings.HasPrefix(n, "layer1.0.downsample") {
			t.Errorf("resnet18 trunk should not hold %s", n)
		}
	}
	// Bottlenecks widen layer1 already, so layer1.0 has a downsample.
	var wide Param
	wr, _ := r.Lookup("wide_resnet50_2")
	for _, p := range wr.Arch.Trunk() {
		if p.Name == "layer1.0.conv2.weight" {
			wide = p
		}
	}
	if !slices.Equal(wide.Shape, []int{128, 128, 3, 3}) {
		t.Errorf("wide_resnet50_2 layer1.0.conv2 shape %v, want [128 128 3 3]", wide.Shape)
	}
}
