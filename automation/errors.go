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
	if e.cause != "" && e.Kind == ErrOperationFailed {
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
	case ErrStackNotFound:
		b.WriteString("\nCreate it with `pachdeploy up --cloud aws|gcp|azure` (or --config FILE), or check --stack and --backend.")
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
	e := &Error{Kind: ErrOperationFailed, Op: op, Stack: stack, cause: r.redact(firstLine(text))}
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
	}
	if e.Kind == ErrOperationFailed {
		e.Details = r.all(dedupe(append(diagnostics, errorLines(text)...)))
	}
	return e
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
