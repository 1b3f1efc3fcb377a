package gcp

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/policy"
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

// storageArgs are a bucket and its Workload Identity access.
type storageArgs struct {
	bucket   *BucketArgs
	identity *IdentityArgs
}

// validStorageArgs is a Workload Identity bucket.
func validStorageArgs() storageArgs {
	return storageArgs{
		bucket:   &BucketArgs{Name: "acme-pachyderm-data", Location: "US-CENTRAL1"},
		identity: &IdentityArgs{BucketName: "acme-pachyderm-data", WorkloadPool: pulumi.String("acme-data.svc.id.goog")},
	}
}

// newStorage runs NewBucket and NewIdentity (named storage) with args.
func newStorage(ctx *pulumi.Context, args storageArgs) (*Identity, error) {
	b, err := NewBucket(ctx, "storage", args.bucket)
	if err != nil {
		return nil, err
	}
	args.identity.DependsOn = b.Resources()
	return NewIdentity(ctx, "storage", args.identity)
}

// runCluster runs NewCluster with args.
func runCluster(t *testing.T, args *ClusterArgs) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewCluster(ctx, "gke", args)
		return err
	}, standIns)
}

// runStorage runs newStorage with args.
func runStorage(t *testing.T, args storageArgs) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := newStorage(ctx, args)
		return err
	}, standIns)
}

// asPolicy is what the policy rules see of cloud's resources: their inputs as plain
// values, as the offline plan hands them over.
func asPolicy(cloud *offline.Cloud) policy.Resources {
	var rs policy.Resources
	for _, r := range cloud.Resources() {
		in, _ := mocktest.Plain(resource.NewObjectProperty(r.Inputs)).(map[string]any)
		rs = append(rs, policy.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: in})
	}
	return rs
}

func TestNilArgsAreRefused(t *testing.T) {
	mocktest.NilArgsRefused(t, map[string]func(*pulumi.Context) error{
		"NewCluster":  func(ctx *pulumi.Context) error { _, err := NewCluster(ctx, "gke", nil); return err },
		"NewNetwork":  func(ctx *pulumi.Context) error { _, err := NewNetwork(ctx, "net", nil); return err },
		"NewBucket":   func(ctx *pulumi.Context) error { _, err := NewBucket(ctx, "storage", nil); return err },
		"NewIdentity": func(ctx *pulumi.Context) error { _, err := NewIdentity(ctx, "storage", nil); return err },
		"NewDatabase": func(ctx *pulumi.Context) error { _, err := NewDatabase(ctx, "db", nil); return err },
	})
}

// wantInputs checks r's inputs at each dotted path: want nil means unset.
func wantInputs(t *testing.T, r offline.Resource, want map[string]any) {
	t.Helper()
	for path, want := range want {
		v, ok := mocktest.Input(t, r, path)
		switch {
		case want == nil && ok:
			t.Errorf("%s = %v, want unset", path, v)
		case want != nil && (!ok || v.V != want):
			t.Errorf("%s = %v, want %v", path, v, want)
		}
	}
}
