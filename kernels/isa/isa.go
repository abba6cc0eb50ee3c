// Package isa decides which instruction-set level the hot kernels may use.
//
// Every kernel package keeps a plain-Go version and, on amd64, assembly for
// AVX2+FMA and AVX-512. The level is read once from the CPU (via
// golang.org/x/sys/cpu) and may be lowered, never raised, with the
// environment variable MAMBAAD_ISA=generic|avx2|avx512. Building with the
// tag purego forces Generic. CI uses both so that every path is tested on
// one machine.
package isa

import (
	"fmt"
	"os"
	"strings"
)

// Level is an instruction-set level, ordered from least to most capable.
type Level int

const (
	Generic Level = iota // plain Go, any architecture
	AVX2                 // amd64 with AVX2 and FMA3
	AVX512               // amd64 with AVX-512 F, BW, DQ and VL
)

func (l Level) String() string {
	switch l {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel parses the names String returns.
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "generic", "go", "purego":
		return Generic, nil
	case "avx2":
		return AVX2, nil
	case "avx512", "avx-512":
		return AVX512, nil
	}
	return Generic, fmt.Errorf("unknown instruction-set level %q (want generic, avx2 or avx512)", s)
}

// hardware is the best level this CPU and build support (set per platform).
var hardware = detect()

// Hardware returns the best level the CPU and the build support, ignoring
// MAMBAAD_ISA.
func Hardware() Level { return hardware }

// Best returns the level kernels should use: the hardware level, lowered by
// MAMBAAD_ISA when it is set. An unknown MAMBAAD_ISA value panics at start-up
// rather than silently running a path the user did not ask for.
func Best() Level { return best }

var best = chooseBest()

func chooseBest() Level {
	s := os.Getenv("MAMBAAD_ISA")
	if s == "" {
		return hardware
	}
	l, err := ParseLevel(s)
	if err != nil {
		panic("MAMBAAD_ISA: " + err.Error())
	}
	return min(l, hardware)
}

// Available lists every level up to Hardware(), for tests that compare each
// fast path with the plain-Go reference.
func Available() []Level {
	var ls []Level
	for l := Generic; l <= hardware; l++ {
		ls = append(ls, l)
	}
	return ls
}
