package gcp

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mockcloud"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource types the tests look at.
const (
	tCluster       = "gcp:container/cluster:Cluster"
	tNodePool      = "gcp:container/nodePool:NodePool"
	tAccount       = "gcp:serviceaccount/account:Account"
	tAccountMember = "gcp:serviceaccount/iAMMember:IAMMember"
	tProjectMember = "gcp:projects/iAMMember:IAMMember"
	tBucket        = "gcp:storage/bucket:Bucket"
	tBucketMember  = "gcp:storage/bucketIAMMember:BucketIAMMember"
	tKey           = "gcp:serviceaccount/key:Key"
	tK8sProvider   = "pulumi:providers:kubernetes"
)

// validClusterArgs is a regional cluster in an explicit project.
func validClusterArgs() *ClusterArgs {
	return &ClusterArgs{Project: "acme-data", Region: "us-central1", Name: "pachdeploy-dev"}
}

// validStorageArgs is a Workload Identity bucket.
func validStorageArgs() *StorageArgs {
	return &StorageArgs{
		BucketName:   "acme-pachyderm-data",
		Location:     "US-CENTRAL1",
		WorkloadPool: pulumi.String("acme-data.svc.id.goog"),
	}
}

// run runs program under a fresh mock cloud and fails the test on error.
func run(t *testing.T, program pulumi.RunFunc) *mockcloud.Cloud {
	t.Helper()
	cloud := mockcloud.New("pachdeploy", "test")
	if err := cloud.Run(program); err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return cloud
}

// runCluster runs NewCluster with args.
func runCluster(t *testing.T, args *ClusterArgs) *mockcloud.Cloud {
	t.Helper()
	return run(t, func(ctx *pulumi.Context) error {
		_, err := NewCluster(ctx, "gke", args)
		return err
	})
}

// runStorage runs NewStorage with args.
func runStorage(t *testing.T, args *StorageArgs) *mockcloud.Cloud {
	t.Helper()
	return run(t, func(ctx *pulumi.Context) error {
		_, err := NewStorage(ctx, "storage", args)
		return err
	})
}

// only returns the one resource of type typ.
func only(t *testing.T, cloud *mockcloud.Cloud, typ string) mockcloud.Resource {
	t.Helper()
	rs := cloud.OfType(typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(rs))
	}
	return rs[0]
}

// input returns the input at path (like "nodeConfig.serviceAccount") with any secret
// unwrapped, and whether it is set.
func input(t *testing.T, r mockcloud.Resource, path string) (resource.PropertyValue, bool) {
	t.Helper()
	p, err := resource.ParsePropertyPath(path)
	if err != nil {
		t.Fatalf("bad path %q: %v", path, err)
	}
	v, ok := p.Get(resource.NewObjectProperty(r.Inputs))
	if ok && v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v, ok && !v.IsNull()
}

// str returns the string input at path, failing when it is not a set string.
func str(t *testing.T, r mockcloud.Resource, path string) string {
	t.Helper()
	v, ok := input(t, r, path)
	if !ok || !v.IsString() {
		t.Fatalf("%s %s: %s is %v, want a string", r.Type, r.Name, path, v)
	}
	return v.StringValue()
}

// flag returns the bool input at path; unset is false.
func flag(t *testing.T, r mockcloud.Resource, path string) bool {
	t.Helper()
	v, ok := input(t, r, path)
	return ok && v.IsBool() && v.BoolValue()
}

// dependsOn reports whether r waits for the resource with URN urn.
func dependsOn(r mockcloud.Resource, urn string) bool {
	for _, d := range r.DependsOn {
		if d == urn {
			return true
		}
	}
	return false
}

// usesProvider reports whether r was registered with provider p.
func usesProvider(r mockcloud.Resource, p mockcloud.Resource) bool {
	return strings.HasPrefix(r.Provider, p.URN+"::")
}

// wantProblems checks that err is a validation error naming every field.
func wantProblems(t *testing.T, err error, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error naming %v, got none", fields)
	}
	for _, f := range fields {
		if !strings.Contains(err.Error(), "  - "+f+" = ") {
			t.Errorf("error does not name %s:\n%v", f, err)
		}
	}
	if got := strings.Count(err.Error(), "\n  - "); got != len(fields) {
		t.Errorf("want %d problems, got %d:\n%v", len(fields), got, err)
	}
}
