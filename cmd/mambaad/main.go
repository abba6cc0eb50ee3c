// Command mambaad trains and runs MambaAD, a multi-class unsupervised visual
// anomaly detector with a state-space (Mamba) decoder, on the CPU.
//
// Run `mambaad --help` for the list of commands. This package only wires
// flags to the options of package internal/run, which does the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mambaad/mambaad/internal/run"
	"github.com/mambaad/mambaad/kernels/isa"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// execute runs the command line under ctx (cancelled by Ctrl-C or SIGTERM)
// and returns the exit status: 0 on success, 130 after an interrupted run
// saved its state, 1 on any error (printed as one line; never a Go panic
// trace), 2 on an internal error or an unknown MAMBAAD_ISA value.
func execute(ctx context.Context, args []string) (code int) {
	if err := isa.Err(); err != nil { // read at package initialisation
		fmt.Fprintln(os.Stderr, "mambaad:", err)
		return 2
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "mambaad: internal error: %v (please report it)\n", r)
			code = 2
		}
	}()
	root := newRootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, run.ErrInterrupted), errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return 130
	default:
		fmt.Fprintln(os.Stderr, "mambaad:", err)
		return 1
	}
}
