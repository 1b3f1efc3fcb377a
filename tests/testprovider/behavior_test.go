package main

import (
	"context"
	"reflect"
	"testing"
	"time"
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
		start := time.Now()
		if err := newB().delay(context.Background(), "other"); err != nil || time.Since(start) > 10*time.Millisecond {
			t.Errorf("err=%v after %v", err, time.Since(start))
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
