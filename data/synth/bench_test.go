package synth

import (
	"testing"

	"github.com/mambaad/mambaad/data/internal/splitmix"
)

// BenchmarkDraw times drawing one 256×256 image (with a defect) per class,
// the cost that dominates Generate besides PNG encoding.
func BenchmarkDraw(b *testing.B) {
	for _, c := range classes {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				cv := c.draw(splitmix.New(uint64(i)), 256, c.defects[i%len(c.defects)])
				cv.images(1)
			}
		})
	}
}
