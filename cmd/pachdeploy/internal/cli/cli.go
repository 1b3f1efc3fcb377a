// Package cli is the pachdeploy command line: cobra commands over a small Driver
// interface (the automation package in production, a fake in tests). Each command has an
// options struct and a run function tests call directly.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/cmd/pachdeploy/internal/graph"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK     = 0
	ExitFailed = 1 // the operation failed
	ExitUsage  = 2 // bad usage or invalid config
	ExitLocked = 3 // the stack is locked by another update
	ExitPolicy = 4 // an unwaived policy finding at or above --fail-on (check, up)
	ExitDrift  = 5 // drift found (drift)
	// ExitNotReviewed: up --expect-fingerprint found changes other than the reviewed ones.
	ExitNotReviewed = 6
	ExitVerify      = 7 // verify found a failing check
)

// IOStreams are the command's input and outputs.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Interactive is true when In is a terminal a person can answer prompts on.
	Interactive bool
}

// Driver runs stack operations; *automation.Stack implements it.
type Driver interface {
	Preview(ctx context.Context) (*automation.PreviewResult, error)
	Up(ctx context.Context) (*automation.UpResult, error)
	Refresh(ctx context.Context, o automation.RefreshOptions) (*automation.RefreshResult, error)
	Destroy(ctx context.Context, o automation.DestroyOptions) (*automation.DestroyResult, error)
	Outputs(ctx context.Context, o automation.OutputsOptions) ([]automation.Output, error)
	Resources(ctx context.Context) ([]automation.Resource, error)
	Cancel(ctx context.Context) error
	ClearPendingOperations(ctx context.Context) ([]automation.PendingOperation, error)
	Drift(ctx context.Context) (*automation.DriftResult, error)
}

// StackRequest is what a command asks the Opener for.
type StackRequest struct {
	Stack   string
	Backend string
	// SecretsProvider applies when the stack is created.
	SecretsProvider string
	// Create allows creating the stack (preview, up, refresh); else it must exist.
	Create bool
	// Config, when set, replaces the stack's pachdeploy settings.
	Config *config.Config
	// FailOn, when set, makes Up refuse on unwaived policy findings at or above it.
	FailOn policy.Severity
	// PolicyPacks are Pulumi policy pack directories run with previews and ups.
	PolicyPacks []string
	// Reviewed, when set, makes Up apply only a preview with this fingerprint.
	Reviewed string
	// Progress receives one line per resource start and finish.
	Progress io.Writer
}

// Opener opens a stack for a command.
type Opener func(ctx context.Context, r StackRequest) (Driver, error)

// Plan is the offline plan of a stack (stacks/plan), JSON-marshalable.
type Plan interface {
	WriteTree(w io.Writer) error
	Nodes() []graph.Node
	// Check evaluates the policy rules over the plan, returning the rules it used.
	Check() (*policy.Report, []policy.Rule, error)
}

// Planner builds the offline plan from raw settings.
type Planner func(raw map[string]string, stack string) (Plan, error)

// Deps are what the composition root provides.
type Deps struct {
	// Program is the Pulumi program and what the driver knows of it (built from
	// stacks in compose.go); its Settings check --config and --cloud.
	Program automation.Program
	// Targets are the clouds (stacks.Targets): doctor checks their plugins,
	// credentials and kubeconfig helpers.
	Targets target.List
	// Plan builds offline plans (stacks/plan.Build).
	Plan Planner
	// HardStop closes on a second Ctrl-C: the running Pulumi CLI is killed.
	HardStop <-chan struct{}
	// Open overrides how stacks are opened (tests); default: the automation package.
	Open Opener
	// Env reads the environment for doctor; default os.LookupEnv.
	Env func(string) (string, bool)
}

// opener returns d.Open, or one backed by the automation package.
func (d Deps) opener() Opener {
	if d.Open != nil {
		return d.Open
	}
	return func(ctx context.Context, r StackRequest) (Driver, error) {
		opts := []automation.Option{automation.WithHardStop(d.HardStop)}
		if r.Backend != "" {
			opts = append(opts, automation.WithBackend(r.Backend))
		}
		if r.SecretsProvider != "" {
			opts = append(opts, automation.WithSecretsProvider(r.SecretsProvider))
		}
		if r.Progress != nil {
			opts = append(opts, automation.WithProgress(r.Progress))
		}
		if r.Config != nil {
			opts = append(opts, automation.WithConfig(r.Config))
		}
		if r.FailOn != 0 {
			opts = append(opts, automation.WithPolicyFailOn(r.FailOn))
		}
		if len(r.PolicyPacks) > 0 {
			opts = append(opts, automation.WithPolicyPacks(r.PolicyPacks...))
		}
		if r.Reviewed != "" {
			opts = append(opts, automation.WithExpectedFingerprint(r.Reviewed))
		}
		if r.Create {
			return automation.New(ctx, r.Stack, d.Program, opts...)
		}
		return automation.Open(ctx, r.Stack, d.Program, opts...)
	}
}

// usageError is bad usage: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errAborted: the person answered no.
var errAborted = errors.New("aborted: nothing was changed")

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	var usage *usageError
	var invalid *rules.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &usage), errors.As(err, &invalid), errors.Is(err, automation.ErrNoPassphrase),
		errors.Is(err, automation.ErrWrongPassphrase), errors.Is(err, automation.ErrInvalidConfig):
		return ExitUsage
	case errors.Is(err, automation.ErrConcurrentUpdate):
		return ExitLocked
	case errors.Is(err, errPolicy), errors.Is(err, automation.ErrPolicy):
		return ExitPolicy
	case errors.Is(err, errDrift):
		return ExitDrift
	case errors.Is(err, automation.ErrNotReviewed):
		return ExitNotReviewed
	case errors.Is(err, errVerify):
		return ExitVerify
	}
	return ExitFailed
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, ios IOStreams, deps Deps) int {
	root := NewRoot(ios, deps)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(ios.ErrOut, "error:", err)
	}
	return ExitCode(err)
}

// NewRoot builds the command tree.
func NewRoot(ios IOStreams, deps Deps) *cobra.Command {
	g := &globalOptions{IO: ios, Deps: deps}
	root := &cobra.Command{
		Use:           "pachdeploy",
		Short:         "Install Pachyderm on EKS, GKE or AKS with Pulumi",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var p rules.Problems
			p.Add("--stack", g.Stack, rules.StackName(g.Stack))
			return p.Err()
		},
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	f := root.PersistentFlags()
	f.StringVar(&g.Stack, "stack", "dev", "stack name")
	f.StringVar(&g.Cloud, "cloud", "", "aws, gcp or azure; with no --config, the stack gets that cloud's defaults (replacing its pachdeploy settings)")
	f.StringVar(&g.Backend, "backend", "", "state backend URL: file:///ABSOLUTE/DIR, file://~/DIR, s3://, gs://, azblob:// or Pulumi Cloud (default $PULUMI_BACKEND_URL, else a local directory)")
	f.StringVar(&g.SecretsProvider, "secrets-provider", "", "secrets provider for a new stack: passphrase (default), awskms://, gcpkms://, azurekeyvault://, hashivault://")
	f.StringVar(&g.ConfigFile, "config", "", "YAML file of pachdeploy settings (or a Pulumi stack file) for plan, preview, up and graph; an up that succeeds makes them the stack's settings")
	f.BoolVar(&g.Yes, "yes", false, "do not ask for confirmation (required when stdin is not a terminal)")
	f.StringVar(&g.Format, "format", "text", "output format: text, json (preview and drift also markdown; graph mermaid or dot)")
	root.AddCommand(newCheckCmd(g), newPlanCmd(g), newPreviewCmd(g), newUpCmd(g), newRefreshCmd(g), newDestroyCmd(g),
		newOutputsCmd(g), newGraphCmd(g), newDoctorCmd(g), newCancelCmd(g))
	root.AddCommand(newCommentCmd(g))
	root.AddCommand(newDriftCmd(g))
	root.AddCommand(newVerifyCmd(g))
	return root
}

// noArgs refuses positional arguments as bad usage (exit 2), naming the unknown
// command for the root.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if !cmd.HasParent() {
		return usagef("unknown command %q: run `pachdeploy --help` for the commands", args[0])
	}
	return usagef("%s takes no arguments, got %q: flags start with --", cmd.CommandPath(), args)
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	IO              IOStreams
	Deps            Deps
	Stack           string
	Cloud           string
	Backend         string
	SecretsProvider string
	ConfigFile      string
	Yes             bool
	Format          string

	in *bufio.Reader // stdin, read a line at a time by prompts
}

// request builds the StackRequest for a command.
func (g *globalOptions) request(create bool, progress bool) (StackRequest, error) {
	cfg, err := g.settings()
	if err != nil {
		return StackRequest{}, err
	}
	r := StackRequest{Stack: g.Stack, Backend: g.Backend, SecretsProvider: g.SecretsProvider, Create: create, Config: cfg}
	if progress {
		r.Progress = g.IO.ErrOut
	}
	return r, nil
}

// settings reads --config and --cloud into a Config, or nil when neither is given.
// Every problem is reported at once, and the settings must make a valid offline plan
// (the program's own checks), so nothing is created from settings the program refuses.
func (g *globalOptions) settings() (*config.Config, error) {
	raw, err := g.checkedSettings()
	if raw == nil || err != nil {
		return nil, err
	}
	if g.Deps.Plan != nil {
		if _, err := g.Deps.Plan(raw, g.Stack); err != nil {
			var invalid *rules.Error
			if errors.As(err, &invalid) {
				return nil, err
			}
			return nil, usagef("these settings do not make a valid deployment (checked offline, nothing was created): %v", err)
		}
	}
	return config.Parse(raw)
}

// checkedSettings reads --config and --cloud (nil when neither is given) and checks
// them against every config rule, reporting the file's problems and the settings' own
// together as one *rules.Error.
func (g *globalOptions) checkedSettings() (map[string]string, error) {
	raw, err := g.rawSettings()
	if raw == nil {
		return nil, err
	}
	var p rules.Problems
	var invalid *rules.Error
	if errors.As(err, &invalid) {
		p = append(p, invalid.Problems...)
	} else if err != nil {
		return nil, err
	}
	if _, err := g.Deps.Program.Settings.Resolve(raw, automation.Project, g.Stack); errors.As(err, &invalid) {
		p = append(p, invalid.Problems...)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return raw, nil
}

// rawSettings reads --config and applies --cloud over it; nil when neither is given.
// The file's problems come back as a *rules.Error with the settings that could be read.
func (g *globalOptions) rawSettings() (map[string]string, error) {
	if g.ConfigFile == "" && g.Cloud == "" {
		return nil, nil
	}
	raw := map[string]string{}
	var err error
	if g.ConfigFile != "" {
		var notes []string
		raw, notes, err = config.ReadFile(g.ConfigFile)
		for _, n := range notes {
			fmt.Fprintf(g.IO.ErrOut, "note: %s: %s\n", g.ConfigFile, n)
		}
		if raw == nil {
			return nil, err
		}
	}
	if g.Cloud != "" {
		if c, set := raw["cloud"]; set && c != g.Cloud {
			return nil, usagef("--cloud %s conflicts with cloud: %s in %s: give one of them", g.Cloud, c, g.ConfigFile)
		}
		raw["cloud"] = g.Cloud
	}
	return raw, err
}

// refuseSettings rejects --config and --cloud on verbs that use the stack's stored
// settings, instead of ignoring them.
func (g *globalOptions) refuseSettings(verb string) error {
	if g.ConfigFile != "" || g.Cloud != "" {
		return usagef("%s uses the stack's own settings: --config and --cloud go with plan, preview, up and graph", verb)
	}
	return nil
}

// format is the output format: --format, or json with --json (they must agree).
func (g *globalOptions) format(cmd *cobra.Command, asJSON bool) (string, error) {
	if asJSON && cmd.Flags().Changed("format") && g.Format != "json" {
		return "", usagef("--json conflicts with --format %s: give one of them", g.Format)
	}
	if asJSON {
		return "json", nil
	}
	return g.Format, nil
}

// checkFormat rejects formats the command does not support.
func checkFormat(format string, allowed ...string) error {
	for _, f := range allowed {
		if format == f {
			return nil
		}
	}
	return usagef("--format %q is not supported here: use one of %v", format, allowed)
}
