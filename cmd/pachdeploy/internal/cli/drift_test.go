package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/automation"
)

// driftReport is a drift check's result: changes and pending operations as given.
func driftReport(changes []automation.Change, pending ...automation.PendingOperation) *automation.DriftResult {
	return &automation.DriftResult{Project: automation.Project, Report: automation.Report{
		Stack: "dev", Operation: "drift", Changes: changes, PendingOperations: pending,
		Totals: map[string]int{"same": 4 - len(changes), "update": len(changes)}}}
}

// TestDrift_ExitCodesAndFormats: drift found exits 5 (a pending operation counts), none
// 0, without --yes and without a terminal; engine errors keep their own exit codes; the
// stack is opened as it is (never created, no settings), and the report is printed in
// the asked format.
func TestDrift_ExitCodesAndFormats(t *testing.T) {
	bucket := []automation.Change{{URN: "urn:a::data", Type: "aws:s3/bucketV2:BucketV2", Name: "data", Op: "update",
		Keys: []string{"tags"}, Diffs: []automation.KeyDiff{{Key: "tags", Old: `{"team":"data"}`, New: `{"team":"ml"}`}}}}
	pending := automation.PendingOperation{URN: "urn:a::pw", Type: "random:index/randomPassword:RandomPassword", Op: "creating"}
	for _, tt := range []struct {
		name  string
		drift *automation.DriftResult
		err   error
		args  []string
		code  int
		out   string
	}{
		{"drift", driftReport(bucket), nil, []string{"drift"}, ExitDrift, "tags: {\"team\":\"data\"} -> {\"team\":\"ml\"}"},
		{"no drift", driftReport(nil), nil, []string{"drift"}, ExitOK, "No drift"},
		{"pending operations only", driftReport(nil, pending), nil, []string{"drift"}, ExitDrift, "pending    creating urn:a::pw"},
		{"markdown", driftReport(bucket), nil, []string{"drift", "--format", "markdown"}, ExitDrift,
			"<!-- pachdeploy:drift project=pachdeploy stack=dev -->\n"},
		{"json", driftReport(bucket), nil, []string{"drift", "--format", "json"}, ExitDrift, `"drifted": true`},
		{"json, none", driftReport(nil), nil, []string{"drift", "--format", "json"}, ExitOK, `"drifted": false`},
		{"locked", nil, &automation.Error{Kind: automation.ErrConcurrentUpdate, Op: "drift", Stack: "dev"}, []string{"drift"}, ExitLocked, ""},
		{"wrong passphrase", nil, &automation.Error{Kind: automation.ErrWrongPassphrase, Op: "drift", Stack: "dev"}, []string{"drift"}, ExitUsage, ""},
		{"failed read", driftReport(nil), &automation.Error{Kind: automation.ErrOperationFailed, Op: "drift", Stack: "dev"}, []string{"drift"}, ExitFailed, ""},
		{"no stack", nil, errors.New("stack not found"), []string{"drift"}, ExitFailed, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDriver{drift: tt.drift, err: tt.err}
			code, stdout, stderr := runCLI(t, d, false, "", tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.out) {
				t.Errorf("exit %d (want %d), stdout %q (want %q), stderr %q", code, tt.code, stdout, tt.out, stderr)
			}
			if tt.err != nil && stdout != "" {
				t.Errorf("a failed drift check printed a report: %q", stdout)
			}
			if strings.Join(d.calls, ",") != "open,drift" || d.req.Create || d.req.Config != nil || d.req.Progress != nil {
				t.Errorf("calls %v, request %+v; want the existing stack opened as it is, then drift", d.calls, d.req)
			}
		})
	}
}

// TestDrift_BadUsageTouchesNothing: a format drift does not write, settings flags (drift
// reads the stack's own) and stray arguments exit 2 before the stack is opened.
func TestDrift_BadUsageTouchesNothing(t *testing.T) {
	file := writeTemp(t, "cloud: aws\n")
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"sarif", []string{"drift", "--format", "sarif"}, `--format "sarif" is not supported`},
		{"--cloud", []string{"drift", "--cloud", "aws"}, "drift uses the stack's own settings"},
		{"--config", []string{"drift", "--config", file}, "drift uses the stack's own settings"},
		{"an argument", []string{"drift", "prod"}, "pachdeploy drift takes no arguments"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDriver{}
			code, _, stderr := runCLI(t, d, false, "", tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) || len(d.calls) != 0 {
				t.Errorf("exit %d, stderr %q, calls %v; want 2, %q, nothing touched", code, stderr, d.calls, tt.want)
			}
		})
	}
}
