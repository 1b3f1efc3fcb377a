package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/spf13/cobra"
)

// errDrift is a drift check that found drift: exit 5.
var errDrift = errors.New("drift found")

// driftOptions are drift's inputs.
type driftOptions struct {
	// Format is text, json or markdown (the global --format).
	Format string
}

func newDriftCmd(g *globalOptions) *cobra.Command {
	o := &driftOptions{}
	return &cobra.Command{
		Use:   "drift",
		Short: "Report what differs in the cloud from the last deploy, changing nothing (exit 5 when something does)",
		Long: "drift reads every resource of the stack from the cloud and compares it with the state the last deploy\n" +
			"recorded: a refresh preview, so neither the state nor the stack's settings change, and it needs no --yes.\n" +
			"It lists each changed resource with its changed keys (old and new values, secrets as [secret]) and each\n" +
			"resource gone from the cloud. --format markdown starts with a hidden marker line naming the project and\n" +
			"stack, for a workflow that keeps one issue per stack. Exit 5 when drift is found, 0 when none.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Format = g.Format
			return runDrift(cmd.Context(), g, o)
		},
	}
}

func runDrift(ctx context.Context, g *globalOptions, o *driftOptions) error {
	if err := checkFormat(o.Format, "text", "json", "markdown"); err != nil {
		return err
	}
	if err := g.refuseSettings("drift"); err != nil {
		return err
	}
	d, err := g.open(ctx, false, false)
	if err != nil {
		return err
	}
	res, err := d.Drift(ctx)
	if err != nil {
		return err
	}
	switch o.Format {
	case "markdown":
		err = automation.RenderDriftMarkdown(g.IO.Out, res)
	case "json":
		err = automation.RenderDriftJSON(g.IO.Out, res)
	default:
		err = automation.RenderDriftText(g.IO.Out, res)
	}
	if err != nil {
		return err
	}
	if res.Drifted() {
		return fmt.Errorf("%w in stack %s: %d resources differ from the last deploy, %d pending operations",
			errDrift, g.Stack, len(res.Changes), len(res.PendingOperations))
	}
	return nil
}
