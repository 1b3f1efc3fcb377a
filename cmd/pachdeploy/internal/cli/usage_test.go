package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/internal/rules"
)

// TestBadUsageIsExit2 covers every kind of bad usage: unknown verbs and arguments,
// invalid stack names, conflicting flags, settings flags on verbs that do not take them.
// None touches a stack.
func TestBadUsageIsExit2(t *testing.T) {
	awsFile := writeTemp(t, "cloud: aws\n")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown verb", []string{"deploy"}, `unknown command "deploy"`},
		{"a stray argument", []string{"preview", "prod"}, "pachdeploy preview takes no arguments"},
		{"arguments to plan", []string{"plan", "aws"}, "takes no arguments"},
		{"invalid stack name", []string{"preview", "--stack", "my stack!"}, `--stack = "my stack!"`},
		{"empty stack name", []string{"outputs", "--stack", ""}, "--stack"},
		{"--json with --format markdown", []string{"plan", "--cloud", "aws", "--json", "--format", "markdown"}, "--json conflicts with --format markdown"},
		{"--json with --format text", []string{"outputs", "--json", "--format", "text"}, "--json conflicts with --format text"},
		{"--cloud against the file", []string{"preview", "--cloud", "gcp", "--config", awsFile}, "--cloud gcp conflicts with cloud: aws"},
		{"--config on destroy", []string{"destroy", "--yes", "--config", awsFile}, "destroy uses the stack's own settings"},
		{"--cloud on outputs", []string{"outputs", "--cloud", "aws"}, "outputs uses the stack's own settings"},
		{"--cloud on refresh", []string{"refresh", "--yes", "--cloud", "aws"}, "refresh uses the stack's own settings"},
		{"--config on cancel", []string{"cancel", "--yes", "--config", awsFile}, "cancel uses the stack's own settings"},
		{"unknown flag", []string{"up", "--bogus"}, "unknown flag"},
		{"bad format", []string{"preview", "--format", "xml"}, `--format "xml" is not supported`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDriver{}
			code, _, stderr := runCLI(t, d, false, "", tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if len(d.calls) != 0 {
				t.Errorf("the stack was touched: %v", d.calls)
			}
		})
	}
}

func TestNoArgumentsShowsHelp(t *testing.T) {
	code, stdout, _ := runCLI(t, &fakeDriver{}, false, "")
	if code != ExitOK || !strings.Contains(stdout, "Available Commands") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
}

// TestEveryVerbReportsEveryProblem: preview and up report rule problems together with
// parse problems, as plan does, before any stack is opened.
func TestEveryVerbReportsEveryProblem(t *testing.T) {
	file := writeTemp(t, "cloud: aws\nnodeCount: lots\nbucketName: My.Bucket\nnamespace: default\n")
	for _, verb := range [][]string{{"plan"}, {"preview"}, {"up", "--yes"}, {"graph"}} {
		t.Run(verb[0], func(t *testing.T) {
			d := &fakeDriver{}
			code, _, stderr := runCLI(t, d, false, "", append(verb, "--config", file)...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want 2: %s", code, stderr)
			}
			for _, want := range []string{"nodeCount", "bucketName", "namespace", "3 problems"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if len(d.calls) != 0 {
				t.Errorf("the stack was touched: %v", d.calls)
			}
		})
	}
}

// TestProgramRefusalIsCaughtBeforeTheStack: settings the config rules pass but the
// program refuses (the offline plan runs it) exit 2 before any stack is created.
func TestProgramRefusalIsCaughtBeforeTheStack(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"a component's own rule", (&rules.Problems{{Field: "Values", Value: "x", Rule: "is bad"}}).Err(), `Values = "x": is bad`},
		{"any other program error", errors.New("boom"), "do not make a valid deployment"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			opened := false
			deps := Deps{
				Program: automation.Program{Settings: testSettings},
				Open:    func(context.Context, StackRequest) (Driver, error) { opened = true; return &fakeDriver{}, nil },
				Plan:    func(map[string]string, string) (Plan, error) { return nil, tt.err },
			}
			code := Main(context.Background(), []string{"up", "--yes", "--cloud", "aws"},
				IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, deps)
			if code != ExitUsage || opened || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, opened %v, stderr %q", code, opened, errOut.String())
			}
		})
	}
}

func TestStackFileNotesAreShown(t *testing.T) {
	file := writeTemp(t, "encryptionsalt: v1:x\nconfig:\n  aws:region: eu-west-1\n  aws:profile: prod\n  pachdeploy:cloud: aws\n")
	d := &fakeDriver{}
	code, _, stderr := runCLI(t, d, false, "", "preview", "--config", file)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"note: " + file + ": aws:region: read as region", "aws:profile: ignored", "encryptionsalt: ignored"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if d.req.Config == nil || d.req.Config.Region != "eu-west-1" {
		t.Errorf("config %+v, want the region read from aws:region", d.req.Config)
	}
}

func TestExitCodes_ProgramAndStateErrors(t *testing.T) {
	for _, tt := range []struct {
		err  error
		code int
	}{
		{&automation.Error{Kind: automation.ErrInvalidConfig, Op: "preview", Stack: "dev"}, ExitUsage},
		{&automation.Error{Kind: automation.ErrWrongPassphrase, Op: "preview", Stack: "dev"}, ExitUsage},
		{&automation.Error{Kind: automation.ErrPolicy, Op: "up", Stack: "dev"}, ExitPolicy},
		{&automation.Error{Kind: automation.ErrNotReviewed, Op: "up", Stack: "dev"}, ExitNotReviewed},
		{&automation.Error{Kind: automation.ErrDamagedState, Op: "up", Stack: "dev"}, ExitFailed},
		{(&rules.Problems{{Field: "backend", Value: "ftp://x", Rule: "no"}}).Err(), ExitUsage},
	} {
		if got := ExitCode(tt.err); got != tt.code {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.code)
		}
	}
}

// TestRefusedUpPrintsNoEmptyResult: an up the lock refused prints the error, not an
// empty "Resources: No changes" report before it.
func TestRefusedUpPrintsNoEmptyResult(t *testing.T) {
	d := &fakeDriver{err: &automation.Error{Kind: automation.ErrConcurrentUpdate, Op: "up", Stack: "dev"}, empty: true}
	code, stdout, stderr := runCLI(t, d, false, "", "up", "--yes")
	if code != ExitLocked || stdout != "" || !strings.Contains(stderr, "locked") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
