// Command mambaad trains and runs MambaAD, a multi-class unsupervised visual
// anomaly detector with a state-space (Mamba) decoder, on the CPU.
//
// Run `mambaad --help` for the list of commands.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the exit status: 0 on success,
// 130 after an interrupted run saved its state, 1 on any error (printed as
// one line; never a Go panic trace).
func run(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "mambaad: internal error: %v (please report it)\n", r)
			code = 2
		}
	}()
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errInterrupted):
		return 130
	default:
		fmt.Fprintln(os.Stderr, "mambaad:", err)
		return 1
	}
}
