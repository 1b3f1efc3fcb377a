package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/spf13/cobra"
)

// previewOptions are preview's own flags.
type previewOptions struct {
	// PolicyPacks are Pulumi policy pack directories to run with the preview.
	PolicyPacks []string
	// NoCommentWhenUnchanged prints nothing for a preview with nothing for a reviewer,
	// so a workflow posts no pull request comment.
	NoCommentWhenUnchanged bool
	// JSONFile also writes the JSON report there, so one preview gives both the
	// comment and the artifact.
	JSONFile string
}

func newPreviewCmd(g *globalOptions) *cobra.Command {
	o := &previewOptions{}
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Show what up would change, with policy findings (--format markdown for a pull request comment)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runPreview(cmd.Context(), g, g.Format, o) },
	}
	addPolicyPackFlag(cmd, &o.PolicyPacks)
	cmd.Flags().StringVar(&o.JSONFile, "json-file", "", "also write the JSON report (with its fingerprint) to this file")
	cmd.Flags().BoolVar(&o.NoCommentWhenUnchanged, "no-comment-when-unchanged", false,
		"with --format markdown: print nothing when nothing would change (no pending operation, no open policy finding)")
	return cmd
}

// addPolicyPackFlag adds --policy-pack DIR (repeatable).
func addPolicyPackFlag(cmd *cobra.Command, dirs *[]string) {
	cmd.Flags().StringArrayVar(dirs, "policy-pack", nil,
		"also run this Pulumi policy pack directory (CrossGuard; its language runtime must be installed); repeatable")
}

func runPreview(ctx context.Context, g *globalOptions, format string, o *previewOptions) error {
	if err := checkFormat(format, "text", "json", "markdown"); err != nil {
		return err
	}
	if o.NoCommentWhenUnchanged && format != "markdown" {
		// Printing nothing suits a comment; a JSON or text report is always whole.
		return usagef("--no-comment-when-unchanged goes with --format markdown, not %s", format)
	}
	if o.JSONFile != "" {
		// Checked before the preview, so a bad path costs no engine run.
		if err := writablePath(o.JSONFile); err != nil {
			return usagef("--json-file %s: %v", o.JSONFile, err)
		}
	}
	req, err := g.request(g.givesSettings(), false)
	if err != nil {
		return err
	}
	req.PolicyPacks = o.PolicyPacks
	d, err := g.Deps.opener()(ctx, req)
	if err != nil {
		return err
	}
	res, err := d.Preview(ctx)
	if err != nil {
		return err
	}
	if o.JSONFile != "" {
		if err := writeJSONReport(o.JSONFile, res); err != nil {
			return err
		}
	}
	switch format {
	case "markdown":
		if o.NoCommentWhenUnchanged && res.Unchanged() {
			return nil
		}
		return automation.RenderMarkdown(g.IO.Out, res)
	case "json":
		return automation.RenderJSON(g.IO.Out, res)
	}
	printReport(g.IO.Out, &res.Report)
	fmt.Fprintf(g.IO.Out, "Fingerprint: %s (up --expect-fingerprint applies exactly these changes)\n", res.Fingerprint())
	return nil
}

// writablePath refuses a path that is a directory or whose directory does not exist.
func writablePath(path string) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return errors.New("is a directory")
	}
	if info, err := os.Stat(filepath.Dir(path)); err != nil || !info.IsDir() {
		return fmt.Errorf("directory %s does not exist", filepath.Dir(path))
	}
	return nil
}

// writeJSONReport writes the preview's JSON report to path.
func writeJSONReport(path string, res *automation.PreviewResult) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--json-file: %w", err)
	}
	if err := automation.RenderJSON(f, res); err != nil {
		f.Close()
		return fmt.Errorf("--json-file: %w", err)
	}
	return f.Close()
}

// upOptions are up's own flags.
type upOptions struct {
	// FailOn is the policy severity at which up refuses ("" for none).
	FailOn string
	// ExpectFingerprint is the fingerprint of the reviewed preview; up applies nothing
	// else ("" for no check).
	ExpectFingerprint string
	// PolicyPacks are Pulumi policy pack directories to run with the up.
	PolicyPacks []string
}

func newUpCmd(g *globalOptions) *cobra.Command {
	o := &upOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update the stack (previews and asks first unless --yes)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runUp(cmd.Context(), g, g.Format, o) },
	}
	cmd.Flags().StringVar(&o.FailOn, "fail-on", "",
		"preview first and refuse (exit 4, nothing changed) on an unwaived policy finding at or above low, medium, high or critical")
	cmd.Flags().StringVar(&o.ExpectFingerprint, "expect-fingerprint", "",
		"preview first and refuse (exit 6, nothing changed) unless the changes have this fingerprint (from the reviewed preview)")
	addPolicyPackFlag(cmd, &o.PolicyPacks)
	return cmd
}

func runUp(ctx context.Context, g *globalOptions, format string, o *upOptions) error {
	if err := checkFormat(format, "text", "json"); err != nil {
		return err
	}
	var failOn policy.Severity
	if o.FailOn != "" {
		var err error
		if failOn, err = policy.ParseSeverity(o.FailOn); err != nil {
			return usagef("--fail-on %q: %v", o.FailOn, err)
		}
	}
	if err := g.requireYesOrTerminal("update stack " + g.Stack); err != nil {
		return err
	}
	if failOn != 0 && g.givesSettings() {
		// New settings are checked offline first, so a refused up creates no stack.
		if err := g.refuseOnOfflineFindings(failOn); err != nil {
			return err
		}
	}
	req, err := g.request(g.givesSettings(), true)
	if err != nil {
		return err
	}
	if o.ExpectFingerprint != "" && !strings.HasPrefix(o.ExpectFingerprint, "sha256:") {
		return usagef("--expect-fingerprint %q: want the sha256:... a preview printed", o.ExpectFingerprint)
	}
	req.FailOn, req.PolicyPacks, req.Reviewed = failOn, o.PolicyPacks, o.ExpectFingerprint
	d, err := g.Deps.opener()(ctx, req)
	if err != nil {
		return err
	}
	if !g.Yes {
		pre, err := d.Preview(ctx)
		if err != nil {
			return err
		}
		printReport(g.IO.ErrOut, &pre.Report)
		if err := g.ask(fmt.Sprintf("Apply these changes to stack %s?", g.Stack)); err != nil {
			return err
		}
	}
	res, err := d.Up(ctx)
	if res != nil {
		if perr := g.printResult(format, &res.Report, res); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

func newRefreshCmd(g *globalOptions) *cobra.Command {
	var o automation.RefreshOptions
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Read every resource from the cloud and report drift",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runRefresh(cmd.Context(), g, g.Format, o) },
	}
	cmd.Flags().BoolVar(&o.ClearPending, "clear-pending", false,
		"drop pending creates of an interrupted update (check in the cloud what they did first)")
	return cmd
}

func runRefresh(ctx context.Context, g *globalOptions, format string, o automation.RefreshOptions) error {
	if err := checkFormat(format, "text", "json"); err != nil {
		return err
	}
	if err := g.refuseSettings("refresh"); err != nil {
		return err
	}
	if err := g.requireYesOrTerminal("refresh stack " + g.Stack); err != nil {
		return err
	}
	if err := g.ask(fmt.Sprintf("Refresh stack %s from the cloud?", g.Stack)); err != nil {
		return err
	}
	d, err := g.open(ctx, false, true)
	if err != nil {
		return err
	}
	res, err := d.Refresh(ctx, o)
	if res != nil {
		if perr := g.printResult(format, &res.Report, res); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

func newDestroyCmd(g *globalOptions) *cobra.Command {
	var o automation.DestroyOptions
	cmd := &cobra.Command{
		Use:   "destroy",
		Short: "Delete the stack's resources; the data bucket is kept unless --delete-data",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runDestroy(cmd.Context(), g, g.Format, o) },
	}
	cmd.Flags().BoolVar(&o.DeleteData, "delete-data", false,
		"also delete the data bucket and everything in it (asks for the stack name on a terminal)")
	return cmd
}

func runDestroy(ctx context.Context, g *globalOptions, format string, o automation.DestroyOptions) error {
	if err := checkFormat(format, "text", "json"); err != nil {
		return err
	}
	if err := g.refuseSettings("destroy"); err != nil {
		return err
	}
	if err := g.requireYesOrTerminal("destroy stack " + g.Stack); err != nil {
		return err
	}
	question := fmt.Sprintf("Destroy every resource of stack %s? The data bucket is kept.", g.Stack)
	if o.DeleteData {
		question = fmt.Sprintf("Destroy every resource of stack %s, INCLUDING the data bucket and all its data?", g.Stack)
	}
	if err := g.ask(question); err != nil {
		return err
	}
	if o.DeleteData {
		if err := g.askStackName("This deletes Pachyderm's data for good."); err != nil {
			return err
		}
	}
	d, err := g.open(ctx, false, true)
	if err != nil {
		return err
	}
	res, err := d.Destroy(ctx, o)
	if res != nil {
		if perr := g.printResult(format, &res.Report, res); perr != nil && err == nil {
			err = perr
		}
		if format == "text" && err == nil {
			if res.DataKept {
				fmt.Fprintln(g.IO.Out, "The data bucket was kept; these resources are no longer managed by the stack:")
				for _, urn := range res.Retained {
					fmt.Fprintf(g.IO.Out, "  %s\n", urn)
				}
			} else if o.DeleteData {
				fmt.Fprintln(g.IO.Out, "The data bucket and its data were deleted.")
			} else {
				fmt.Fprintln(g.IO.Out, "The stack held no data bucket to keep.")
			}
		}
	}
	return err
}

func newOutputsCmd(g *globalOptions) *cobra.Command {
	var o automation.OutputsOptions
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "outputs",
		Short: "Print the stack outputs (secrets as [secret] unless --show-secrets)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := g.format(cmd, asJSON)
			if err != nil {
				return err
			}
			return runOutputs(cmd.Context(), g, format, o)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (same as --format json)")
	cmd.Flags().BoolVar(&o.ShowSecrets, "show-secrets", false, "print secret values")
	return cmd
}

func runOutputs(ctx context.Context, g *globalOptions, format string, o automation.OutputsOptions) error {
	if err := checkFormat(format, "text", "json"); err != nil {
		return err
	}
	if err := g.refuseSettings("outputs"); err != nil {
		return err
	}
	d, err := g.open(ctx, false, false)
	if err != nil {
		return err
	}
	outs, err := d.Outputs(ctx, o)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(g.IO.Out, outs)
	}
	printOutputs(g.IO.Out, outs)
	return nil
}

func newCancelCmd(g *globalOptions) *cobra.Command {
	var clearPending bool
	cmd := &cobra.Command{
		Use:   "cancel",
		Short: "Recovery: stop the stack's running update and remove its lock",
		Long: "Recovery after a killed run: removes the stack's lock (pulumi cancel). Resources being changed " +
			"when the run died become pending operations; --clear-pending also drops those from the state " +
			"(export, edit, import). Check in the cloud console what they did first.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCancel(cmd.Context(), g, clearPending) },
	}
	cmd.Flags().BoolVar(&clearPending, "clear-pending", false, "also remove pending operations from the state")
	return cmd
}

func runCancel(ctx context.Context, g *globalOptions, clearPending bool) error {
	if err := g.refuseSettings("cancel"); err != nil {
		return err
	}
	if err := g.requireYesOrTerminal("cancel the update of stack " + g.Stack); err != nil {
		return err
	}
	if err := g.ask(fmt.Sprintf("Stop the running update of stack %s and remove its lock?", g.Stack)); err != nil {
		return err
	}
	d, err := g.open(ctx, false, false)
	if err != nil {
		return err
	}
	if err := d.Cancel(ctx); err != nil {
		return err
	}
	fmt.Fprintf(g.IO.Out, "Stack %s is unlocked.\n", g.Stack)
	if !clearPending {
		return nil
	}
	removed, err := d.ClearPendingOperations(ctx)
	for _, p := range removed {
		fmt.Fprintf(g.IO.Out, "Removed pending operation: %s %s\n", p.Op, p.URN)
	}
	return err
}

// open opens the stack for a command.
// givesSettings reports whether --cloud or --config gives the stack its settings: only
// then may preview and up create a missing stack (an empty one could not be deployed).
func (g *globalOptions) givesSettings() bool { return g.Cloud != "" || g.ConfigFile != "" }

func (g *globalOptions) open(ctx context.Context, create, progress bool) (Driver, error) {
	req, err := g.request(create, progress)
	if err != nil {
		return nil, err
	}
	return g.Deps.opener()(ctx, req)
}

// printResult prints an operation's result as text (the report) or JSON (all of it).
// An operation refused before the engine started (a held lock) has no result to print.
func (g *globalOptions) printResult(format string, r *automation.Report, full any) error {
	if len(r.Changes) == 0 && len(r.Totals) == 0 && len(r.Warnings) == 0 {
		return nil
	}
	if format == "json" {
		return writeJSON(g.IO.Out, full)
	}
	printReport(g.IO.Out, r)
	return nil
}
