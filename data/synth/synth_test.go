package synth

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/internal/splitmix"
)

var small = Options{Size: 64, Train: 3, TestGood: 2, TestDefect: 4, Seed: 5}

// The output is an MVTec AD tree that package data reads with its own
// detector, with a mask for every defective image.
func TestGenerateWritesMVTecLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "synthetic")
	if err := Generate(dir, small); err != nil {
		t.Fatal(err)
	}
	d, err := data.Open("", dir, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "mvtec" || strings.Join(d.Classes(), ",") != "chip,fabric,nut,wood" {
		t.Fatalf("opened as %s with classes %v", d.Name(), d.Classes())
	}
	for _, c := range d.Classes() {
		train, _ := d.Samples(data.Train, []string{c})
		test, err := d.Samples(data.Test, []string{c})
		if err != nil {
			t.Fatal(err)
		}
		if len(train) != 3 || len(test) != 6 {
			t.Errorf("%s: %d train, %d test", c, len(train), len(test))
		}
		for _, s := range test {
			if (s.Label == 1) != (s.MaskPath != "") {
				t.Errorf("%s: label %d with mask %q", s.Path, s.Label, s.MaskPath)
			}
			if s.Label == 1 {
				m, err := data.LoadMask(s.MaskPath, 64, 64)
				if err != nil || count(m) == 0 {
					t.Errorf("%s: mask with %d pixels, %v", s.Path, count(m), err)
				}
			}
		}
	}
	parent, _ := os.ReadDir(filepath.Dir(dir))
	if len(parent) != 1 {
		t.Errorf("temporary folders left behind: %v", parent)
	}
}

func count(m []uint8) int {
	n := 0
	for _, v := range m {
		n += int(v)
	}
	return n
}

func TestGenerateIsDeterministic(t *testing.T) {
	root := t.TempDir()
	o := Options{Size: 48, Train: 1, TestGood: 1, TestDefect: 4, Classes: []string{"nut", "wood"}, Seed: 11}
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	if err := Generate(a, o); err != nil {
		t.Fatal(err)
	}
	if err := Generate(b, o); err != nil {
		t.Fatal(err)
	}
	o.Seed = 12
	c := filepath.Join(root, "c")
	if err := Generate(c, o); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"nut/train/good/000.png", "wood/test/crack/000.png", "wood/ground_truth/crack/000_mask.png"} {
		fa, _ := os.ReadFile(filepath.Join(a, rel))
		fb, _ := os.ReadFile(filepath.Join(b, rel))
		fc, _ := os.ReadFile(filepath.Join(c, rel))
		if len(fa) == 0 || !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between two runs with one seed", rel)
		}
		if bytes.Equal(fa, fc) {
			t.Errorf("%s is the same for seeds 11 and 12", rel)
		}
	}
}

func TestGenerateRefusesBadRequests(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Generate(root, small); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty target: %v", err)
	}
	if err := Generate(filepath.Join(root, "d"), Options{Classes: []string{"carpet"}}); err == nil ||
		!strings.Contains(err.Error(), "carpet") {
		t.Errorf("unknown class: %v", err)
	}
	if err := Generate(filepath.Join(root, "d"), Options{Size: 8}); err == nil {
		t.Error("size 8 accepted")
	}
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Generate(empty, Options{Size: 32, Train: 1, TestGood: 1, TestDefect: 1, Classes: []string{"fabric"}}); err != nil {
		t.Errorf("empty target folder: %v", err)
	}
}

// A defect changes the image where its mask is, visibly, and hardly
// anywhere else: drawing a class with and without a defect from the same
// random stream gives the same base picture.
func TestMasksMatchTheDefects(t *testing.T) {
	for _, size := range []int{64, 256} {
		for _, c := range classes {
			for k, d := range c.defects {
				for trial := range 3 {
					seed := uint64(100*k + trial)
					good := c.draw(splitmix.New(seed), size, "")
					bad := c.draw(splitmix.New(seed), size, d)
					checkMask(t, fmt.Sprintf("%s/%s at %d", c.name, d, size), good, bad)
				}
			}
		}
	}
}

func checkMask(t *testing.T, name string, good, bad *canvas) {
	t.Helper()
	diff := make([]float64, len(good.pix))
	area, inside := 0, 0.0
	for i := range diff {
		for k := 0; k < 3; k++ {
			diff[i] = max(diff[i], math.Abs(good.pix[i][k]-bad.pix[i][k]))
		}
		if bad.mask[i] {
			area++
			inside += diff[i]
		}
	}
	frac := float64(area) / float64(len(diff))
	if frac < 0.0003 || frac > 0.1 {
		t.Errorf("%s: defect covers %.4f of the image", name, frac)
		return
	}
	if mean := inside / float64(area); mean < 0.05 {
		t.Errorf("%s: mean change %.3f inside the mask is too faint to see", name, mean)
	}
	stray := 0
	for i, dv := range diff {
		if dv > 0.15 && !nearMask(bad, i) {
			stray++
		}
	}
	if stray > area/50+1 {
		t.Errorf("%s: %d clearly changed pixels lie outside the mask (area %d)", name, stray, area)
	}
}

// nearMask reports whether pixel i or a neighbour is in the mask.
func nearMask(c *canvas, i int) bool {
	x, y := i%c.w, i/c.w
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < c.w && yy < c.h && c.mask[yy*c.w+xx] {
				return true
			}
		}
	}
	return false
}

func TestClassNames(t *testing.T) {
	if strings.Join(ClassNames(), ",") != "fabric,wood,nut,chip" {
		t.Errorf("ClassNames() = %v", ClassNames())
	}
}
