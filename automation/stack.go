// Package automation drives pachdeploy stacks with the Pulumi Automation API: it creates
// or selects a stack, writes its typed config, and runs preview, up, refresh and destroy,
// reporting typed results (changes per resource, totals, data at risk) that never carry
// a secret value. The Pulumi program is passed in; this package imports no component.
package automation

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// Stack is one pachdeploy stack in its own workspace directory.
type Stack struct {
	name     string
	stack    auto.Stack
	cmd      *command
	opts     *options
	redact   redactor
	progress io.Writer
	// pending are the settings WithConfig gave, until an up succeeds with them.
	pending map[string]config.Setting
	// applied is the stack file as it is with the pending settings written.
	applied snapshot
	// program is what runs, and what the driver knows of it.
	program Program
	// created is set while the stack this Stack created has run no update: its state
	// is empty, so there are no pending operations to read it for.
	created bool
	// agent is the execution agent this Stack's ups record (`--exec-agent`), unique to
	// it: the history shows which update was its own (see markUp).
	agent string
}

// New creates the stack if it does not exist (else selects it). Settings given with
// WithConfig are used by Preview and Up and kept once an up succeeds with them. Problems
// with the options and the settings are all reported, as a *rules.Error, before any
// stack, file or directory is created.
func New(ctx context.Context, stackName string, program Program, opts ...Option) (*Stack, error) {
	return open(ctx, stackName, program, true, opts)
}

// Open selects an existing stack (ErrStackNotFound if there is none), like New
// otherwise. Use it for verbs that must not create a stack: destroy, outputs, cancel.
func Open(ctx context.Context, stackName string, program Program, opts ...Option) (*Stack, error) {
	return open(ctx, stackName, program, false, opts)
}

func open(ctx context.Context, name string, program Program, create bool, opts []Option) (*Stack, error) {
	if program.Run == nil || program.Settings == nil {
		return nil, errNoProgram
	}
	o, err := resolve(name, opts)
	if err != nil {
		return nil, err
	}
	s := &Stack{name: name, opts: o, progress: o.progress, program: program, agent: "pachdeploy/" + rand.Text()}
	if o.cfg != nil {
		if err := validate(program.Settings, o.cfg, name); err != nil {
			return nil, err
		}
		s.pending = o.cfg.Settings()
		s.redact = secretValues(s.pending)
	}
	if s.cmd, err = newCommand(o); err != nil {
		return nil, err
	}
	dir := o.workDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if path, ok := strings.CutPrefix(o.backend, "file://"); ok {
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, fmt.Errorf("backend directory: %w", err)
		}
	}
	env := map[string]string{"PULUMI_SKIP_UPDATE_CHECK": "true"}
	for k, v := range o.env {
		env[k] = v
	}
	wsOpts := []auto.LocalWorkspaceOption{
		auto.WorkDir(dir),
		auto.Pulumi(s.cmd),
		auto.EnvVars(env),
		auto.Project(workspace.Project{
			Name:    Project,
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: o.backend},
		}),
	}
	if o.secretsProvider != "" {
		wsOpts = append(wsOpts, auto.SecretsProvider(o.secretsProvider))
	}
	lw, err := auto.NewLocalWorkspace(ctx, append(wsOpts, auto.Program(program.Run))...)
	if err != nil {
		return nil, classify("select", name, err, nil, s.redact)
	}
	ws := knownStacks{Workspace: lw, checkpoint: o.checkpoint(name)}
	switch exists, known := ws.exists(); {
	case create && known && !exists:
		// No select to fail first; a stack elsewhere in the backend (an older layout)
		// makes init fail as existing, and is selected.
		s.stack, err = auto.NewStack(ctx, name, ws)
		s.created = err == nil
		if auto.IsCreateStack409Error(err) {
			s.stack, err = auto.SelectStack(ctx, name, ws)
		}
	case create:
		s.stack, err = auto.UpsertStack(ctx, name, ws)
	default:
		s.stack, err = auto.SelectStack(ctx, name, ws)
	}
	if err != nil {
		return nil, classify("select", name, err, nil, s.redact)
	}
	return s, nil
}

// knownStacks is the SDK's workspace with `pulumi stack select` answered, where it can
// be, from a file backend's own files: a stack whose checkpoint is there exists, and
// selecting it would only cost a CLI process (every command here names its stack).
// Otherwise the CLI is asked (and a missing stack is created by New).
type knownStacks struct {
	auto.Workspace
	// checkpoint is the stack's state file in a file backend, without its extension;
	// "" when the backend is another kind.
	checkpoint string
}

// exists says whether the stack's checkpoint is there; known is false when there is
// no checkpoint to look at.
func (w knownStacks) exists() (exists, known bool) {
	if w.checkpoint == "" {
		return false, false
	}
	for _, ext := range []string{".json", ".json.gz", ".json.zst"} {
		if st, err := os.Stat(w.checkpoint + ext); err == nil && st.Mode().IsRegular() {
			return true, true
		}
	}
	return false, true
}

// SelectStack succeeds at once when the stack's checkpoint exists.
func (w knownStacks) SelectStack(ctx context.Context, name string) error {
	if exists, _ := w.exists(); exists {
		return nil
	}
	return w.Workspace.SelectStack(ctx, name)
}

// Name is the stack name.
func (s *Stack) Name() string { return s.name }

// validate resolves cfg as the program will (defaults for project and stack) and returns
// every problem at once.
func validate(settings config.Targets, cfg *config.Config, stack string) error {
	raw := map[string]string{}
	for k, v := range cfg.Settings() {
		raw[k] = v.Value
	}
	_, err := settings.Resolve(raw, Project, stack)
	return err
}

func secretValues(settings map[string]config.Setting) redactor {
	var r redactor
	for _, v := range settings {
		if v.Secret {
			r = append(r, v.Value)
		}
	}
	return r
}

// cli runs a Pulumi CLI command for this stack with the workspace's environment. Its
// transcript stays here: failures carry only their "error:" lines.
func (s *Stack) cli(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	return s.runCLI(ctx, stdin, nil, args)
}

// cliEnv is cli without stdin and with more environment variables.
func (s *Stack) cliEnv(ctx context.Context, env []string, args ...string) (string, error) {
	return s.runCLI(ctx, nil, env, args)
}

func (s *Stack) runCLI(ctx context.Context, stdin io.Reader, env, args []string) (string, error) {
	ws := s.stack.Workspace()
	env = slices.Clone(env)
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	args = append(slices.Clip(args), "--stack", s.name)
	stdout, stderr, code, err := s.cmd.Run(ctx, ws.WorkDir(), stdin, nil, nil, env, args...)
	if err != nil {
		return stdout, fmt.Errorf("pulumi %s: exit %d: %w\n%s", args[0], code, err, stderr)
	}
	return stdout, nil
}

// writeConfig makes settings the stack's pachdeploy:* config: secrets through the CLI and
// stdin (never on a command line), one process each; the plain settings that differ, and
// the removal of stale pachdeploy keys, straight into the stack file.
func (s *Stack) writeConfig(ctx context.Context, settings map[string]config.Setting) error {
	current, plaintext, err := s.storedConfig(ctx)
	if err != nil {
		return err
	}
	var stale []string
	for k := range current {
		if _, keep := settings[k]; !keep {
			stale = append(stale, k)
		}
	}
	plain := map[string]string{}
	for k, v := range settings {
		if !v.Secret && (current[k] != v.Value || !slices.Contains(plaintext, k)) {
			plain[k] = v.Value
		}
	}
	if len(stale) > 0 || len(plain) > 0 {
		if err := s.writePlain(plain, stale); err != nil {
			return fmt.Errorf("writing the settings of stack %q: %w", s.name, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		if v := settings[k]; v.Secret {
			if _, err := s.cli(ctx, strings.NewReader(v.Value), "config", "set", "--secret", config.Namespace+":"+k); err != nil {
				return s.classify("config", err, nil)
			}
		}
	}
	return nil
}

// storedConfig reads the stack's pachdeploy settings without decrypting secrets (they
// come back as [secret]), and the keys stored in plain text: from the stack file, or
// from `pulumi config --json` when the file holds what only the CLI resolves.
func (s *Stack) storedConfig(ctx context.Context) (raw map[string]string, plaintext []string, err error) {
	file, err := s.snapshotSettings()
	if err != nil {
		return nil, nil, err
	}
	if !file.exists {
		return map[string]string{}, nil, nil
	}
	if raw, plaintext, ok := fileSettings(file.data); ok {
		return raw, plaintext, nil
	}
	out, err := s.cli(ctx, nil, "config", "--json")
	if err != nil {
		return nil, nil, s.classify("config", err, nil)
	}
	return parseConfigValues(out)
}

// checkSettings brings the stack's settings up to date (see syncSettings) and, unless
// pending settings (validated by New) will be used, validates the stored ones before
// the engine starts (a stack with none is told to set the cloud), returning every
// problem at once. A secret setting stored in plain text is refused.
func (s *Stack) checkSettings(ctx context.Context) error {
	if s.pending != nil {
		return nil
	}
	if err := s.syncSettings(ctx); err != nil {
		return err
	}
	raw, plaintext, err := s.storedConfig(ctx)
	if err != nil {
		return err
	}
	_, err = s.program.Settings.ResolveStored(raw, plaintext, Project, s.name)
	return err
}
