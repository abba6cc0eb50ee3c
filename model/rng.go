package model

import "math/rand/v2"

// newRNG returns the deterministic generator used for drop-path draws and
// initialisation (PCG, so runs repeat exactly for a seed on any machine).
func newRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6d616d62616164)) // "mambaad"
}
