package azure

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource types the tests look at.
const (
	tManagedCluster = "azure-native:containerservice:ManagedCluster"
	tAccount        = "azure-native:storage:StorageAccount"
	tContainer      = "azure-native:storage:BlobContainer"
	tK8sProvider    = "pulumi:providers:kubernetes"
	tStorageClass   = "kubernetes:storage.k8s.io/v1:StorageClass"
)

func validClusterArgs() *ClusterArgs {
	return &ClusterArgs{ResourceGroupName: pulumi.String("pachdeploy-dev"), Location: "centralus", Name: "pachdeploy-dev"}
}

func validBucketArgs() *BucketArgs {
	return &BucketArgs{
		ResourceGroupName: pulumi.String("pachdeploy-dev"), Location: "centralus",
		AccountName: "pachdev0a1b2c", ContainerName: "pachyderm",
	}
}

func runCluster(t *testing.T, args *ClusterArgs) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewCluster(ctx, "aks", args)
		return err
	}, standIns)
}

func runBucket(t *testing.T, args *BucketArgs) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewBucket(ctx, "storage", args)
		return err
	}, standIns)
}

// wantInputs checks each path's value; a nil want means the input must be unset.
func wantInputs(t *testing.T, r offline.Resource, want map[string]any) {
	t.Helper()
	for path, w := range want {
		v, ok := mocktest.Input(t, r, path)
		switch {
		case w == nil && ok:
			t.Errorf("%s = %v, want unset", path, v)
		case w != nil && (!ok || v.V != w):
			t.Errorf("%s = %v, want %v", path, v, w)
		}
	}
}

func TestNilArgsAreRefused(t *testing.T) {
	mocktest.NilArgsRefused(t, map[string]func(*pulumi.Context) error{
		"NewCluster":  func(ctx *pulumi.Context) error { _, err := NewCluster(ctx, "aks", nil); return err },
		"NewBucket":   func(ctx *pulumi.Context) error { _, err := NewBucket(ctx, "storage", nil); return err },
		"NewIdentity": func(ctx *pulumi.Context) error { _, err := NewIdentity(ctx, "identity", nil); return err },
		"NewNetwork":  func(ctx *pulumi.Context) error { _, err := NewNetwork(ctx, "net", nil); return err },
		"NewDatabase": func(ctx *pulumi.Context) error { _, err := NewDatabase(ctx, "pg", nil); return err },
	})
}
