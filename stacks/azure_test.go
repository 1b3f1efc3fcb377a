package stacks_test

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/components/azure"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestAzure_ReleaseTargetsTheContainerWithPremiumVolumes(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "azure"})
	for path, want := range map[string]string{
		"deployTarget":                                 "MICROSOFT",
		"pachd.storage.storageURL":                     "azblob://pachyderm",
		"pachd.storage.microsoft.container":            "pachyderm",
		"pachd.storage.microsoft.id":                   d.cfg.Azure.StorageAccountName,
		"etcd.storageClass":                            "pachyderm-premium",
		"postgresql.persistence.storageClass":          "pachyderm-premium",
		"loki-stack.loki.persistence.storageClassName": "pachyderm-premium",
	} {
		if got := d.releaseString(t, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if !d.kubeconfigSecret {
		t.Error("the kubeconfig stack output is not secret")
	}
}

func TestAzure_StorageKeyReachesTheChartOnlyAsSecret(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "azure"})
	key, secret := d.releaseValue(t, "pachd.storage.microsoft.secret")
	if !secret || key.StringValue() != azure.StandInStorageKey {
		t.Errorf("pachd.storage.microsoft.secret = %v (secret %v), want the account key as a secret", key, secret)
	}
	for _, r := range d.cloud.Resources() {
		if path, found := mocktest.Plaintext(resource.NewObjectProperty(r.Inputs), azure.StandInStorageKey); found {
			t.Errorf("%s %s holds the storage key in plain text at %s", r.Type, r.Name, path)
		}
	}
}

func TestAzure_DataKeptOnDestroyUnlessDeleteDataOnDestroy(t *testing.T) {
	types := []string{
		"azure-native:resources:ResourceGroup", // deleting the group deletes the account in it
		"azure-native:storage:StorageAccount",
		"azure-native:storage:BlobContainer",
	}
	for _, deleteData := range []string{"false", "true"} {
		t.Run("deleteDataOnDestroy="+deleteData, func(t *testing.T) {
			d := deployUnderMockCloud(t, map[string]string{"cloud": "azure", "deleteDataOnDestroy": deleteData})
			for _, typ := range types {
				rs := d.cloud.OfType(typ)
				if len(rs) != 1 || rs[0].RetainOnDelete != (deleteData == "false") {
					t.Errorf("%s: %d recorded, want one with retainOnDelete %v", typ, len(rs), deleteData == "false")
				}
			}
		})
	}
}

func TestAzure_ExplicitProvidersEverywhere(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "azure", "location": "westeurope"})
	d.checkProviders(t, "azure-native", "azure-native:containerservice:ManagedCluster")
	provider := d.cloud.OfType("pulumi:providers:azure-native")[0]
	if got := provider.Inputs["location"]; !got.IsString() || got.StringValue() != "westeurope" {
		t.Errorf("azure-native provider location = %v, want westeurope", got)
	}
	for _, typ := range []string{"azure-native:containerservice:ManagedCluster", "azure-native:storage:StorageAccount"} {
		r := d.cloud.OfType(typ)[0]
		if got := r.Inputs["resourceGroupName"].StringValue(); got != d.cfg.Azure.ResourceGroupName {
			t.Errorf("%s resource group = %q, want %q", typ, got, d.cfg.Azure.ResourceGroupName)
		}
	}
}

// TestAzure_NetworkOwnExistingOrAKSManaged: by default the nodes join a VNet of their
// own; an existing subnet id is used as given (and no VNet made); aks-managed leaves
// the VNet to AKS, as stacks made before pachdeploy brought its own have.
func TestAzure_NetworkOwnExistingOrAKSManaged(t *testing.T) {
	const existing = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/shared/subnets/aks"
	for _, tt := range []struct {
		setting    string
		vnets      int
		wantSubnet func(d deployedStack) (string, bool)
	}{
		{"", 1, func(d deployedStack) (string, bool) {
			return mocktest.One(t, d.cloud, "azure-native:network:Subnet").ID, true
		}},
		{existing, 0, func(deployedStack) (string, bool) { return existing, true }},
		{"aks-managed", 0, func(deployedStack) (string, bool) { return "", false }},
	} {
		t.Run("nodeSubnetId="+tt.setting, func(t *testing.T) {
			raw := map[string]string{"cloud": "azure"}
			if tt.setting != "" {
				raw["nodeSubnetId"] = tt.setting
			}
			d := deployUnderMockCloud(t, raw)
			if n := len(d.cloud.OfType("azure-native:network:VirtualNetwork")); n != tt.vnets {
				t.Errorf("%d VNets, want %d", n, tt.vnets)
			}
			aks := mocktest.One(t, d.cloud, "azure-native:containerservice:ManagedCluster")
			got, set := mocktest.Input(t, aks, "agentPoolProfiles[0].vnetSubnetID")
			want, wantSet := tt.wantSubnet(d)
			if set != wantSet || (set && got.StringValue() != want) {
				t.Errorf("node subnet %v (set %v), want %q (set %v)", got, set, want, wantSet)
			}
			if roles := len(d.cloud.OfType("azure-native:authorization:RoleAssignment")); (roles == 1) != wantSet {
				t.Errorf("%d subnet role assignments, want one exactly when the nodes join a subnet", roles)
			}
		})
	}
}
