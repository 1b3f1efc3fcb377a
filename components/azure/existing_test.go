package azure

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func runExisting(calls mocktest.Calls, location string) error {
	return mocktest.RunCalls(calls, func(ctx *pulumi.Context) error {
		p, err := azurenative.NewProvider(ctx, "azure-native", &azurenative.ProviderArgs{Location: pulumi.String("westeurope")})
		if err != nil {
			return err
		}
		_, err = NewExistingCluster(ctx, "team", &ExistingClusterArgs{ResourceGroupName: "team-rg", Name: "team", Location: location},
			pulumi.Provider(p))
		return err
	})
}

func TestExistingCluster_AddsOnlyAStorageClass(t *testing.T) {
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns)}
	if err := runExisting(calls, "westeurope"); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{tManagedCluster, "azure-native:network:VirtualNetwork", "azure-native:resources:ResourceGroup"} {
		if n := len(calls.OfType(typ)); n != 0 {
			t.Errorf("%d %s made for an existing cluster", n, typ)
		}
	}
	mocktest.One(t, calls.Cloud, tStorageClass)
}

func TestExistingCluster_StorageGoesBesideTheCluster(t *testing.T) {
	calls := mocktest.Calls{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns)}
	err := runExisting(calls, "centralus")
	if err == nil || !strings.Contains(err.Error(), "set location: westeurope") {
		t.Fatalf("err = %v, want the cluster's location named", err)
	}
}
