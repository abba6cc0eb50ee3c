package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// options is a command's run-layer Options (internal/run): checked, then run.
type options interface {
	Validate() error
	Run(context.Context) error
}

// validateRun points o's output streams (stdout, stderr: o's own fields)
// at the command's, validates o and runs it with the command's context —
// the signal context main set up.
func validateRun(cmd *cobra.Command, stdout, stderr *io.Writer, o options) error {
	*stdout, *stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
	if err := o.Validate(); err != nil {
		return err
	}
	return o.Run(cmd.Context())
}
