package automation

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
)

// recorded reads an engine event stream, one JSON event a line.
func recorded(t *testing.T, name string) []apitype.EngineEvent {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []apitype.EngineEvent
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e apitype.EngineEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// recordedDataBearing is what the recorded events' program holds data in.
var recordedDataBearing = Program{DataBearing: map[string]string{
	bucketType:          "S3 bucket with Pachyderm's data",
	"eks:index:Cluster": "EKS cluster running Pachyderm and its metadata database",
}}

// recordedPreview folds testdata/preview-events.jsonl into a preview result.
func recordedPreview(t *testing.T) *PreviewResult {
	t.Helper()
	p := &PreviewResult{Report: Report{Stack: "dev", Operation: "preview", Changes: []Change{}}}
	c := newCollector(&p.Report, nil, nil, false)
	c.dataAtRisk = recordedDataBearing.dataAtRisk
	for _, e := range recorded(t, "preview-events.jsonl") {
		c.handle(e)
	}
	return p
}

func TestCollector_PreviewFromRecordedEvents(t *testing.T) {
	p := recordedPreview(t)
	ops := map[string]string{}
	for _, c := range p.Changes {
		ops[c.Name] = c.Op
	}
	want := map[string]string{"pachd": "create", "pachyderm": "update", "cluster": "replace", "old|data": "delete"}
	if len(ops) != len(want) {
		t.Errorf("changes %v, want %v", ops, want)
	}
	for name, op := range want {
		if ops[name] != op {
			t.Errorf("%s: op %q, want %q", name, ops[name], op)
		}
	}
	if v := p.ChartVersion; v == nil || v.Old != "2.11.5" || v.New != "2.11.6" {
		t.Errorf("chart version %+v, want 2.11.5 -> 2.11.6", v)
	}
	loss := p.DataLoss()
	if len(loss) != 2 || loss[0].Name != "cluster" || loss[1].Name != "old|data" {
		t.Errorf("data loss %+v, want the replaced cluster and the deleted bucket", loss)
	}
	if p.Totals["create"] != 1 || p.Totals["same"] != 2 {
		t.Errorf("totals %v, want the summary event's", p.Totals)
	}
	if len(p.Warnings) != 1 || p.Warnings[0] != "pachd: warning: role name is long" {
		t.Errorf("warnings %q, want the role warning without color tags", p.Warnings)
	}
}

func TestRender_Golden(t *testing.T) {
	p := recordedPreview(t)
	var md, js bytes.Buffer
	if err := RenderMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if err := RenderJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	golden(t, "preview.md.golden", md.String())
	golden(t, "preview.json.golden", js.String())
	// A create lists no inputs: only changed keys carry values.
	for _, out := range []string{md.String(), js.String()} {
		if strings.Contains(out, "PLAINVALUE") {
			t.Errorf("rendered preview shows a created resource's input:\n%s", out)
		}
	}
}

func TestCollector_ProgressLines(t *testing.T) {
	var out bytes.Buffer
	rep := &Report{}
	c := newCollector(rep, &out, redactor{"s3cr3t"}, true)
	clock := time.Unix(0, 0)
	c.now = func() time.Time { return clock }
	urn := "urn:pulumi:dev::pachdeploy::aws:s3/bucketV2:BucketV2::data"
	meta := apitype.StepEventMetadata{Op: "create", URN: urn, Type: "aws:s3/bucketV2:BucketV2"}
	c.handle(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta}})
	clock = clock.Add(2500 * time.Millisecond)
	c.handle(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: meta}})
	c.handle(apitype.EngineEvent{DiagnosticEvent: &apitype.DiagnosticEvent{URN: urn, Message: "denied for s3cr3t", Severity: "error"}})
	want := "creating   aws:s3/bucketV2:BucketV2 \"data\"\ncreated    aws:s3/bucketV2:BucketV2 \"data\" (2.5s)\n"
	if out.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", out.String(), want)
	}
	if len(c.errors) != 1 || c.errors[0] != "data: denied for [secret]" {
		t.Errorf("errors %q, want the diagnostic redacted", c.errors)
	}
	if rep.Changes[0].Elapsed != 2500*time.Millisecond {
		t.Errorf("elapsed %v, want 2.5s", rep.Changes[0].Elapsed)
	}
}

func TestCollector_RefreshDrift(t *testing.T) {
	rep := &Report{}
	c := newCollector(rep, nil, nil, true)
	state := func(id string, outputs map[string]any) *apitype.StepEventStateMetadata {
		return &apitype.StepEventStateMetadata{ID: id, Custom: true, Outputs: outputs}
	}
	// As the engine sends a refresh: a refresh pre event, then the outputs event with
	// the step's result as its op.
	for _, m := range []apitype.StepEventMetadata{
		{Op: "same", URN: "urn:a::same", Old: state("1", map[string]any{"x": 1.0}), New: state("1", map[string]any{"x": 1.0})},
		{Op: "same", URN: "urn:a::drifted", Old: state("2", map[string]any{"tags": "a", "x": 1.0}), New: state("2", map[string]any{"tags": "b", "x": 1.0})},
		{Op: "delete", URN: "urn:a::gone", Old: state("3", nil), New: nil},
	} {
		pre := m
		pre.Op = apitype.OpRefresh
		c.handle(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: pre}})
		c.handle(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: m}})
	}
	// A component's outputs in a refresh are not drift: it is never read.
	c.handle(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
		Op: "same", URN: "urn:a::component", Old: &apitype.StepEventStateMetadata{}, New: &apitype.StepEventStateMetadata{}}}})
	if len(rep.Changes) != 2 {
		t.Fatalf("drift %+v, want 2 resources", rep.Changes)
	}
	if c := rep.Changes[0]; c.Name != "drifted" || c.Op != "update" || len(c.Keys) != 1 || c.Keys[0] != "tags" {
		t.Errorf("drifted: %+v", c)
	}
	if d := rep.Changes[0].Diffs; len(d) != 1 || d[0] != (KeyDiff{Key: "tags", Old: "a", New: "b"}) {
		t.Errorf("drifted values %+v, want tags a -> b", d)
	}
	if c := rep.Changes[1]; c.Name != "gone" || c.Op != "delete" {
		t.Errorf("gone: %+v", c)
	}
}

// TestCollector_DestroyKeepingTheBucket: a destroy that keeps the bucket (retainOnDelete)
// reports it as retained, with no data-at-risk warning and no chart version "change".
func TestCollector_DestroyKeepingTheBucket(t *testing.T) {
	var out bytes.Buffer
	rep := &Report{}
	c := newCollector(rep, &out, nil, true)
	c.dataAtRisk = recordedDataBearing.dataAtRisk
	bucket := apitype.StepEventMetadata{Op: "delete", URN: "urn:pulumi:dev::pachdeploy::aws:s3/bucketV2:BucketV2::data",
		Type: "aws:s3/bucketV2:BucketV2", Old: &apitype.StepEventStateMetadata{RetainOnDelete: true}}
	cluster := apitype.StepEventMetadata{Op: "delete", URN: "urn:pulumi:dev::pachdeploy::eks:index:Cluster::eks",
		Type: "eks:index:Cluster", Old: &apitype.StepEventStateMetadata{}}
	release := apitype.StepEventMetadata{Op: "delete", URN: "urn:pulumi:dev::pachdeploy::" + releaseType + "::pachyderm",
		Type: releaseType, Old: &apitype.StepEventStateMetadata{Inputs: map[string]any{"version": "2.11.6"}}}
	for _, m := range []apitype.StepEventMetadata{bucket, cluster, release} {
		c.handle(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: m}})
		c.handle(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: m}})
	}
	if ch := rep.Changes[0]; ch.Op != "retain" || ch.DataAtRisk != "" {
		t.Errorf("kept bucket: %+v, want op retain and no data at risk", ch)
	}
	if loss := rep.DataLoss(); len(loss) != 1 || loss[0].Name != "eks" {
		t.Errorf("data loss %+v, want only the cluster", loss)
	}
	if rep.ChartVersion != nil {
		t.Errorf("chart version %+v on destroy, want none", rep.ChartVersion)
	}
	if !strings.Contains(out.String(), `released (kept in the cloud) aws:s3/bucketV2:BucketV2 "data"`) {
		t.Errorf("progress:\n%s", out.String())
	}
}

// TestCollector_DesiredResourcesForThePolicyCheck: what the program asks for (created,
// updated or unchanged) is kept with its new inputs; what it deletes is not.
func TestCollector_DesiredResourcesForThePolicyCheck(t *testing.T) {
	rep := &Report{}
	c := newCollector(rep, nil, nil, false)
	for _, m := range []apitype.StepEventMetadata{
		{Op: apitype.OpCreate, URN: "urn:pulumi:dev::p::t:m:A::a", Type: "t:m:A", New: &apitype.StepEventStateMetadata{Inputs: map[string]any{"k": "v"}}},
		{Op: apitype.OpSame, URN: "urn:pulumi:dev::p::t:m:B::b", Type: "t:m:B", New: &apitype.StepEventStateMetadata{Inputs: map[string]any{}}},
		{Op: apitype.OpDelete, URN: "urn:pulumi:dev::p::t:m:C::c", Type: "t:m:C", Old: &apitype.StepEventStateMetadata{}},
	} {
		c.handle(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: m}})
	}
	if len(rep.desired) != 2 || rep.desired[0].Inputs["k"] != "v" || rep.desired[1].Name != "b" {
		t.Errorf("desired = %+v, want a and b with their inputs", rep.desired)
	}
}

// TestCollector_SecretInputsReachThePolicyCheckAsSecrets: the engine's step events
// carry a secret input as an object tagged with the secret signature; the policy check
// must see "[secret]" there (as in the offline plan), not an object of plain values a
// secret rule would report as plaintext.
func TestCollector_SecretInputsReachThePolicyCheckAsSecrets(t *testing.T) {
	rep := &Report{Changes: []Change{}}
	c := newCollector(rep, nil, nil, false)
	secret := map[string]any{sig.Key: sig.Secret, "ciphertext": "v1:abc"}
	c.handle(apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: apitype.StepEventMetadata{
		Op: apitype.OpCreate, URN: "urn:pulumi:dev::p::kubernetes:helm.sh/v3:Release::pachyderm", Type: "kubernetes:helm.sh/v3:Release",
		New: &apitype.StepEventStateMetadata{Inputs: map[string]any{"values": map[string]any{
			"pachd": map[string]any{"storage": map[string]any{"microsoft": map[string]any{"secret": secret, "id": "account"}}},
			"hosts": []any{secret, "plain"},
		}}},
	}}})
	if len(rep.desired) != 1 {
		t.Fatalf("desired %+v, want the release", rep.desired)
	}
	values, _ := rep.desired[0].Inputs["values"].(map[string]any)
	if got := policy.PlaintextSecrets(values); len(got) != 0 {
		t.Errorf("plaintext secrets reported in %v: %v", values, got)
	}
	if got := policy.String(rep.desired[0].Inputs, "values.pachd.storage.microsoft.secret"); got != secretMark {
		t.Errorf("secret input reads %q, want %q", got, secretMark)
	}
	if got := policy.String(rep.desired[0].Inputs, "values.pachd.storage.microsoft.id"); got != "account" {
		t.Errorf("plain input reads %q, want it unchanged", got)
	}
	if hosts, _ := values["hosts"].([]any); len(hosts) != 2 || hosts[0] != secretMark || hosts[1] != "plain" {
		t.Errorf("list of inputs %v, want [%s plain]", values["hosts"], secretMark)
	}
}
