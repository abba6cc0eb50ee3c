package safetensors

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestHalfRoundTrip: every binary16 value converts to float32 and back to
// itself, and float32 values round to the nearest half (ties to even).
func TestHalfRoundTrip(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := halfToFloat32(uint16(h))
		got := float32ToHalf(f)
		if f != f { // NaN: any NaN back
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
				t.Fatalf("NaN %#04x came back as %#04x", h, got)
			}
			continue
		}
		if got != uint16(h) {
			t.Fatalf("half %#04x → %v → %#04x", h, f, got)
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 200000; i++ {
		f := float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(14)-9)))
		h := float32ToHalf(f)
		got := float64(halfToFloat32(h))
		// No other half is nearer.
		for _, nb := range []uint16{h - 1, h + 1} {
			if nb&0x7c00 == 0x7c00 || (nb^h)&0x8000 != 0 {
				continue
			}
			if d := math.Abs(float64(halfToFloat32(nb)) - float64(f)); d < math.Abs(got-float64(f)) {
				t.Fatalf("%v rounded to %v, but %v is nearer", f, got, halfToFloat32(nb))
			}
		}
	}
	if float32ToHalf(70000) != 0x7c00 || float32ToHalf(-1e-9) != 0x8000 || float32ToHalf(65504) != 0x7bff {
		t.Error("overflow, underflow or the largest half")
	}
}
