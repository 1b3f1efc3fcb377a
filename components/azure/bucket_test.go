package azure

import (
	"fmt"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestStorageAccount_CKV_AZURE_3_44_CKV2_AZURE_47_Hardening(t *testing.T) {
	account := mocktest.One(t, runBucket(t, validBucketArgs()), tAccount)
	tests := []struct {
		rule, path string
		want       any
	}{
		{"CKV_AZURE_3 HTTPS only", "enableHttpsTrafficOnly", true},
		{"CKV_AZURE_44 TLS 1.2", "minimumTlsVersion", "TLS1_2"},
		{"CKV2_AZURE_47 no anonymous blob access", "allowBlobPublicAccess", false},
		{"Pachyderm docs: block blob storage", "kind", "BlockBlobStorage"},
		{"Pachyderm docs: premium LRS", "sku.name", "Premium_LRS"},
		{"the chart signs with the account key", "allowSharedKeyAccess", true},
		{"account name", "accountName", "pachdev0a1b2c"},
		{"resource group", "resourceGroupName", "pachdeploy-dev"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			wantInputs(t, account, map[string]any{tt.path: tt.want})
		})
	}
}

// TestStorageAccount_CKV_AZURE_35_36_NetworkRules: with a subnet the account denies
// every other network and lets trusted Azure services through; without one it stays
// open (PD-AZURE-STORAGE-NETWORK reports it).
func TestStorageAccount_CKV_AZURE_35_36_NetworkRules(t *testing.T) {
	const subnet = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/net/providers/" +
		"Microsoft.Network/virtualNetworks/shared/subnets/aks"
	tests := []struct {
		name   string
		subnet pulumi.StringInput
		want   map[string]any
	}{
		{"no subnet: open", nil, map[string]any{"networkRuleSet": nil}},
		{"subnet: only it", pulumi.String(subnet), map[string]any{
			"networkRuleSet.defaultAction":                                   "Deny",
			"networkRuleSet.bypass":                                          "AzureServices",
			"networkRuleSet.virtualNetworkRules[0].virtualNetworkResourceId": subnet,
			"networkRuleSet.virtualNetworkRules[0].action":                   "Allow",
			"networkRuleSet.virtualNetworkRules[1]":                          nil,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := validBucketArgs()
			args.AllowedSubnetID = tt.subnet
			wantInputs(t, mocktest.One(t, runBucket(t, args), tAccount), tt.want)
		})
	}
}

func TestBlobContainer_Private(t *testing.T) {
	cloud := runBucket(t, validBucketArgs())
	wantInputs(t, mocktest.One(t, cloud, tContainer), map[string]any{
		"publicAccess":      "None",
		"containerName":     "pachyderm",
		"accountName":       "pachdev0a1b2c",
		"resourceGroupName": "pachdeploy-dev",
	})
}

func TestStorage_RetainedUnlessDeleteDataOnDestroy(t *testing.T) {
	for _, deleteData := range []bool{false, true} {
		t.Run(fmt.Sprintf("deleteDataOnDestroy=%v", deleteData), func(t *testing.T) {
			args := validBucketArgs()
			args.DeleteDataOnDestroy = deleteData
			cloud := runBucket(t, args)
			for _, typ := range []string{tAccount, tContainer} {
				if r := mocktest.One(t, cloud, typ); r.RetainOnDelete == deleteData {
					t.Errorf("%s retainOnDelete = %v, want %v", typ, r.RetainOnDelete, !deleteData)
				}
			}
		})
	}
}

func TestIdentity_KeyIsSecretFromListStorageAccountKeys(t *testing.T) {
	var secret bool
	var key string
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		b, err := NewBucket(ctx, "storage", validBucketArgs())
		if err != nil {
			return err
		}
		s, err := NewIdentity(ctx, "identity", &IdentityArgs{ResourceGroupName: pulumi.String("pachdeploy-dev"), AccountName: b.AccountName})
		if err != nil {
			return err
		}
		secret = pulumi.IsSecret(s.Key)
		key = mocktest.AwaitString(t, s.Key)
		return nil
	}, standIns)
	if !secret {
		t.Error("Key output is not secret")
	}
	if key != StandInStorageKey {
		t.Errorf("Key = %q, want the first listed key", key)
	}
	var listed bool
	for _, inv := range cloud.Invokes() {
		if inv.Token == "azure-native:storage:listStorageAccountKeys" {
			listed = inv.Args["accountName"].StringValue() == "pachdev0a1b2c" &&
				inv.Args["resourceGroupName"].StringValue() == "pachdeploy-dev"
		}
	}
	if !listed {
		t.Errorf("listStorageAccountKeys not invoked for the account: %v", cloud.Invokes())
	}
}

func TestNewIdentity_InvalidArgsListsEveryProblem(t *testing.T) {
	cloud := offline.New("p", "s", standIns)
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := NewIdentity(ctx, "identity", &IdentityArgs{Mode: "irsa"})
		return err
	})
	mocktest.WantProblems(t, err, "Mode", "ResourceGroupName", "AccountName")
}

func TestNewBucket_InvalidArgsListsEveryProblem(t *testing.T) {
	cloud := offline.New("p", "s", standIns)
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := NewBucket(ctx, "storage", &BucketArgs{
			Location: "Central US", AccountName: "Pach-Data", ContainerName: "x",
			Tags: map[string]string{"a/b": "c"},
		})
		return err
	})
	mocktest.WantProblems(t, err, "ResourceGroupName", "Location", "AccountName", "ContainerName", "Tags")
	if n := len(cloud.Resources()); n != 0 {
		t.Errorf("%d resources registered before validation failed", n)
	}
}
