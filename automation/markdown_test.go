package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
)

// urnOf is a resource URN of stack dev.
func urnOf(typ, name string) string { return "urn:pulumi:dev::pachdeploy::" + typ + "::" + name }

// secretValue is a secret as the engine's events carry it.
func secretValue(ciphertext string) map[string]any {
	return map[string]any{sig.Key: sig.Secret, "ciphertext": ciphertext}
}

// updateStep is an update (or, with replaceKeys, the first step of a replacement) of keys
// from old to cur inputs, with the engine's detailed diff.
func updateStep(typ, name string, old, cur map[string]any, replaceKeys []string, keys ...string) apitype.StepEventMetadata {
	m := apitype.StepEventMetadata{Op: apitype.OpUpdate, URN: urnOf(typ, name), Type: typ,
		Old: &apitype.StepEventStateMetadata{Inputs: old}, New: &apitype.StepEventStateMetadata{Inputs: cur},
		DetailedDiff: map[string]apitype.PropertyDiff{}}
	for _, k := range keys {
		m.DetailedDiff[k] = apitype.PropertyDiff{Kind: apitype.DiffUpdate, InputDiff: true}
	}
	if replaceKeys != nil {
		m.Op, m.Keys = apitype.OpCreateReplacement, replaceKeys
		for _, k := range replaceKeys {
			m.DetailedDiff[k] = apitype.PropertyDiff{Kind: apitype.DiffUpdateReplace, InputDiff: true}
		}
	}
	return m
}

// folded runs steps through the collector as a preview's events, with the summary's
// totals, and returns the preview.
func folded(t *testing.T, redact redactor, totals map[apitype.OpType]int, steps ...apitype.StepEventMetadata) *PreviewResult {
	t.Helper()
	p := &PreviewResult{Report: Report{Stack: "dev", Operation: "preview", Changes: []Change{}}}
	c := newCollector(&p.Report, nil, redact, false)
	c.dataAtRisk = recordedDataBearing.dataAtRisk
	c.handle(apitype.EngineEvent{PreludeEvent: &apitype.PreludeEvent{}})
	for _, m := range steps {
		c.handle(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: m}})
	}
	c.handle(apitype.EngineEvent{SummaryEvent: &apitype.SummaryEvent{ResourceChanges: totals}})
	return p
}

func markdown(t *testing.T, p *PreviewResult, opts ...MarkdownOption) string {
	t.Helper()
	var b bytes.Buffer
	if err := RenderMarkdown(&b, p, opts...); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMarkdown_Goldens pins the comment for the changes reviewers meet most, each folded
// from the engine's step events as a preview receives them.
func TestMarkdown_Goldens(t *testing.T) {
	nodeGroup := "aws:eks/nodeGroup:NodeGroup"
	scaling := func(n float64) map[string]any {
		return map[string]any{"scalingConfig": map[string]any{"desiredSize": n, "maxSize": 6.0, "minSize": 1.0}}
	}
	release := func(version string) map[string]any {
		return map[string]any{"chart": "pachyderm", "version": version,
			"values": map[string]any{"pachd": map[string]any{"enterpriseLicenseKeySecretName": "pachyderm-bootstrap"}}}
	}
	bucketPolicy := func(bucket string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*",` +
			`"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	}
	bucketURN := urnOf(bucketType, "pachyderm-data")
	tests := []struct {
		name   string
		totals map[apitype.OpType]int
		steps  []apitype.StepEventMetadata
		want   []string
	}{{
		name:   "node-count",
		totals: map[apitype.OpType]int{"update": 1, "same": 52},
		steps:  []apitype.StepEventMetadata{updateStep(nodeGroup, "pachdeploy-dev-nodes", scaling(2), scaling(3), nil, "scalingConfig.desiredSize")},
		want:   []string{"- `scalingConfig.desiredSize`: `2` → `3`"},
	}, {
		name:   "chart-bump",
		totals: map[apitype.OpType]int{"update": 1, "same": 52},
		steps:  []apitype.StepEventMetadata{updateStep(releaseType, "pachyderm", release("2.11.5"), release("2.11.6"), nil, "version")},
		want:   []string{"Pachyderm chart version: `2.11.5` → `2.11.6`", "- `version`: `2.11.5` → `2.11.6`"},
	}, {
		name:   "bucket-replacement",
		totals: map[apitype.OpType]int{"replace": 1, "update": 2, "same": 50},
		steps: []apitype.StepEventMetadata{
			updateStep(bucketType, "pachyderm-data", map[string]any{"bucket": "pachyderm-data-dev"}, map[string]any{"bucket": "pachyderm-data-prod"}, []string{"bucket"}),
			{Op: apitype.OpReplace, URN: bucketURN, Type: bucketType, Keys: []string{"bucket"}},
			updateStep("aws:s3/bucketPolicy:BucketPolicy", "pachyderm-data-tls", map[string]any{"bucket": "pachyderm-data-dev", "policy": bucketPolicy("pachyderm-data-dev")},
				map[string]any{"bucket": sig.UnknownStringValue, "policy": sig.UnknownStringValue}, nil, "bucket", "policy"),
			updateStep("aws:iam/policy:Policy", "pachyderm", map[string]any{"policy": bucketPolicy("pachyderm-data-dev")},
				map[string]any{"policy": bucketPolicy("pachyderm-data-prod")}, nil, "policy"),
			{Op: apitype.OpDeleteReplaced, URN: bucketURN, Type: bucketType, Old: &apitype.StepEventStateMetadata{Inputs: map[string]any{"bucket": "pachyderm-data-dev"}}},
		},
		want: []string{"> [!CAUTION]", "`bucket`: `pachyderm-data-dev` → `pachyderm-data-prod`", "→ `(known after apply)`",
			"`…s3:::pachyderm-data-dev\",", "`…s3:::pachyderm-data-prod\","},
	}, {
		name:   "secret-change",
		totals: map[apitype.OpType]int{"update": 1, "same": 52},
		steps: []apitype.StepEventMetadata{updateStep("kubernetes:core/v1:Secret", "pachyderm-bootstrap",
			map[string]any{"stringData": map[string]any{"enterprise-license-key": secretValue("v1:OLDCIPHER")}},
			map[string]any{"stringData": map[string]any{"enterprise-license-key": secretValue("v1:NEWCIPHER")}},
			nil, `stringData["enterprise-license-key"]`)},
		want: []string{"- `stringData[\"enterprise-license-key\"]`: `[secret]` → `[secret]`"},
	}, {
		name:   "no-changes",
		totals: map[apitype.OpType]int{"same": 53},
		steps: []apitype.StepEventMetadata{{Op: apitype.OpSame, URN: urnOf(nodeGroup, "pachdeploy-dev-nodes"), Type: nodeGroup,
			Old: &apitype.StepEventStateMetadata{Inputs: scaling(2)}, New: &apitype.StepEventStateMetadata{Inputs: scaling(2)}}},
		want: []string{"No changes for stack `dev`."},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := markdown(t, folded(t, nil, tt.totals, tt.steps...))
			golden(t, "comment-"+tt.name+".md.golden", md)
			if !strings.HasPrefix(md, CommentMarker(Project, "dev")+"\n") {
				t.Errorf("the comment does not start with the marker:\n%s", md)
			}
			for _, want := range tt.want {
				if !strings.Contains(md, want) {
					t.Errorf("the comment lacks %q:\n%s", want, md)
				}
			}
			if strings.Contains(md, "CIPHER") {
				t.Errorf("the comment shows a secret's ciphertext:\n%s", md)
			}
		})
	}
}

// TestMarkdown_DataAtRiskComesFirst: the caution block precedes the policy findings,
// the chart version and every resource section.
func TestMarkdown_DataAtRiskComesFirst(t *testing.T) {
	p := recordedPreview(t)
	p.Policy = &policy.Report{Rules: 2, Findings: []policy.Finding{{Rule: "PD-AWS-API-OPEN", Severity: "high", URN: "urn:a::cluster", Message: "open", Fix: "set it"}}}
	md := markdown(t, p)
	caution := strings.Index(md, "> [!CAUTION]")
	for _, later := range []string{"Policy: 2 rules", "Pachyderm chart version", "<details><summary>create"} {
		if i := strings.Index(md, later); caution < 0 || i < caution {
			t.Errorf("%q (at %d) comes before the data-at-risk warning (at %d):\n%s", later, i, caution, md)
		}
	}
}

// manyChanges is a preview of n changed resources (config maps with long values), a
// chart bump first, a deleted bucket in the middle and an open policy finding.
func manyChanges(n int) *PreviewResult {
	p := &PreviewResult{Report: Report{Stack: "dev", Operation: "preview",
		Totals: map[string]int{"update": n - 1, "delete": 1, "same": 10},
		Policy: &policy.Report{Rules: 20, Passed: make([]string, 19), Findings: []policy.Finding{{Rule: "PD-AWS-API-OPEN",
			Refs: []string{"CKV_AWS_38"}, Severity: "high", URN: "urn:a::cluster", Message: "the Kubernetes API is open to the internet",
			Fix: "set apiAllowedCidrs"}}},
		ChartVersion: &VersionChange{Old: "2.11.5", New: "2.11.6"}}}
	p.Changes = append(p.Changes, Change{Type: releaseType, Name: "pachyderm", Op: "update", Keys: []string{"version"},
		Diffs: []KeyDiff{{Key: "version", Old: "2.11.5", New: "2.11.6"}}})
	for i := 1; i < n; i++ {
		if i == n/2 {
			p.Changes = append(p.Changes, Change{Type: bucketType, Name: "pachyderm-data", Op: "delete", DataAtRisk: "S3 bucket with Pachyderm's data"})
			continue
		}
		p.Changes = append(p.Changes, Change{Type: "kubernetes:core/v1:ConfigMap", Name: fmt.Sprintf("settings-%03d", i), Op: "update",
			Keys: []string{"data.config", "metadata.labels.revision"},
			Diffs: []KeyDiff{{Key: "data.config", Old: strings.Repeat("old ", 40), New: strings.Repeat("new ", 40)},
				{Key: "metadata.labels.revision", Old: fmt.Sprint(i), New: fmt.Sprint(i + 1)}}})
	}
	return p
}

// TestMarkdown_500ChangesStayUnderTheCap: a preview of 500 changed resources fits in
// one GitHub comment with its marker, summary, data-at-risk warning and policy finding,
// and says what it left out and where the rest is.
func TestMarkdown_500ChangesStayUnderTheCap(t *testing.T) {
	p := manyChanges(500)
	md := markdown(t, p)
	golden(t, "comment-500-changes.md.golden", md)
	if len(md) > DefaultMaxChars || DefaultMaxChars >= 65536 {
		t.Errorf("the comment is %d bytes; want at most %d, below GitHub's 65536", len(md), DefaultMaxChars)
	}
	for _, want := range []string{
		commentHead(p) + "### pachdeploy preview: stack `dev`",
		"**499 to update, 1 to delete, 10 unchanged**",
		"> [!CAUTION]\n> **Data at risk.** This change destroys resources that hold data:\n> - **delete** `aws:s3/bucketV2:BucketV2` `pachyderm-data`",
		"high **PD-AWS-API-OPEN** (CKV_AWS_38)",
		"Pachyderm chart version: `2.11.5` → `2.11.6`",
		"<details><summary>update <code>kubernetes:helm.sh/v3:Release</code> <b>pachyderm</b></summary>\n\n- `version`\n",
		"The full JSON preview is in the workflow's artifact `preview-dev.json`.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
}

// TestMarkdown_DropOrder shrinks the cap step by step over a preview of 30 changes:
// the comment stays within the cap; values go before sections, from the last resource
// back; the summary stays whole while it fits at all.
func TestMarkdown_DropOrder(t *testing.T) {
	p := manyChanges(30)
	whole := markdown(t, p, WithMaxChars(1<<20))
	summary := commentHead(p) + markdownSummary(p)
	sawValuesDropped, sawSectionsDropped := false, false
	for limit := len(whole); limit >= minMaxChars; limit -= 97 {
		md := markdown(t, p, WithMaxChars(limit))
		if len(md) > limit {
			t.Fatalf("cap %d: the comment is %d bytes", limit, len(md))
		}
		if !strings.HasPrefix(md, CommentMarker(Project, "dev")+"\n") {
			t.Fatalf("cap %d: the comment does not start with the marker:\n%s", limit, md)
		}
		if md == whole {
			continue
		}
		if !strings.Contains(md, "Left out to stay under GitHub's comment size limit") {
			t.Fatalf("cap %d: the comment does not say what it left out:\n%s", limit, md)
		}
		if len(summary)+400 <= limit && !strings.HasPrefix(md, summary) {
			t.Fatalf("cap %d: the summary was cut:\n%s", limit, md)
		}
		// Sections in order, each with values or not; a section with values is never
		// after one without, and no values stay once a section is dropped.
		sections := strings.Split(md, "<details><summary>update <code>kubernetes:core/v1:ConfigMap</code>")[1:]
		valued := 0
		for i, s := range sections {
			if strings.Contains(s, " → ") {
				if valued != i {
					t.Fatalf("cap %d: section %d keeps its values after one that lost them", limit, i)
				}
				valued++
			}
		}
		if valued < len(sections) {
			sawValuesDropped = true
		}
		if len(sections) < 28 {
			sawSectionsDropped = true
			if valued > 0 || strings.Contains(md, "- `version`: `2.11.5`") {
				t.Fatalf("cap %d: a section was dropped while values stayed:\n%s", limit, md)
			}
		}
	}
	if !sawValuesDropped || !sawSectionsDropped {
		t.Errorf("the caps tried never dropped values (%v) or sections (%v)", sawValuesDropped, sawSectionsDropped)
	}
}

// TestMarkdown_SummaryAloneOverTheCap: a summary longer than the cap is cut at a line,
// with its folded section closed, and still ends saying where the whole preview is; a
// cap too small for that is raised to 1,000.
func TestMarkdown_SummaryAloneOverTheCap(t *testing.T) {
	p := manyChanges(3)
	for i := range 400 {
		p.Policy.Findings = append(p.Policy.Findings, policy.Finding{Rule: fmt.Sprintf("PD-RULE-%d", i), Severity: "low", URN: "urn:a::x", Message: "m", Fix: "f"})
	}
	for _, tt := range []struct{ cap, within int }{{4000, 4000}, {10, minMaxChars}} {
		md := markdown(t, p, WithMaxChars(tt.cap))
		if len(md) > tt.within || !strings.HasPrefix(md, CommentMarker(Project, "dev")+"\n") || !strings.Contains(md, "> [!CAUTION]") {
			t.Errorf("cap %d: comment of %d bytes:\n%s", tt.cap, len(md), md)
		}
		if strings.Count(md, "<details>") != strings.Count(md, "</details>") || !strings.HasSuffix(md, "artifact `preview-dev.json`._\n") {
			t.Errorf("cap %d: the cut comment is not closed and noted:\n%s", tt.cap, md)
		}
	}
}

func TestCommentMarker(t *testing.T) {
	if got, want := CommentMarker("pachdeploy", "acme/prod"), "<!-- pachdeploy:preview project=pachdeploy stack=acme/prod -->"; got != want {
		t.Errorf("marker %q, want %q", got, want)
	}
}

// TestMarkdown_Unchanged: the one-line comment is for a preview with nothing for a
// reviewer; pending operations or an open finding make a full comment.
func TestMarkdown_Unchanged(t *testing.T) {
	open := &policy.Report{Rules: 1, Findings: []policy.Finding{{Rule: "PD-X", Severity: "high"}}}
	waived := &policy.Report{Rules: 1, Findings: []policy.Finding{{Rule: "PD-X", Severity: "high", Waived: "accepted"}}}
	tests := []struct {
		name string
		r    Report
		want bool
	}{
		{"only unchanged", Report{Totals: map[string]int{"same": 3}}, true},
		{"empty", Report{}, true},
		{"a waived finding", Report{Totals: map[string]int{"same": 3}, Policy: waived}, true},
		{"a change", Report{Changes: []Change{{Op: "update"}}, Totals: map[string]int{"update": 1}}, false},
		{"totals only", Report{Totals: map[string]int{"create": 1}}, false},
		{"pending operations", Report{PendingOperations: []PendingOperation{{Op: "creating"}}}, false},
		{"an open finding", Report{Totals: map[string]int{"same": 3}, Policy: open}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Unchanged(); got != tt.want {
				t.Errorf("Unchanged() = %v, want %v", got, tt.want)
			}
			tt.r.Stack = "dev"
			p := &PreviewResult{Report: tt.r}
			md := markdown(t, p)
			// One visible line; the marker and the fingerprint are hidden.
			oneLine := commentHead(p) + "No changes for stack `dev`.\n"
			if (md == oneLine) != tt.want {
				t.Errorf("comment:\n%s", md)
			}
		})
	}
}

// TestCollector_KeyDiffs: the collector keeps each changed key's old and new value as a
// report shows them.
func TestCollector_KeyDiffs(t *testing.T) {
	// JSON would escape the quote and the newline: the value is redacted before.
	const knownSecret = "LICENSE\"0123\n456789"
	tests := []struct {
		name     string
		old, cur map[string]any
		key      string
		diff     apitype.PropertyDiff
		outputs  map[string]any // the old state, for a diff against it
		want     KeyDiff
	}{
		{"a number", map[string]any{"n": 2.0}, map[string]any{"n": 3.0}, "n", apitype.PropertyDiff{InputDiff: true}, nil,
			KeyDiff{Key: "n", Old: "2", New: "3"}},
		{"a nested path", map[string]any{"a": map[string]any{"b": []any{"x", "y"}}}, map[string]any{"a": map[string]any{"b": []any{"x", "z"}}},
			"a.b[1]", apitype.PropertyDiff{InputDiff: true}, nil, KeyDiff{Key: "a.b[1]", Old: "y", New: "z"}},
		{"a quoted key", map[string]any{"tags": map[string]any{"app.kubernetes.io/name": "a"}}, map[string]any{"tags": map[string]any{"app.kubernetes.io/name": "b"}},
			`tags["app.kubernetes.io/name"]`, apitype.PropertyDiff{InputDiff: true}, nil, KeyDiff{Key: `tags["app.kubernetes.io/name"]`, Old: "a", New: "b"}},
		{"an added key", map[string]any{}, map[string]any{"k": "v"}, "k", apitype.PropertyDiff{Kind: apitype.DiffAdd, InputDiff: true}, nil,
			KeyDiff{Key: "k", New: "v"}},
		{"a removed key", map[string]any{"k": "v"}, map[string]any{}, "k", apitype.PropertyDiff{Kind: apitype.DiffDelete, InputDiff: true}, nil,
			KeyDiff{Key: "k", Old: "v"}},
		{"an empty string", map[string]any{"k": "v"}, map[string]any{"k": ""}, "k", apitype.PropertyDiff{InputDiff: true}, nil,
			KeyDiff{Key: "k", Old: "v", New: `""`}},
		{"a structure as compact JSON", map[string]any{"p": map[string]any{"a": "<b>", "s": secretValue("c")}}, map[string]any{"p": []any{1.0, true, nil}},
			"p", apitype.PropertyDiff{InputDiff: true}, nil, KeyDiff{Key: "p", Old: `{"a":"<b>","s":"[secret]"}`, New: "[1,true,null]"}},
		{"secrets both sides", map[string]any{"s": secretValue("v1:a")}, map[string]any{"s": secretValue("v1:b")}, "s", apitype.PropertyDiff{InputDiff: true}, nil,
			KeyDiff{Key: "s", Old: secretMark, New: secretMark}},
		{"a path into a secret", map[string]any{"values": secretValue("v1:a")}, map[string]any{"values": map[string]any{"x": "1"}}, "values.x",
			apitype.PropertyDiff{InputDiff: true}, nil, KeyDiff{Key: "values.x", Old: secretMark, New: "1"}},
		{"unknown until apply", map[string]any{"arn": "arn:1"}, map[string]any{"arn": sig.UnknownStringValue}, "arn", apitype.PropertyDiff{InputDiff: true}, nil,
			KeyDiff{Key: "arn", Old: "arn:1", New: unknownMark}},
		{"a known secret setting in a plain value", map[string]any{"v": "key=" + knownSecret}, map[string]any{"v": map[string]any{"k": knownSecret}}, "v",
			apitype.PropertyDiff{InputDiff: true}, nil, KeyDiff{Key: "v", Old: "key=[secret]", New: `{"k":"[secret]"}`}},
		{"a diff against the old state", map[string]any{"size": 2.0}, map[string]any{"size": 3.0}, "size", apitype.PropertyDiff{Kind: apitype.DiffUpdate},
			map[string]any{"size": 5.0}, KeyDiff{Key: "size", Old: "5", New: "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := apitype.StepEventMetadata{Op: apitype.OpUpdate, URN: urnOf("t:m:R", "r"), Type: "t:m:R",
				Old:          &apitype.StepEventStateMetadata{Inputs: tt.old, Outputs: tt.outputs},
				New:          &apitype.StepEventStateMetadata{Inputs: tt.cur},
				DetailedDiff: map[string]apitype.PropertyDiff{tt.key: tt.diff}}
			p := folded(t, redactor{knownSecret}, nil, m)
			if d := p.Changes[0].Diffs; len(d) != 1 || d[0] != tt.want {
				t.Errorf("diffs %+v, want [%+v]", d, tt.want)
			}
		})
	}
}

// TestMarkdown_Values: a value shows on one line, at most 80 characters, and a secret
// setting cut by the shortening shows none of its characters.
func TestMarkdown_Values(t *testing.T) {
	const knownSecret = "SUPERSECRETVALUE"
	long := strings.Repeat("a", 75) + knownSecret + strings.Repeat("b", 50)
	p := folded(t, redactor{knownSecret}, map[apitype.OpType]int{"update": 1},
		updateStep("t:m:R", "r", map[string]any{"k": long, "m": "line 1\nline `2`"}, map[string]any{"k": "short", "m": "x"}, nil, "k", "m"))
	md := markdown(t, p)
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "- `k`: ") {
			continue
		}
		old := strings.TrimSuffix(strings.TrimPrefix(line, "- `k`: `"), "` → `short`")
		if n := utf8.RuneCountInString(old); n != maxValueRunes || !strings.HasSuffix(old, "…") {
			t.Errorf("long value %q: %d characters, want %d ending in …", old, n, maxValueRunes)
		}
	}
	if strings.Contains(md, "SUPER") || strings.Contains(md, "SECRETVALUE") {
		t.Errorf("the comment shows part of a secret setting:\n%s", md)
	}
	if !strings.Contains(md, "- `m`: `line 1\\nline '2'` → `x`") {
		t.Errorf("a multi-line value is not on one line:\n%s", md)
	}
	var js bytes.Buffer
	if err := RenderJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	var back PreviewResult
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if d := back.Changes[0].Diffs; len(d) != 2 || d[0].Old != strings.Repeat("a", 75)+secretMark+strings.Repeat("b", 50) {
		t.Errorf("JSON diffs %+v, want the whole value, redacted", d)
	}
}
