package model

import (
	"os"
	"testing"

	"github.com/mambaad/mambaad/nn"
)

// TestMain runs the package's tests with the scratch pool's checking mode
// on: a buffer returned twice or never obtained panics at the faulty call,
// and buffers are NaN-filled when handed out and returned.
func TestMain(m *testing.M) {
	nn.SetScratchChecks(true)
	os.Exit(m.Run())
}
