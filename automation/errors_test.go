package automation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// fakeCLI is a Pulumi CLI that fails every command with the given stdout and stderr.
type fakeCLI struct{ stdout, stderr string }

func (f fakeCLI) Run(context.Context, string, io.Reader, []io.Writer, []io.Writer, []string, ...string) (string, string, int, error) {
	return f.stdout, f.stderr, 255, errors.New("exit status 255")
}

func (fakeCLI) Version() semver.Version { return semver.MustParse("3.274.1") }

// rawError returns the Automation API's own error for a CLI run that printed stdout and
// stderr: the unexported type its predicates (IsConcurrentUpdateError, ...) inspect.
func rawError(t *testing.T, stdout, stderr string) error {
	t.Helper()
	ws, err := auto.NewLocalWorkspace(context.Background(), auto.Pulumi(fakeCLI{stdout, stderr}), auto.WorkDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	err = ws.SelectStack(context.Background(), "dev")
	if err == nil {
		t.Fatal("fake CLI did not fail")
	}
	return err
}

const (
	// cloudLock is Pulumi Cloud's lock text (R1).
	cloudLock = "error: [409] Conflict: Another update is currently in progress.\n"
	// fileLock is the file/S3/GCS/Azure backends' lock text (R2).
	fileLock = "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end " +
		"or delete the lock file with `pulumi cancel`.\n  file:///x/.pulumi/locks/organization/pachdeploy/dev/a.json: created by me@host\n"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  func(t *testing.T) error
		want error
	}{
		{"raw cloud lock (R1)", func(t *testing.T) error { return rawError(t, "", cloudLock) }, ErrConcurrentUpdate},
		{"raw file lock (R2)", func(t *testing.T) error { return rawError(t, "", fileLock) }, ErrConcurrentUpdate},
		{"wrapped cloud lock", func(t *testing.T) error { return fmt.Errorf("up: %w", rawError(t, "", cloudLock)) }, ErrConcurrentUpdate},
		{"wrapped file lock", func(t *testing.T) error { return fmt.Errorf("up: %w", rawError(t, "", fileLock)) }, ErrConcurrentUpdate},
		{"file lock as text", func(*testing.T) error { return errors.New("pulumi up: exit 255\n" + fileLock) }, ErrConcurrentUpdate},
		{"raw missing stack", func(t *testing.T) error { return rawError(t, "", "error: no stack named 'dev' found\n") }, ErrStackNotFound},
		{"missing stack as text", func(*testing.T) error { return errors.New("error: no stack named 'dev' found") }, ErrStackNotFound},
		{"other failure", func(t *testing.T) error { return rawError(t, "", "error: update failed\n") }, ErrOperationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classify("up", "dev", tt.err(t), nil, nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("classify = %v, want %v", err, tt.want)
			}
			for _, other := range []error{ErrConcurrentUpdate, ErrStackNotFound, ErrOperationFailed} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("classify also matches %v", other)
				}
			}
		})
	}
}

func TestClassify_ConcurrentUpdateSaysHowToRecover(t *testing.T) {
	err := classify("up", "prod", rawError(t, "", fileLock), nil, nil)
	for _, want := range []string{"Wait for the other update", "pachdeploy cancel --stack prod", "pulumi cancel"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestClassify_DropsTranscriptAndRedactsSecrets(t *testing.T) {
	stdout := "Updating (dev)\n  pachdeploy:enterpriseLicenseKey: lic-very-secret\n"
	stderr := "error: provider rejected key lic-very-secret: AccessDenied\nerror: update failed\n"
	err := classify("up", "dev", rawError(t, stdout, stderr), []string{"bucket: AccessDenied for lic-very-secret"}, redactor{"lic-very-secret"})
	msg := err.Error()
	if strings.Contains(msg, "lic-very-secret") {
		t.Errorf("error shows a secret: %s", msg)
	}
	if strings.Contains(msg, "Updating (dev)") {
		t.Errorf("error carries the CLI transcript: %s", msg)
	}
	for _, want := range []string{"bucket: AccessDenied for [secret]", "provider rejected key [secret]: AccessDenied"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks the engine's error %q: %s", want, msg)
		}
	}
}

func TestClassify_KeepsContextCancellation(t *testing.T) {
	err := classify("up", "dev", fmt.Errorf("failed to run update: %w", context.Canceled), nil, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrOperationFailed) {
		t.Errorf("classify = %v, want both context.Canceled and ErrOperationFailed", err)
	}
}

func TestPendingOperationsError_NamesTheRefreshCommands(t *testing.T) {
	e := &Error{Kind: ErrPendingOperations, Op: "up", Stack: "dev", Details: []string{"x"}}
	for _, want := range []string{"pachdeploy refresh --clear-pending --stack dev", "pulumi refresh --clear-pending-creates"} {
		if !strings.Contains(e.Error(), want) {
			t.Errorf("error lacks %q: %s", want, e)
		}
	}
}

// TestClassify_ProgramAndBackendFailures: the program's refusal of the settings is
// ErrInvalidConfig with every problem; a state the CLI cannot read is ErrDamagedState
// with the way back; a backend refusing writes keeps its cause and says what to check.
func TestClassify_ProgramAndBackendFailures(t *testing.T) {
	for _, tt := range []struct {
		name        string
		err         error
		diagnostics []string
		kind        error
		wants       []string
	}{
		{"invalid settings in the program", errors.New("exit status 255"),
			[]string{"pulumi:pulumi:Stack (pachdeploy-dev): invalid configuration (2 problems):\n  - region = \"x\": bad\n  - tags = \"y\": bad"},
			ErrInvalidConfig, []string{`region = "x": bad`, `tags = "y": bad`, "pachdeploy plan"}},
		{"truncated checkpoint", errors.New("failed to run preview: exit status 255\nstderr: error: could not deserialize deployment: unexpected end of JSON input\n"),
			nil, ErrDamagedState, []string{"unexpected end of JSON input", ".json.bak", "pulumi stack import --file"}},
		{"read-only backend", errors.New("pulumi config: exit 255: exit status 255\nerror: open /srv/state/.pulumi/locks/x.json: permission denied\n"),
			nil, ErrOperationFailed, []string{"permission denied", "The backend refused a write"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := classify("preview", "dev", tt.err, tt.diagnostics, nil)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("classify = %v, want %v", err, tt.kind)
			}
			for _, want := range tt.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestParseConfigValues_NamesPlaintextKeys(t *testing.T) {
	raw, plaintext, err := parseConfigValues(`{"pachdeploy:cloud":{"value":"aws","secret":false},` +
		`"pachdeploy:enterpriseLicenseKey":{"value":"lic","secret":false},"pachdeploy:other":{"secret":true},"aws:region":{"value":"x"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if raw["cloud"] != "aws" || raw["other"] != secretMark || len(raw) != 3 {
		t.Errorf("raw = %v", raw)
	}
	if strings.Join(plaintext, ",") != "cloud,enterpriseLicenseKey" && strings.Join(plaintext, ",") != "enterpriseLicenseKey,cloud" {
		t.Errorf("plaintext = %v, want cloud and enterpriseLicenseKey", plaintext)
	}
}
