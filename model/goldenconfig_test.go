package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/internal/golden"
	"github.com/mambaad/mambaad/scanorder"
)

// The golden tests build each module from the configuration its golden file
// implies: widths, depths, state size, directions, batch and sides come from
// the stored tensors' shapes and keys, and the scan order from the stored
// index tables, so a golden set made by the same generator with other sizes
// passes unchanged. Only what no tensor determines is taken from the golden
// README (LayerNorm eps values, the anomaly-map blur σ, which the files do
// not record); the training case reads its hyper-parameters from the file's
// scalar entries.

// mustShape returns the shape of a golden array, failing if it is absent.
func mustShape(t *testing.T, f *golden.File, name string) []int {
	t.Helper()
	s, ok := f.Shape(name)
	if !ok {
		t.Fatalf("%s: no array %q", f.Path, name)
	}
	return s
}

// nhwc returns batch, side and channels of an (B, H, W, C) array, which
// must be square.
func nhwc(t *testing.T, f *golden.File, name string) (b, side, c int) {
	t.Helper()
	s := mustShape(t, f, name)
	if len(s) != 4 || s[1] != s[2] {
		t.Fatalf("%s: %s has shape %v, want (B, S, S, C)", f.Path, name, s)
	}
	return s[0], s[1], s[3]
}

// nchw returns batch, channels and side of an (B, C, H, W) array, which
// must be square.
func nchw(t *testing.T, f *golden.File, name string) (b, c, side int) {
	t.Helper()
	s := mustShape(t, f, name)
	if len(s) != 4 || s[2] != s[3] {
		t.Fatalf("%s: %s has shape %v, want (B, C, S, S)", f.Path, name, s)
	}
	return s[0], s[1], s[2]
}

// goldenSS2D derives an SS2D's configuration from its tensors, stored under
// prefix ("" or "…self_attention."): in_proj.weight (2·D, C), x_proj_weight
// (K, R+2N, D), A_logs (K·D, N), dt_projs_weight (K, D, R).
func goldenSS2D(t *testing.T, f *golden.File, prefix string, side int, order scanorder.Order) SS2DConfig {
	t.Helper()
	in := mustShape(t, f, prefix+"in_proj.weight")
	xp := mustShape(t, f, prefix+"x_proj_weight")
	al := mustShape(t, f, prefix+"A_logs")
	dt := mustShape(t, f, prefix+"dt_projs_weight")
	c, d := in[1], in[0]/2
	k, n, r := xp[0], al[1], dt[2]
	if d%c != 0 || xp[1] != r+2*n || al[0] != k*d {
		t.Fatalf("%s: inconsistent SS2D shapes in_proj %v, x_proj %v, A_logs %v, dt_projs %v", f.Path, in, xp, al, dt)
	}
	if want := (c + 15) / 16; r != want {
		t.Fatalf("%s: dt_rank %d; the model uses ceil(C/16) = %d", f.Path, r, want)
	}
	return SS2DConfig{C: c, Side: side, N: n, K: k, Expand: d / c, Order: order}
}

// goldenOrder returns the scan order whose index tables equal every
// "…scans.index_flat" array stored under prefix (sides of at least 4 tell
// every order apart).
func goldenOrder(t *testing.T, f *golden.File, prefix string) scanorder.Order {
	t.Helper()
	var tables [][]int64
	for _, k := range f.Keys() {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, "scans.index_flat") {
			tables = append(tables, f.Get(t, k).Ints)
		}
	}
	if len(tables) == 0 {
		t.Fatalf("%s: no scans.index_flat under %q", f.Path, prefix)
	}
	for o := scanorder.Sweep; o <= scanorder.Hilbert; o++ {
		if slices.IndexFunc(tables, func(tab []int64) bool { return !orderMatches(o, tab) }) < 0 {
			return o
		}
	}
	t.Fatalf("%s: the stored scan index tables match no scan order", f.Path)
	return 0
}

func orderMatches(o scanorder.Order, tab []int64) bool {
	side := 1
	for side*side < len(tab) {
		side++
	}
	p, err := scanorder.Indices(o, side)
	if err != nil || len(p) != len(tab) {
		return false
	}
	for i, v := range p {
		if int64(v) != tab[i] {
			return false
		}
	}
	return true
}

// goldenDecoder derives a MambaUPNet's configuration from its state dict
// stored under prefix ("" or "init.") and its NCHW input: one stage per
// layers_up.<i>, the stage width from its first ln_1, the stage depth from
// the HSS blocks of its LSS modules, K, N and the order from the SS2D
// tensors. The decoder's ln_1 eps (1e-5) is not recorded in the file: it is
// the README's value for MambaUPNet.
func goldenDecoder(t *testing.T, f *golden.File, prefix, input string) (DecoderConfig, int) {
	t.Helper()
	b, c0, side0 := nchw(t, f, input)
	var dims, depths []int
	for i := 0; ; i++ {
		stage := fmt.Sprintf("%slayers_up.%d.", prefix, i)
		s, ok := f.Shape(stage + "blocks.0.smm_blocks.0.ln_1.weight")
		if !ok {
			break
		}
		dims = append(dims, s[0])
		modules := f.Count(stage + "blocks.%d.finalconv11.weight")
		depth := 0
		for j := 0; j < modules; j++ {
			depth += f.Count(fmt.Sprintf("%sblocks.%d.smm_blocks.", stage, j) + "%d.ln_1.weight")
		}
		if m, per, err := lssGrouping(depth); err != nil || m != modules || m*per != depth {
			t.Fatalf("%s: stage %d has %d LSS modules holding %d HSS blocks, not the reference grouping", f.Path, i, modules, depth)
		}
		depths = append(depths, depth)
	}
	if len(dims) < 2 || dims[0] != c0 {
		t.Fatalf("%s: decoder stage widths %v for an input of %d channels", f.Path, dims, c0)
	}
	ss := goldenSS2D(t, f, prefix+"layers_up.0.blocks.0.smm_blocks.0.self_attention.", side0, 0)
	if ss.Expand != 2 {
		t.Fatalf("%s: SS2D expand %d; the decoder builds expand 2", f.Path, ss.Expand)
	}
	return DecoderConfig{Dims: dims, Depths: depths, Side0: side0, Order: goldenOrder(t, f, prefix),
		K: ss.K, N: ss.N, LNEps: 1e-5}, b
}

// goldenArch names the encoder architecture whose state dict the file
// holds: block type (a conv3 in layer1.0 means bottlenecks), blocks per
// layer and, for bottlenecks, the width multiplier.
func goldenArch(t *testing.T, f *golden.File) string {
	t.Helper()
	var spec archSpec
	_, spec.bottleneck = f.Shape("layer1.0.conv3.weight")
	for l := range spec.blocks {
		spec.blocks[l] = f.Count(fmt.Sprintf("layer%d.", l+1) + "%d.conv1.weight")
	}
	spec.widthMul = 1
	if spec.bottleneck {
		spec.widthMul = mustShape(t, f, "layer1.0.conv1.weight")[0] / 64
	}
	for _, name := range Archs() {
		if archs[name] == spec {
			return name
		}
	}
	t.Fatalf("%s: encoder %+v is none of %v", f.Path, spec, Archs())
	return ""
}

// goldenLevels returns the channels and sides of the NCHW feature maps
// format%d (0, 1, …) and their batch.
func goldenLevels(t *testing.T, f *golden.File, format string) (chans, sides []int, n int) {
	t.Helper()
	levels := f.Count(format)
	if levels == 0 {
		t.Fatalf("%s: no %s arrays", f.Path, fmt.Sprintf(format, 0))
	}
	for i := 0; i < levels; i++ {
		b, c, s := nchw(t, f, fmt.Sprintf(format, i))
		if i > 0 && b != n {
			t.Fatalf("%s: feature batches differ", f.Path)
		}
		n = b
		chans, sides = append(chans, c), append(sides, s)
	}
	return chans, sides, n
}

// stateDictKeys counts the keys of a golden file that are module tensors:
// everything except inputs, outputs, the r weights and gradients.
func stateDictKeys(f *golden.File) int {
	n := 0
	for _, k := range f.Keys() {
		if k == "input" || strings.HasPrefix(k, "output") || strings.HasPrefix(k, "grad.") ||
			(strings.HasPrefix(k, "r") && !strings.Contains(k, ".")) {
			continue
		}
		n++
	}
	return n
}
