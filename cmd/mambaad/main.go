// Command mambaad trains and runs MambaAD, a multi-class unsupervised visual
// anomaly detector with a state-space (Mamba) decoder, on the CPU.
//
// Run `mambaad --help` for the list of commands.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "mambaad:", err)
		os.Exit(1)
	}
}
