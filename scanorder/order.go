// Package scanorder generates the hybrid scan orders of MambaAD (spec §5) and the
// per-direction index maps SS2D uses to turn an H×W feature map into K
// sequences and back. Everything is computed from the definitions rather than
// stored as tables, so any power-of-two side works; the golden scans.npz of
// the official code is the test authority.
package scanorder

import "fmt"

// Order names one of the five scan orders of the reference HSCANS module.
type Order int

const (
	Sweep   Order = iota // row-major raster
	Scan                 // snake: odd rows run right to left
	ZOrder               // Morton order
	ZigZag               // JPEG-style anti-diagonals
	Hilbert              // Hilbert curve (Skilling)
)

var orderNames = [...]string{"sweep", "scan", "zorder", "zigzag", "hilbert"}

// ParseOrder accepts the scan_type strings of the reference configuration.
func ParseOrder(name string) (Order, error) {
	for i, n := range orderNames {
		if n == name {
			return Order(i), nil
		}
	}
	return 0, fmt.Errorf("scan: unknown scan order %q (want one of %v)", name, orderNames)
}

// String returns the reference configuration name, so it round-trips through ParseOrder.
func (o Order) String() string {
	if o < 0 || int(o) >= len(orderNames) {
		return fmt.Sprintf("Order(%d)", int(o))
	}
	return orderNames[o]
}
