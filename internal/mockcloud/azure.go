package mockcloud

import (
	"encoding/base64"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// AzureStorageKey stands in for a storage account access key.
var AzureStorageKey = Later("storage account key")

// Azure stand-ins: ARM echoes the name a resource was created with as "name"; the
// rest only Azure knows.

func init() {
	outputs["azure-native:resources:ResourceGroup"] = func(a outputArgs) {
		a.set("name", a.str("resourceGroupName", a.name))
	}
	outputs["azure-native:storage:StorageAccount"] = func(a outputArgs) {
		account := a.str("accountName", a.name)
		a.set("name", account)
		a.set("primaryEndpoints", map[string]any{
			"blob": fmt.Sprintf("https://%s.blob.core.windows.net/", account),
			"dfs":  fmt.Sprintf("https://%s.dfs.core.windows.net/", account),
		})
		a.set("provisioningState", "Succeeded")
	}
	outputs["azure-native:storage:BlobContainer"] = func(a outputArgs) {
		a.set("name", a.str("containerName", a.name))
	}
	outputs["azure-native:containerservice:ManagedCluster"] = func(a outputArgs) {
		name := a.str("resourceName", a.name)
		a.set("name", name)
		a.set("fqdn", Later(name+" API server FQDN"))
		a.set("oidcIssuerProfile", map[string]any{"enabled": true, "issuerURL": Later("OIDC issuer URL")})
		a.set("identity", map[string]any{
			"type":        "SystemAssigned",
			"principalId": Later("cluster identity principal id"),
			"tenantId":    Later("tenant id"),
		})
		a.set("nodeResourceGroup", Later("node resource group"))
		a.set("provisioningState", "Succeeded")
	}

	invokes["azure-native:storage:listStorageAccountKeys"] = func(resource.PropertyMap) map[string]any {
		return map[string]any{"keys": []any{map[string]any{
			"keyName":     "key1",
			"permissions": "FULL",
			"value":       resource.MakeSecret(resource.NewPropertyValue(AzureStorageKey)),
		}}}
	}
	invokes["azure-native:containerservice:listManagedClusterUserCredentials"] = func(resource.PropertyMap) map[string]any {
		return map[string]any{"kubeconfigs": []any{map[string]any{
			"name":  "clusterUser",
			"value": base64.StdEncoding.EncodeToString([]byte(Kubeconfig)),
		}}}
	}
}
