package automation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// Kinds of failure a caller can act on; match them with errors.Is.
var (
	// ErrConcurrentUpdate: another update holds the stack's lock.
	ErrConcurrentUpdate = errors.New("the stack is locked by another update")
	// ErrStackNotFound: the stack does not exist in the backend.
	ErrStackNotFound = errors.New("stack not found")
	// ErrPendingOperations: an interrupted update left operations of unknown outcome.
	ErrPendingOperations = errors.New("the stack has pending operations from an interrupted update")
	// ErrOperationFailed: the engine ran and reported errors.
	ErrOperationFailed = errors.New("operation failed")
	// ErrInvalidConfig: the program refused the stack's settings (the details list
	// every problem).
	ErrInvalidConfig = errors.New("the stack's settings are invalid")
	// ErrDamagedState: the backend holds a state the Pulumi CLI cannot read.
	ErrDamagedState = errors.New("the stack's state cannot be read")
	// ErrWrongPassphrase: the passphrase does not decrypt the stack's secrets.
	ErrWrongPassphrase = errors.New("the passphrase does not decrypt the stack's secrets")
	// ErrPolicy: the preview up ran first (WithPolicyFailOn) has unwaived policy
	// findings at or above the severity; nothing was changed.
	ErrPolicy = errors.New("policy findings refuse the update")
	// ErrNotReviewed: the preview Up ran first (WithExpectedFingerprint) differs from
	// the reviewed one; nothing was changed.
	ErrNotReviewed = errors.New("the changes differ from the reviewed preview")
)

// Error is a failed stack operation. It carries the engine's error diagnostics (secret
// config values redacted) but never the CLI transcript.
type Error struct {
	// Kind is one of the Err* values above.
	Kind error
	// Op is the operation: preview, up, refresh, destroy, outputs, ...
	Op string
	// Stack is the stack name.
	Stack string
	// Details are the engine's error lines and, for pending operations, the resources.
	Details []string
	// cause is the first line of the underlying error (no transcript), redacted.
	cause string
	// interrupted is context.Canceled or context.DeadlineExceeded when the caller stopped
	// the operation.
	interrupted error
}

// Error explains what failed and, for the kinds that have one, what to do.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s of stack %q: %v", e.Op, e.Stack, e.Kind)
	if e.cause != "" {
		fmt.Fprintf(&b, " (%s)", e.cause)
	}
	for _, d := range e.Details {
		b.WriteString("\n  ")
		b.WriteString(strings.ReplaceAll(d, "\n", "\n  "))
	}
	switch e.Kind {
	case ErrConcurrentUpdate:
		fmt.Fprintf(&b, "\nWait for the other update to finish. If none is running (a killed run left its lock), "+
			"remove the lock with `pachdeploy cancel --stack %s` (or `pulumi cancel`).", e.Stack)
	case ErrOperationFailed:
		if containsAny(strings.ToLower(e.cause+strings.Join(e.Details, "\n")), accessDeniedTexts) {
			b.WriteString("\nThe backend refused a write: every operation writes the state and a lock, so pachdeploy needs " +
				"write access to it (a file:// directory's permissions, or the bucket's IAM policy).")
		}
	case ErrDamagedState:
		b.WriteString("\nThe state file was cut short or edited. A file backend keeps the previous checkpoint beside it " +
			"(.pulumi/stacks/<project>/<stack>.json.bak) and one per update under .pulumi/history/<project>/<stack>/: " +
			"check the newest one, then `pulumi stack import --file FILE`. Other backends keep the history too " +
			"(`pulumi stack history`, `pulumi stack export --version N`).")
	case ErrWrongPassphrase:
		fmt.Fprintf(&b, "\nSet %s (or %s) to the passphrase the stack was created with; nothing was changed.",
			EnvPassphrase, EnvPassphraseFile)
	case ErrPolicy:
		b.WriteString("\nNothing was changed. Fix each finding with the setting it names, or accept it in policyWaivers " +
			"with a reason (`pachdeploy check` shows them offline).")
	case ErrInvalidConfig:
		b.WriteString("\nFix these settings (`pachdeploy plan` checks them offline) and run again; nothing was changed.")
	case ErrStackNotFound:
		b.WriteString("\nCreate it with `pachdeploy up --cloud CLOUD` (or --config FILE), or check --stack and --backend.")
	case ErrPendingOperations:
		fmt.Fprintf(&b, "\nCheck in the cloud console whether these operations completed, then run "+
			"`pachdeploy refresh --clear-pending --stack %s` (or `pulumi refresh --clear-pending-creates`) "+
			"and run the update again. (If another update of this stack is running right now, wait for it instead: "+
			"its operations in flight show as pending too.)", e.Stack)
	}
	return b.String()
}

// Unwrap exposes the kind and, when the caller stopped the operation, the context's error.
func (e *Error) Unwrap() []error {
	if e.interrupted == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.interrupted}
}

// lockTexts identify a held stack lock: Pulumi Cloud's and the file backends'.
var lockTexts = []string{"[409] Conflict: Another update is currently in progress", "the stack is currently locked by"}

// notFoundTexts identify a missing stack.
var notFoundTexts = []string{"no stack named"}

// damagedTexts identify a state file the CLI cannot parse.
var damagedTexts = []string{"could not deserialize deployment", "unexpected end of JSON input", "invalid character",
	"could not read deployment", "failed to load checkpoint"}

// accessDeniedTexts identify a backend that refuses writes (lowercase).
var accessDeniedTexts = []string{"permission denied", "read-only file system", "accessdenied", "access denied", "403"}

// invalidConfigText starts the program's report of invalid settings (rules.Error).
const invalidConfigText = "invalid configuration ("

// classify turns an Automation API error into an *Error. It looks at the raw error (the
// SDK's predicates) and at its text, so wrapped errors classify too. The SDK error's
// transcript is dropped: only its "error:" lines are kept, redacted.
func classify(op, stack string, err error, diagnostics []string, r redactor) error {
	if err == nil {
		return nil
	}
	var ours *Error
	if errors.As(err, &ours) {
		return err
	}
	text := err.Error()
	e := &Error{Kind: ErrOperationFailed, Op: op, Stack: stack, cause: r.redact(cause(text))}
	for _, c := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, c) {
			e.interrupted = c
		}
	}
	switch {
	case auto.IsConcurrentUpdateError(err) || containsAny(text, lockTexts):
		e.Kind = ErrConcurrentUpdate
	case auto.IsSelectStack404Error(err) || containsAny(text, notFoundTexts):
		e.Kind = ErrStackNotFound
	case containsAny(strings.Join(diagnostics, "\n")+text, []string{"incorrect passphrase"}):
		e.Kind = ErrWrongPassphrase
	case containsAny(text, damagedTexts):
		e.Kind = ErrDamagedState
	case containsAny(strings.Join(diagnostics, "\n")+text, []string{invalidConfigText}):
		e.Kind = ErrInvalidConfig
	}
	e.Details = r.all(dedupe(append(diagnostics, errorLines(text)...)))
	if e.Kind == ErrConcurrentUpdate || e.Kind == ErrStackNotFound {
		e.cause = "" // the kind says it; the details name the lock or the stack
	}
	return e
}

// cause is the first line of an error's text when it has no "error:" lines (which the
// details carry).
func cause(text string) string {
	if len(errorLines(text)) > 0 {
		return ""
	}
	return firstLine(text)
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// errorLines picks the CLI's "error: ..." lines out of an error's text.
func errorLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimPrefix(strings.TrimSpace(l), "stderr: ")
		if strings.HasPrefix(l, "error: ") && !strings.Contains(l, "update failed") && !strings.Contains(l, "preview failed") {
			out = append(out, strings.TrimPrefix(l, "error: "))
		}
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func dedupe(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
