//go:build amd64 && !purego

package isa

import "golang.org/x/sys/cpu"

func detect() Level {
	x := cpu.X86
	if x.HasAVX512F && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL {
		if x.HasAVX512BF16 {
			return AVX512BF16
		}
		return AVX512
	}
	if x.HasAVX2 && x.HasFMA {
		return AVX2
	}
	return Generic
}
