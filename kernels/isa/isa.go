// Package isa decides which instruction-set level the hot kernels may use.
//
// Every kernel package keeps a plain-Go version and, on amd64, assembly for
// AVX2+FMA and AVX-512. The level is read once from the CPU (via
// golang.org/x/sys/cpu) and may be lowered, never raised, with the
// environment variable MAMBAAD_ISA=auto|avx512bf16|avx512|avx2|generic.
// Building with the tag purego forces Generic. CI uses both so that every
// path is tested on one machine.
//
// AVX512BF16 is AVX512 plus the AVX512_BF16 instructions (VDPBF16PS,
// VCVTNE2PS2BF16). Every float32 kernel runs exactly as at AVX512 there;
// the level only enables the bfloat16 products of the opt-in bf16
// inference precision (see package gemm), which falls back to float32 at
// any lower level: on CPUs without the instructions, or with
// MAMBAAD_ISA=avx512 or below.
//
// The variable is read when the package initialises, before any command
// could report a problem, so an unknown value does not panic there: the
// package falls back to Generic (the one level that is always correct) and
// records the error, which Err returns. Commands check Err first and exit
// with its one-line message.
package isa

import (
	"fmt"
	"os"
	"strings"
)

// Level is an instruction-set level, ordered from least to most capable.
type Level int

const (
	Generic    Level = iota // plain Go, any architecture
	AVX2                    // amd64 with AVX2 and FMA3
	AVX512                  // amd64 with AVX-512 F, BW, DQ and VL
	AVX512BF16              // AVX512 plus AVX512_BF16 (bfloat16 dot products and conversions)
)

func (l Level) String() string {
	switch l {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	case AVX512BF16:
		return "avx512bf16"
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
	case "avx512bf16", "avx512_bf16", "avx-512-bf16":
		return AVX512BF16, nil
	}
	return Generic, fmt.Errorf("unknown instruction-set level %q (want generic, avx2, avx512 or avx512bf16)", s)
}

// hardware is the best level this CPU and build support (set per platform).
var hardware = detect()

// Hardware returns the best level the CPU and the build support, ignoring
// MAMBAAD_ISA.
func Hardware() Level { return hardware }

// Best returns the level kernels should use: the hardware level, lowered by
// MAMBAAD_ISA when it is set. After an unknown MAMBAAD_ISA value it is
// Generic, and Err reports the value.
func Best() Level { return best }

// Err reports an unknown MAMBAAD_ISA value, as one line naming the variable,
// the value and the accepted values; it is nil when the variable is unset
// or valid. A command should print it and exit before doing any work.
func Err() error { return envErr }

// EnvVar is the environment variable that lowers the level.
const EnvVar = "MAMBAAD_ISA"

var best, envErr = chooseBest(os.Getenv(EnvVar))

func chooseBest(s string) (Level, error) {
	if v := strings.ToLower(strings.TrimSpace(s)); v == "" || v == "auto" {
		return hardware, nil
	}
	l, err := ParseLevel(s)
	if err != nil {
		return Generic, fmt.Errorf("%s=%q: want one of auto, avx512bf16, avx512, avx2, generic", EnvVar, s)
	}
	return min(l, hardware), nil
}

// BF16 reports whether the bfloat16 products may run: the level in use
// (Best) has AVX512_BF16.
func BF16() bool { return best >= AVX512BF16 }

// Available lists every level up to Hardware(), for tests that compare each
// fast path with the plain-Go reference.
func Available() []Level {
	var ls []Level
	for l := Generic; l <= hardware; l++ {
		ls = append(ls, l)
	}
	return ls
}
