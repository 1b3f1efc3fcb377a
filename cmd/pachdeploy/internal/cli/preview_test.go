package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/automation"
)

// previewDriver previews result; everything else is fakeDriver's.
type previewDriver struct {
	*fakeDriver
	result *automation.PreviewResult
}

func (d previewDriver) Preview(context.Context) (*automation.PreviewResult, error) {
	return d.result, nil
}

// runPreviewOf runs the CLI with a stack whose preview is res.
func runPreviewOf(t *testing.T, res *automation.PreviewResult, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	deps := Deps{
		Program: automation.Program{Settings: testSettings},
		Open: func(context.Context, StackRequest) (Driver, error) {
			return previewDriver{fakeDriver: &fakeDriver{}, result: res}, nil
		},
		Env: func(string) (string, bool) { return "", false },
	}
	code = Main(context.Background(), args, ios, deps)
	return code, out.String(), errOut.String()
}

// TestPreview_NoCommentWhenUnchanged: with the flag, a preview with nothing to review
// prints nothing (the workflow posts no comment); one with changes prints the comment;
// without the flag an unchanged preview is the one-line comment.
func TestPreview_NoCommentWhenUnchanged(t *testing.T) {
	unchanged := &automation.PreviewResult{Report: automation.Report{Stack: "dev", Operation: "preview", Totals: map[string]int{"same": 5}}}
	changed := &automation.PreviewResult{Report: automation.Report{Stack: "dev", Operation: "preview",
		Changes: []automation.Change{{Type: "t:m:R", Name: "r", Op: "update"}}, Totals: map[string]int{"update": 1}}}
	marker := automation.CommentMarker(automation.Project, "dev") + "\n"
	tests := []struct {
		name string
		res  *automation.PreviewResult
		args []string
		want func(string) bool
	}{
		{"unchanged, flag", unchanged, []string{"--no-comment-when-unchanged"}, func(s string) bool { return s == "" }},
		{"unchanged, no flag", unchanged, nil, func(s string) bool {
			return s == marker+automation.FingerprintLine(unchanged.Fingerprint())+"\nNo changes for stack `dev`.\n"
		}},
		{"changed, flag", changed, []string{"--no-comment-when-unchanged"}, func(s string) bool {
			return strings.HasPrefix(s, marker) && strings.Contains(s, "**1 to update**")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runPreviewOf(t, tt.res, append([]string{"preview", "--format", "markdown"}, tt.args...)...)
			if code != ExitOK || !tt.want(out) {
				t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
			}
		})
	}
}

// TestPreview_NoCommentWhenUnchangedNeedsMarkdown: a JSON or text report is never
// left empty; asking for that is bad usage and touches no stack.
func TestPreview_NoCommentWhenUnchangedNeedsMarkdown(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		d := &fakeDriver{}
		code, _, stderr := runCLI(t, d, false, "", "preview", "--format", format, "--no-comment-when-unchanged")
		if code != ExitUsage || !strings.Contains(stderr, "--no-comment-when-unchanged goes with --format markdown") || len(d.calls) != 0 {
			t.Errorf("--format %s: exit %d, stderr %q, calls %v", format, code, stderr, d.calls)
		}
	}
}

// TestPreview_JSONFile: --json-file writes the JSON report, with the fingerprint the
// comment shows, beside the chosen format, so one preview serves the comment and the
// workflow's artifact.
func TestPreview_JSONFile(t *testing.T) {
	res := &automation.PreviewResult{Report: automation.Report{Stack: "dev", Operation: "preview",
		Changes: []automation.Change{{Type: "t:m:R", Name: "r", Op: "update"}}, Totals: map[string]int{"update": 1}}}
	path := filepath.Join(t.TempDir(), "preview-dev.json")
	code, out, stderr := runPreviewOf(t, res, "preview", "--format", "markdown", "--json-file", path)
	if code != ExitOK || !strings.Contains(out, automation.FingerprintLine(res.Fingerprint())) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	var doc struct {
		Stack       string `json:"stack"`
		Fingerprint string `json:"fingerprint"`
	}
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &doc) != nil || doc.Stack != "dev" || doc.Fingerprint != res.Fingerprint() {
		t.Errorf("json file %s (%v): %+v", b, err, doc)
	}
}

// TestPreview_JSONFileRefusedBeforeThePreview: a --json-file that cannot be written
// (a directory, a missing directory) is usage, before any stack is opened.
func TestPreview_JSONFileRefusedBeforeThePreview(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{dir, filepath.Join(dir, "missing", "preview.json")} {
		d := &fakeDriver{}
		code, _, stderr := runCLI(t, d, false, "", "preview", "--json-file", path)
		if code != ExitUsage || !strings.Contains(stderr, "--json-file") || len(d.calls) != 0 {
			t.Errorf("%s: exit %d, calls %v, stderr %q; want 2 before any call", path, code, d.calls, stderr)
		}
	}
}
