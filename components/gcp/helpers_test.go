package gcp

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
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

// runCluster runs NewCluster with args.
func runCluster(t *testing.T, args *ClusterArgs) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewCluster(ctx, "gke", args)
		return err
	}, standIns)
}

// runStorage runs NewStorage with args.
func runStorage(t *testing.T, args *StorageArgs) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewStorage(ctx, "storage", args)
		return err
	}, standIns)
}

func TestNilArgsAreRefused(t *testing.T) {
	mocktest.NilArgsRefused(t, map[string]func(*pulumi.Context) error{
		"NewCluster": func(ctx *pulumi.Context) error { _, err := NewCluster(ctx, "gke", nil); return err },
		"NewStorage": func(ctx *pulumi.Context) error { _, err := NewStorage(ctx, "storage", nil); return err },
	})
}
