package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]time.Duration
		wantErr bool
	}{
		{in: "", want: map[string]time.Duration{}},
		{in: "eks:index:Cluster=600ms,kubernetes:helm.sh/v3:Release=300ms", want: map[string]time.Duration{
			"eks:index:Cluster": 600 * time.Millisecond, "kubernetes:helm.sh/v3:Release": 300 * time.Millisecond}},
		{in: " aws:s3/bucketV2:BucketV2 = 2s ; random:index/randomId:RandomId=1m ,", want: map[string]time.Duration{
			"aws:s3/bucketV2:BucketV2": 2 * time.Second, "random:index/randomId:RandomId": time.Minute}},
		{in: "eks:index:Cluster", wantErr: true},
		{in: "eks:index:Cluster=soon", wantErr: true},
		{in: "=1s", wantErr: true},
		{in: "x=-1s", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseLatency(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseLatency(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseLatency(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseFail(t *testing.T) {
	tests := []struct {
		in      string
		want    map[failKey]string
		wantErr bool
	}{
		{in: "", want: map[failKey]string{}},
		{in: "kubernetes:helm.sh/v3:Release=create:release failed: timed out waiting for pods",
			want: map[failKey]string{{"kubernetes:helm.sh/v3:Release", "create"}: "release failed: timed out waiting for pods"}},
		{in: "kubernetes:helm.sh/v3:Release=create-partial:pods not ready, 0/1 up;aws:s3/bucketV2:BucketV2=delete:BucketNotEmpty",
			want: map[failKey]string{
				{"kubernetes:helm.sh/v3:Release", "create-partial"}: "pods not ready, 0/1 up",
				{"aws:s3/bucketV2:BucketV2", "delete"}:              "BucketNotEmpty"}},
		{in: "aws:iam/role:Role=update:", want: map[failKey]string{{"aws:iam/role:Role", "update"}: "injected update failure"}},
		{in: "aws:iam/role:Role=explode:boom", wantErr: true},
		{in: "aws:iam/role:Role", wantErr: true},
		{in: "aws:iam/role:Role=create", wantErr: true},
		{in: "=create:x", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseFail(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseFail(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseFail(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDelay(t *testing.T) {
	newB := func() *behavior {
		return &behavior{latency: map[string]time.Duration{"slow": time.Hour, "quick": 20 * time.Millisecond},
			canceled: make(chan struct{})}
	}
	t.Run("waits", func(t *testing.T) {
		start := time.Now()
		if err := newB().delay(context.Background(), "quick"); err != nil || time.Since(start) < 20*time.Millisecond {
			t.Errorf("err=%v after %v", err, time.Since(start))
		}
	})
	t.Run("other types do not wait", func(t *testing.T) {
		// With the context already ended, a wait would report it; no wait returns nil.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := newB().delay(ctx, "other"); err != nil {
			t.Errorf("a type without latency waited: %v", err)
		}
		if err := newB().delay(ctx, "quick"); err == nil {
			t.Error("a type with latency did not wait (the check above proves nothing)")
		}
	})
	t.Run("context cancellation", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if err := newB().delay(ctx, "slow"); err == nil {
			t.Error("delay survived a cancelled context")
		}
	})
	t.Run("Cancel RPC", func(t *testing.T) {
		b := newB()
		time.AfterFunc(20*time.Millisecond, b.cancel)
		if err := b.delay(context.Background(), "slow"); err == nil {
			t.Error("delay survived Cancel")
		}
		b.cancel() // idempotent
	})
}

func TestPinnedVersion(t *testing.T) {
	defer func(old string) { pinnedVersions = old }(pinnedVersions)
	pinnedVersions = "aws=6.83.4,eks=3.9.1,azure-native=2.81.0"
	for pkg, want := range map[string]string{"aws": "6.83.4", "azure-native": "2.81.0", "gcp": "0.0.0-dev"} {
		if got := pinnedVersion(pkg); got != want {
			t.Errorf("pinnedVersion(%s) = %s, want %s", pkg, got, want)
		}
	}
}

func TestFirstTimeIsOncePerStateDir(t *testing.T) {
	dir := t.TempDir()
	for _, b := range []*behavior{{stateDir: dir}, {}} {
		if !b.firstTime("aws:eks/cluster:Cluster", failDeleteOnce) {
			t.Fatal("first call must report the first time")
		}
		if b.firstTime("aws:eks/cluster:Cluster", failDeleteOnce) {
			t.Fatal("second call must not")
		}
		if !b.firstTime("aws:iam/role:Role", failDeleteOnce) {
			t.Fatal("another type is its own first time")
		}
	}
	// A new process (a later engine run) sharing the state directory remembers.
	if (&behavior{stateDir: dir}).firstTime("aws:eks/cluster:Cluster", failDeleteOnce) {
		t.Fatal("the marker must survive across processes")
	}
}

// standIn is a server playing aws with latency on one type and an operation log, as the
// engine would start it (no engine connection: Construct cannot build children).
func standIn(t *testing.T, latency map[string]time.Duration, fail map[failKey]string) (*server, string) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "ops.log")
	st, err := newStore("")
	if err != nil {
		t.Fatal(err)
	}
	beh := &behavior{latency: latency, fail: fail, logPath: logPath, canceled: make(chan struct{})}
	return &server{pkg: "aws", beh: beh, store: st, cfg: defaultConfig()}, logPath
}

// logged reads the operation log, checking that every line's start and end are RFC 3339
// stamps with start <= end.
func logged(t *testing.T, path string) []logLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []logLine
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l logLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		start, err1 := time.Parse(time.RFC3339Nano, l.Start)
		end, err2 := time.Parse(time.RFC3339Nano, l.End)
		if err1 != nil || err2 != nil || end.Before(start) {
			t.Fatalf("log line %q: start/end not RFC 3339 or end before start (%v, %v)", line, err1, err2)
		}
		if len(l.Start) != len("2006-01-02T15:04:05.000000000Z") || len(l.End) != len(l.Start) {
			t.Errorf("log line %q: want UTC stamps with nine fractional digits", line)
		}
		out = append(out, l)
	}
	return out
}

func ended(t *testing.T, l logLine) time.Time {
	t.Helper()
	end, err := time.Parse(time.RFC3339Nano, l.End)
	if err != nil {
		t.Fatalf("log line end %q: %v", l.End, err)
	}
	return end
}

func spent(t *testing.T, l logLine) time.Duration {
	t.Helper()
	start, _ := time.Parse(time.RFC3339Nano, l.Start)
	end, _ := time.Parse(time.RFC3339Nano, l.End)
	return end.Sub(start)
}

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := marshal(resource.NewPropertyMapFromMap(m))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLatencyOnlyWhereCloudsTakeTime: a type's latency delays create, update (outside
// preview), delete and read, and nothing else: Check, Diff, previews, Invoke and Construct
// answer at once. Each operation logs one line whose start and end bracket the delay.
func TestLatencyOnlyWhereCloudsTakeTime(t *testing.T) {
	const lat = 400 * time.Millisecond
	const bucketType = "aws:s3/bucketV2:BucketV2"
	const invokeTok = "aws:index/getCallerIdentity:getCallerIdentity"
	p, logPath := standIn(t, map[string]time.Duration{bucketType: lat, invokeTok: lat, "eks:index:Cluster": lat}, nil)
	ctx := context.Background()
	urn := string(resource.NewURN("dev", "proj", "", tokens.Type(bucketType), "data"))
	in := props(t, map[string]any{"bucket": "data-1234567", "forceDestroy": false})
	changed := props(t, map[string]any{"bucket": "data-1234567", "forceDestroy": true})
	var id string
	var outs *structpb.Struct

	steps := []struct {
		op      string
		preview bool
		slow    bool
		call    func() error
	}{
		{"check", false, false, func() error {
			_, err := p.Check(ctx, &pulumirpc.CheckRequest{Urn: urn, News: in, RandomSeed: []byte("seed")})
			return err
		}},
		{"create", true, false, func() error {
			_, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn, Properties: in, Preview: true})
			return err
		}},
		{"create", false, true, func() error {
			resp, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn, Properties: in})
			id, outs = resp.GetId(), resp.GetProperties()
			return err
		}},
		{"diff", false, false, func() error {
			_, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn, Id: id, Olds: outs, OldInputs: in, News: changed})
			return err
		}},
		{"update", true, false, func() error {
			_, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn, Id: id, Olds: outs, OldInputs: in, News: changed, Preview: true})
			return err
		}},
		{"update", false, true, func() error {
			_, err := p.Update(ctx, &pulumirpc.UpdateRequest{Urn: urn, Id: id, Olds: outs, OldInputs: in, News: changed})
			return err
		}},
		{"read", false, true, func() error {
			_, err := p.Read(ctx, &pulumirpc.ReadRequest{Urn: urn, Id: id, Properties: outs, Inputs: changed})
			return err
		}},
		{"invoke", false, false, func() error {
			_, err := p.Invoke(ctx, &pulumirpc.InvokeRequest{Tok: invokeTok, Args: props(t, nil)})
			return err
		}},
		{"delete", false, true, func() error {
			_, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn, Id: id, Properties: outs, OldInputs: changed})
			return err
		}},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.call(); err != nil {
			t.Fatalf("%s (preview %v): %v", s.op, s.preview, err)
		}
		took := time.Since(start)
		if s.slow && took < lat {
			t.Errorf("%s took %v, want the latency %v", s.op, took, lat)
		}
		if !s.slow && took >= lat/2 {
			t.Errorf("%s (preview %v) took %v: it must not wait for the latency", s.op, s.preview, took)
		}
	}

	// Construct of a component type with latency does not sleep either (here it fails at once
	// for want of an engine connection; with one, its children take their own latency).
	start := time.Now()
	_, err := p.Construct(ctx, &pulumirpc.ConstructRequest{Type: "eks:index:Cluster", Name: "eks", Stack: "dev", Project: "proj"})
	if err == nil || time.Since(start) >= lat/2 {
		t.Errorf("construct: err=%v after %v, want the missing engine reported at once", err, time.Since(start))
	}

	lines := logged(t, logPath)
	if len(lines) != len(steps)+1 {
		t.Fatalf("%d log lines for %d operations:\n%+v", len(lines), len(steps)+1, lines)
	}
	for i, s := range steps {
		l := lines[i]
		if l.Op != s.op || l.Preview != s.preview || l.Error != "" {
			t.Errorf("line %d = %+v, want op %s preview %v without error", i, l, s.op, s.preview)
		}
		if d := spent(t, l); s.slow && d < lat || !s.slow && d >= lat/2 {
			t.Errorf("line %d (%s, preview %v): end - start = %v, latency %v, slow %v", i, s.op, s.preview, d, lat, s.slow)
		}
		if i > 0 && lines[i].Start < lines[i-1].End {
			t.Errorf("line %d starts (%s) before the previous operation ended (%s)", i, l.Start, lines[i-1].End)
		}
	}
	if l := lines[2]; l.ID != id || l.URN != urn || l.Type != bucketType || l.Pkg != "aws" {
		t.Errorf("create line = %+v, want id %s, urn %s", l, id, urn)
	}
	if l := lines[len(steps)]; l.Op != "construct" || l.Error == "" {
		t.Errorf("construct line = %+v, want its failure", l)
	}
}

// TestFailedOperationsLogOneLine: an injected failure or a cancelled delay is the
// operation's one log line, with its error and the time it took.
func TestFailedOperationsLogOneLine(t *testing.T) {
	const typ = "aws:iam/role:Role"
	p, logPath := standIn(t, map[string]time.Duration{typ: time.Hour},
		map[failKey]string{{typ, failDelete}: "DeleteConflict: role has policies"})
	ctx := context.Background()
	urn := string(resource.NewURN("dev", "proj", "", tokens.Type(typ), "role"))

	cancelled := make(chan time.Time, 1)
	time.AfterFunc(50*time.Millisecond, func() {
		cancelled <- time.Now()
		p.Cancel(ctx, nil)
	})
	if _, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn, Properties: props(t, nil)}); err == nil {
		t.Fatal("a create cancelled during its latency succeeded")
	}
	// The Cancel ends every later delay at once; the injected failure still applies.
	if _, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn, Id: "role-1"}); err == nil {
		t.Fatal("delete succeeded")
	}
	p.beh = &behavior{fail: p.beh.fail, logPath: logPath, canceled: make(chan struct{})}
	if _, err := p.Delete(ctx, &pulumirpc.DeleteRequest{Urn: urn, Id: "role-1"}); err == nil ||
		!strings.Contains(err.Error(), "DeleteConflict") {
		t.Fatalf("delete: %v, want the injected failure", err)
	}

	lines := logged(t, logPath)
	if len(lines) != 3 {
		t.Fatalf("%d log lines for 3 operations:\n%+v", len(lines), lines)
	}
	// The create waited for the Cancel: its logged end is not before the Cancel was sent
	// (its start is logged after the timer was set, so its span may be a little under 50 ms).
	at := <-cancelled
	if l := lines[0]; l.Op != "create" || l.ID != "" || !strings.Contains(l.Error, "canceled") || ended(t, l).Before(at) {
		t.Errorf("cancelled create: %+v, want it to end at the Cancel (%s)", l, at.UTC().Format(time.RFC3339Nano))
	}
	if l := lines[1]; l.Op != "delete" || !strings.Contains(l.Error, "canceled") {
		t.Errorf("delete after Cancel: %+v", l)
	}
	if l := lines[2]; l.Op != "delete" || l.ID != "role-1" || l.Error != "DeleteConflict: role has policies" {
		t.Errorf("failed delete: %+v", l)
	}
}
