package azure

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mockcloud"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
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

// run runs program under a fresh mock cloud and fails the test on error.
func run(t *testing.T, program pulumi.RunFunc) *mockcloud.Cloud {
	t.Helper()
	cloud := mockcloud.New("pachdeploy", "test")
	if err := cloud.Run(program); err != nil {
		t.Fatalf("program failed: %v", err)
	}
	return cloud
}

func runCluster(t *testing.T, args *ClusterArgs) *mockcloud.Cloud {
	t.Helper()
	return run(t, func(ctx *pulumi.Context) error {
		_, err := NewCluster(ctx, "aks", args)
		return err
	})
}

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

// input returns the input at path with any secret unwrapped, and whether it is set.
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

// wantInputs checks each path's value; a nil want means the input must be unset.
func wantInputs(t *testing.T, r mockcloud.Resource, want map[string]any) {
	t.Helper()
	for path, w := range want {
		v, ok := input(t, r, path)
		switch {
		case w == nil && ok:
			t.Errorf("%s = %v, want unset", path, v)
		case w != nil && (!ok || v.V != w):
			t.Errorf("%s = %v, want %v", path, v, w)
		}
	}
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
