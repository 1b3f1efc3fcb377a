package main

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func pm(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func TestDiffInputs(t *testing.T) {
	unknown := resource.MakeComputed(resource.NewStringProperty(""))
	tests := []struct {
		name       string
		typ        string
		olds, news map[string]any
		changed    []string
		replaces   []string
		kinds      map[string]pulumirpc.PropertyDiff_Kind
	}{
		{name: "no change", typ: "aws:s3/bucketV2:BucketV2",
			olds: map[string]any{"bucket": "b", "tags": map[string]any{"a": "1"}},
			news: map[string]any{"bucket": "b", "tags": map[string]any{"a": "1"}}},
		{name: "mutable key updates in place", typ: "aws:s3/bucketV2:BucketV2",
			olds:    map[string]any{"bucket": "b", "tags": map[string]any{"a": "1"}},
			news:    map[string]any{"bucket": "b", "tags": map[string]any{"a": "2"}},
			changed: []string{"tags"}, kinds: map[string]pulumirpc.PropertyDiff_Kind{"tags": pulumirpc.PropertyDiff_UPDATE}},
		{name: "immutable key replaces", typ: "aws:s3/bucketV2:BucketV2",
			olds:    map[string]any{"bucket": "b1", "forceDestroy": true},
			news:    map[string]any{"bucket": "b2", "forceDestroy": false},
			changed: []string{"bucket", "forceDestroy"}, replaces: []string{"bucket"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"bucket": pulumirpc.PropertyDiff_UPDATE_REPLACE, "forceDestroy": pulumirpc.PropertyDiff_UPDATE}},
		{name: "added and removed keys", typ: "aws:iam/role:Role",
			olds:    map[string]any{"name": "r", "description": "d"},
			news:    map[string]any{"name": "r", "maxSessionDuration": 3600},
			changed: []string{"description", "maxSessionDuration"},
			kinds:   map[string]pulumirpc.PropertyDiff_Kind{"description": pulumirpc.PropertyDiff_DELETE, "maxSessionDuration": pulumirpc.PropertyDiff_ADD}},
		{name: "immutable key added replaces", typ: "aws:iam/role:Role",
			olds: map[string]any{}, news: map[string]any{"path": "/x/"},
			changed: []string{"path"}, replaces: []string{"path"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"path": pulumirpc.PropertyDiff_ADD_REPLACE}},
		{name: "null equals absent", typ: "aws:iam/role:Role",
			olds: map[string]any{"name": "r"}, news: map[string]any{"name": "r", "description": nil}},
		{name: "secret wrapper alone is no change", typ: "random:index/randomPassword:RandomPassword",
			olds: map[string]any{"length": 16, "keepers": map[string]any{"k": "v"}},
			news: map[string]any{"length": secret(16), "keepers": map[string]any{"k": secret("v")}}},
		{name: "secret value change is seen", typ: "kubernetes:core/v1:Secret",
			olds:    map[string]any{"stringData": map[string]any{"pw": secret("a")}},
			news:    map[string]any{"stringData": map[string]any{"pw": secret("b")}},
			changed: []string{"stringData"}, kinds: map[string]pulumirpc.PropertyDiff_Kind{"stringData": pulumirpc.PropertyDiff_UPDATE}},
		{name: "random replaces on any key", typ: "random:index/randomPassword:RandomPassword",
			olds: map[string]any{"length": 16}, news: map[string]any{"length": 16, "special": false},
			changed: []string{"special"}, replaces: []string{"special"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"special": pulumirpc.PropertyDiff_ADD_REPLACE}},
		{name: "kubernetes rename replaces", typ: "kubernetes:core/v1:Namespace",
			olds:    map[string]any{"metadata": map[string]any{"name": "a"}},
			news:    map[string]any{"metadata": map[string]any{"name": "b"}},
			changed: []string{"metadata"}, replaces: []string{"metadata"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"metadata": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{name: "kubernetes label change updates", typ: "kubernetes:core/v1:Namespace",
			olds:    map[string]any{"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": "1"}}},
			news:    map[string]any{"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": "2"}}},
			changed: []string{"metadata"}, kinds: map[string]pulumirpc.PropertyDiff_Kind{"metadata": pulumirpc.PropertyDiff_UPDATE}},
		{name: "helm values update, name replaces", typ: "kubernetes:helm.sh/v3:Release",
			olds:    map[string]any{"name": "pachyderm", "values": map[string]any{"a": 1}},
			news:    map[string]any{"name": "pachd", "values": map[string]any{"a": 2}},
			changed: []string{"name", "values"}, replaces: []string{"name"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"name": pulumirpc.PropertyDiff_UPDATE_REPLACE, "values": pulumirpc.PropertyDiff_UPDATE}},
		{name: "package-wide key (gcp project)", typ: "gcp:storage/bucket:Bucket",
			olds: map[string]any{"name": "b", "project": "p1"}, news: map[string]any{"name": "b", "project": "p2"},
			changed: []string{"project"}, replaces: []string{"project"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"project": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{name: "azure location replaces", typ: "azure-native:storage:StorageAccount",
			olds:    map[string]any{"accountName": "a", "location": "eastus", "tags": map[string]any{}},
			news:    map[string]any{"accountName": "a", "location": "westus", "tags": map[string]any{}},
			changed: []string{"location"}, replaces: []string{"location"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"location": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{name: "unknown new value is a change", typ: "aws:eks/cluster:Cluster",
			olds: map[string]any{"name": "c"}, news: map[string]any{"name": unknown},
			changed: []string{"name"}, replaces: []string{"name"},
			kinds: map[string]pulumirpc.PropertyDiff_Kind{"name": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{name: "unknown type updates, never replaces", typ: "aws:sqs/queue:Queue",
			olds: map[string]any{"name": "q"}, news: map[string]any{"name": "q2"},
			changed: []string{"name"}, kinds: map[string]pulumirpc.PropertyDiff_Kind{"name": pulumirpc.PropertyDiff_UPDATE}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diffInputs(tt.typ, pm(tt.olds), pm(tt.news))
			if !reflect.DeepEqual(got.Changed, tt.changed) {
				t.Errorf("changed = %v, want %v", got.Changed, tt.changed)
			}
			if !reflect.DeepEqual(got.Replaces, tt.replaces) {
				t.Errorf("replaces = %v, want %v", got.Replaces, tt.replaces)
			}
			if len(got.Detailed) != len(tt.kinds) {
				t.Errorf("detailed diff has %d keys, want %d", len(got.Detailed), len(tt.kinds))
			}
			for k, want := range tt.kinds {
				if d, ok := got.Detailed[k]; !ok || d.Kind != want {
					t.Errorf("detailed[%s] = %v, want %v", k, d, want)
				}
			}
			resp := got.response()
			wantChanges := pulumirpc.DiffResponse_DIFF_NONE
			if len(tt.changed) > 0 {
				wantChanges = pulumirpc.DiffResponse_DIFF_SOME
			}
			if resp.Changes != wantChanges || !resp.HasDetailedDiff {
				t.Errorf("response changes = %v (detailed %v), want %v", resp.Changes, resp.HasDetailedDiff, wantChanges)
			}
		})
	}
}
