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

func validStorageArgs() *StorageArgs {
	return &StorageArgs{
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

func runStorage(t *testing.T, args *StorageArgs) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewStorage(ctx, "storage", args)
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
		"NewCluster": func(ctx *pulumi.Context) error { _, err := NewCluster(ctx, "aks", nil); return err },
		"NewStorage": func(ctx *pulumi.Context) error { _, err := NewStorage(ctx, "storage", nil); return err },
	})
}
