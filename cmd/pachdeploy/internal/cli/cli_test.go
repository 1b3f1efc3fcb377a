package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/automation"
	"github.com/pachdeploy/pachdeploy/cmd/pachdeploy/internal/graph"
	awssettings "github.com/pachdeploy/pachdeploy/components/aws/settings"
	azuresettings "github.com/pachdeploy/pachdeploy/components/azure/settings"
	gcpsettings "github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// fakeDriver records calls and returns canned results.
// testSettings are the three clouds' settings, as stacks.Settings lists them.
var testSettings = config.Targets{awssettings.Target, gcpsettings.Target, azuresettings.Target}

type fakeDriver struct {
	calls   []string
	req     StackRequest
	err     error // returned by every operation
	destroy automation.DestroyOptions
	outputs []automation.Output
	empty   bool // Up reports nothing, as when the engine refused it
	// drift is what Drift reports.
	drift *automation.DriftResult
}

func (f *fakeDriver) Preview(context.Context) (*automation.PreviewResult, error) {
	f.calls = append(f.calls, "preview")
	return &automation.PreviewResult{Report: automation.Report{Stack: "dev", Operation: "preview",
		Changes: []automation.Change{{Type: "aws:s3/bucketV2:BucketV2", Name: "data", Op: "replace",
			DataAtRisk: "S3 bucket with Pachyderm's data"}},
		Totals: map[string]int{"replace": 1}}}, f.err
}

func (f *fakeDriver) Up(context.Context) (*automation.UpResult, error) {
	f.calls = append(f.calls, "up")
	if f.empty {
		return &automation.UpResult{Report: automation.Report{Operation: "up", Totals: map[string]int{}}}, f.err
	}
	return &automation.UpResult{Report: automation.Report{Operation: "up", Totals: map[string]int{"create": 2}}}, f.err
}

func (f *fakeDriver) Refresh(_ context.Context, o automation.RefreshOptions) (*automation.RefreshResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("refresh clear=%v", o.ClearPending))
	return &automation.RefreshResult{}, f.err
}

func (f *fakeDriver) Destroy(_ context.Context, o automation.DestroyOptions) (*automation.DestroyResult, error) {
	f.calls = append(f.calls, "destroy")
	f.destroy = o
	return &automation.DestroyResult{DataKept: !o.DeleteData}, f.err
}

func (f *fakeDriver) Outputs(_ context.Context, o automation.OutputsOptions) ([]automation.Output, error) {
	f.calls = append(f.calls, fmt.Sprintf("outputs show=%v", o.ShowSecrets))
	return f.outputs, f.err
}

func (f *fakeDriver) Resources(context.Context) ([]automation.Resource, error) {
	f.calls = append(f.calls, "resources")
	return []automation.Resource{
		{URN: "urn:a::parent", Type: "pachdeploy:aws:Bucket", Name: "parent"},
		{URN: "urn:a::child", Type: "aws:s3/bucketV2:BucketV2", Name: "child", Parent: "urn:a::parent"},
	}, f.err
}

func (f *fakeDriver) Cancel(context.Context) error {
	f.calls = append(f.calls, "cancel")
	return f.err
}

func (f *fakeDriver) ClearPendingOperations(context.Context) ([]automation.PendingOperation, error) {
	f.calls = append(f.calls, "clear-pending")
	return nil, f.err
}

func (f *fakeDriver) Drift(context.Context) (*automation.DriftResult, error) {
	f.calls = append(f.calls, "drift")
	return f.drift, f.err
}

// fakePlan is an offline plan.
type fakePlan struct {
	Cloud string `json:"cloud"`
}

func (p fakePlan) WriteTree(w io.Writer) error {
	_, err := fmt.Fprintf(w, "tree for %s\n", p.Cloud)
	return err
}
func (fakePlan) Nodes() []graph.Node { return []graph.Node{{URN: "urn:x", Type: "t:x:X", Name: "x"}} }

// fakeRules: one high rule broken by the resource "urn:open", one low rule never broken.
var fakeRules = []policy.Rule{
	{ID: "PD-T-OPEN", Refs: []string{"CKV_T_1"}, Severity: policy.High, Looks: "openness", Remediation: "set apiAllowedCidrs",
		Check: func(policy.Resources) []policy.Violation {
			return []policy.Violation{{URN: "urn:open", Message: "open"}}
		}},
	{ID: "PD-T-FINE", Severity: policy.Low, Looks: "fine", Remediation: "none",
		Check: func(policy.Resources) []policy.Violation { return nil }},
}

// Check evaluates fakeRules.
func (fakePlan) Check() (*policy.Report, []policy.Rule, error) {
	rep, err := policy.Evaluate(fakeRules, "", nil, nil)
	return rep, fakeRules, err
}

// runCLI runs the command line with a fake driver; stdin is a terminal when interactive.
func runCLI(t *testing.T, d *fakeDriver, interactive bool, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, Interactive: interactive}
	deps := Deps{
		Program: automation.Program{Settings: testSettings},
		Open: func(_ context.Context, r StackRequest) (Driver, error) {
			d.calls = append(d.calls, "open")
			d.req = r
			return d, nil
		},
		Plan: func(raw map[string]string, _ string) (Plan, error) { return fakePlan{Cloud: raw["cloud"]}, nil },
		Env:  func(string) (string, bool) { return "", false },
	}
	code = Main(context.Background(), args, ios, deps)
	return code, out.String(), errOut.String()
}

func TestConfirmation_NoTerminalNoYesIsUsageError(t *testing.T) {
	for _, args := range [][]string{{"up"}, {"destroy"}, {"destroy", "--delete-data"}, {"refresh"}, {"cancel"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			d := &fakeDriver{}
			code, _, stderr := runCLI(t, d, false, "", args...)
			if code != ExitUsage || !strings.Contains(stderr, "--yes") {
				t.Errorf("exit %d, stderr %q; want 2 naming --yes", code, stderr)
			}
			if len(d.calls) != 0 {
				t.Errorf("the stack was touched: %v", d.calls)
			}
		})
	}
}

func TestUp_YesWithoutTerminalRuns(t *testing.T) {
	d := &fakeDriver{}
	code, stdout, _ := runCLI(t, d, false, "", "up", "--yes", "--stack", "prod")
	if code != ExitOK || strings.Join(d.calls, ",") != "open,up" {
		t.Fatalf("exit %d calls %v; want 0, open then up without a preview", code, d.calls)
	}
	if d.req.Stack != "prod" || d.req.Create || d.req.Progress == nil {
		t.Errorf("request %+v; want stack prod, progress, and no create: no settings were given", d.req)
	}
	if code, _, _ := runCLI(t, d, false, "", "up", "--yes", "--stack", "prod", "--cloud", "aws"); code != ExitOK || !d.req.Create {
		t.Errorf("up --cloud: exit %d, request %+v; want a stack created with the cloud's defaults", code, d.req)
	}
	if !strings.Contains(stdout, "Resources: 2 created") {
		t.Errorf("stdout %q lacks the summary", stdout)
	}
}

func TestUp_OnTerminalPreviewsThenAsks(t *testing.T) {
	for _, tt := range []struct {
		answer string
		code   int
		calls  string
	}{
		{"y\n", ExitOK, "open,preview,up"},
		{"n\n", ExitFailed, "open,preview"},
		{"", ExitFailed, "open,preview"},
	} {
		d := &fakeDriver{}
		code, _, stderr := runCLI(t, d, true, tt.answer, "up")
		if code != tt.code || strings.Join(d.calls, ",") != tt.calls {
			t.Errorf("answer %q: exit %d calls %v; want %d %s", tt.answer, code, d.calls, tt.code, tt.calls)
		}
		if !strings.Contains(stderr, "WARNING: data at risk: replace") {
			t.Errorf("answer %q: the preview shown before asking lacks the data warning: %s", tt.answer, stderr)
		}
	}
}

func TestDestroy_DeleteDataAsksForTheStackName(t *testing.T) {
	for _, tt := range []struct {
		name        string
		interactive bool
		stdin       string
		args        []string
		destroyed   bool
	}{
		{"terminal, right name", true, "dev\n", []string{"destroy", "--delete-data", "--yes"}, true},
		{"terminal, wrong name", true, "prod\n", []string{"destroy", "--delete-data", "--yes"}, false},
		{"terminal, yes then name", true, "y\ndev\n", []string{"destroy", "--delete-data"}, true},
		{"no terminal with --yes", false, "", []string{"destroy", "--delete-data", "--yes"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDriver{}
			code, stdout, _ := runCLI(t, d, tt.interactive, tt.stdin, tt.args...)
			destroyed := strings.Contains(strings.Join(d.calls, ","), "destroy")
			if destroyed != tt.destroyed {
				t.Fatalf("exit %d calls %v; destroyed = %v, want %v", code, d.calls, destroyed, tt.destroyed)
			}
			if destroyed && (!d.destroy.DeleteData || !strings.Contains(stdout, "were deleted")) {
				t.Errorf("destroy options %+v, stdout %q; want DeleteData and the result", d.destroy, stdout)
			}
		})
	}
}

func TestDestroy_KeepsDataByDefault(t *testing.T) {
	d := &fakeDriver{}
	code, stdout, _ := runCLI(t, d, false, "", "destroy", "--yes")
	if code != ExitOK || d.destroy.DeleteData || d.req.Create {
		t.Errorf("exit %d, options %+v, request %+v; want data kept, stack not created", code, d.destroy, d.req)
	}
	if !strings.Contains(stdout, "The data bucket was kept") {
		t.Errorf("stdout %q does not say the data was kept", stdout)
	}
}

func TestExitCodes(t *testing.T) {
	locked := &automation.Error{Kind: automation.ErrConcurrentUpdate, Op: "up", Stack: "dev"}
	for _, tt := range []struct {
		name string
		err  error
		args []string
		code int
	}{
		{"locked", locked, []string{"up", "--yes"}, ExitLocked},
		{"wrapped lock", fmt.Errorf("x: %w", locked), []string{"destroy", "--yes"}, ExitLocked},
		{"pending operations", &automation.Error{Kind: automation.ErrPendingOperations}, []string{"up", "--yes"}, ExitFailed},
		{"failed", errors.New("boom"), []string{"preview"}, ExitFailed},
		{"no passphrase", fmt.Errorf("%w: set it", automation.ErrNoPassphrase), []string{"preview"}, ExitUsage},
		{"unknown flag", nil, []string{"up", "--bogus"}, ExitUsage},
		{"bad format", nil, []string{"up", "--yes", "--format", "xml"}, ExitUsage},
		{"ok", nil, []string{"preview"}, ExitOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, &fakeDriver{err: tt.err}, false, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
		})
	}
}

func TestInvalidConfigIsExit2WithEveryProblem(t *testing.T) {
	file := writeTemp(t, "regoin: us-west-2\nnodeCount: lots\naws:region: us-east-1\n")
	d := &fakeDriver{}
	code, _, stderr := runCLI(t, d, false, "", "preview", "--config", file, "--cloud", "aws")
	if code != ExitUsage {
		t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
	}
	for _, want := range []string{"aws:region", "regoin", "nodeCount"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if len(d.calls) != 0 {
		t.Errorf("the stack was touched: %v", d.calls)
	}
}

func TestPreview_Formats(t *testing.T) {
	_, md, _ := runCLI(t, &fakeDriver{}, false, "", "preview", "--format", "markdown")
	if !strings.HasPrefix(md, automation.CommentMarker(automation.Project, "dev")+"\n<!-- pachdeploy:fingerprint sha256:") ||
		!strings.Contains(md, "\n### pachdeploy preview: stack `dev`") || !strings.Contains(md, "Data at risk") {
		t.Errorf("markdown:\n%s", md)
	}
	_, js, _ := runCLI(t, &fakeDriver{}, false, "", "preview", "--format", "json")
	var v map[string]any
	if err := json.Unmarshal([]byte(js), &v); err != nil || v["operation"] != "preview" {
		t.Errorf("json %q: %v", js, err)
	}
	_, text, _ := runCLI(t, &fakeDriver{}, false, "", "preview")
	if !strings.Contains(text, "Resources: 1 to replace") {
		t.Errorf("text:\n%s", text)
	}
}

func TestOutputs(t *testing.T) {
	d := &fakeDriver{outputs: []automation.Output{{Name: "kubeconfig", Value: "[secret]", Secret: true}, {Name: "region", Value: "us-west-2"}}}
	_, text, _ := runCLI(t, d, false, "", "outputs")
	if text != "kubeconfig: [secret]\nregion: us-west-2\n" {
		t.Errorf("text %q", text)
	}
	if d.req.Create || d.calls[1] != "outputs show=false" {
		t.Errorf("request %+v calls %v; want an existing stack, secrets hidden", d.req, d.calls)
	}
	_, js, _ := runCLI(t, d, false, "", "outputs", "--json", "--show-secrets")
	if !strings.Contains(js, `"secret": true`) || d.calls[len(d.calls)-1] != "outputs show=true" {
		t.Errorf("json %q calls %v", js, d.calls)
	}
}

func TestPlan(t *testing.T) {
	code, _, stderr := runCLI(t, &fakeDriver{}, false, "", "plan")
	if code != ExitUsage || !strings.Contains(stderr, "--cloud") {
		t.Errorf("plan without a cloud: exit %d %q", code, stderr)
	}
	_, out, _ := runCLI(t, &fakeDriver{}, false, "", "plan", "--cloud", "gcp")
	if out != "tree for gcp\n" {
		t.Errorf("plan text %q", out)
	}
	for _, flag := range [][]string{{"--format", "json"}, {"--json"}} {
		_, js, _ := runCLI(t, &fakeDriver{}, false, "", append([]string{"plan", "--cloud", "azure"}, flag...)...)
		if strings.TrimSpace(js) != "{\n  \"cloud\": \"azure\"\n}" {
			t.Errorf("plan %v: json %q", flag, js)
		}
	}
}

func TestGraph_FromStateAndFromPlan(t *testing.T) {
	d := &fakeDriver{}
	_, out, _ := runCLI(t, d, false, "", "graph")
	if !strings.Contains(out, "flowchart TD") || !strings.Contains(out, "n1 --> n0") {
		t.Errorf("graph from state:\n%s", out)
	}
	d = &fakeDriver{}
	_, out, _ = runCLI(t, d, false, "", "graph", "--cloud", "aws", "--format", "dot")
	if !strings.Contains(out, "digraph") || len(d.calls) != 0 {
		t.Errorf("graph from plan touched the stack (%v) or is not DOT:\n%s", d.calls, out)
	}
}

func TestCancel_ExplicitRecovery(t *testing.T) {
	d := &fakeDriver{}
	code, _, _ := runCLI(t, d, false, "", "cancel", "--yes", "--clear-pending")
	if code != ExitOK || strings.Join(d.calls, ",") != "open,cancel,clear-pending" {
		t.Errorf("exit %d calls %v", code, d.calls)
	}
	d = &fakeDriver{}
	runCLI(t, d, false, "", "refresh", "--yes", "--clear-pending")
	if strings.Join(d.calls, ",") != "open,refresh clear=true" {
		t.Errorf("refresh calls %v", d.calls)
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "settings.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
