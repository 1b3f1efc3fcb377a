package azure

import (
	"encoding/base64"
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// StandInStorageKey stands in for a storage account access key.
var StandInStorageKey = offline.Later("storage account key")

// Azure stand-ins: ARM echoes the name a resource was created with as "name"; the
// rest only Azure knows.

// standIns answer for Azure in the offline plan: what only the cloud assigns.
var standIns = offline.StandIns{
	Outputs: map[string]func(offline.Answer){
		"azure-native:resources:ResourceGroup": func(a offline.Answer) {
			a.Set("name", a.Str("resourceGroupName", a.Name()))
		},
		"azure-native:storage:StorageAccount": func(a offline.Answer) {
			account := a.Str("accountName", a.Name())
			a.Set("name", account)
			a.Set("primaryEndpoints", map[string]any{
				"blob": fmt.Sprintf("https://%s.blob.core.windows.net/", account),
				"dfs":  fmt.Sprintf("https://%s.dfs.core.windows.net/", account),
			})
			a.Set("provisioningState", "Succeeded")
		},
		"azure-native:storage:BlobContainer": func(a offline.Answer) {
			a.Set("name", a.Str("containerName", a.Name()))
		},
		"azure-native:operationalinsights:Workspace": func(a offline.Answer) {
			a.Set("name", a.Str("workspaceName", a.Name()))
			a.Set("customerId", offline.Later(a.Name()+" workspace id"))
		},
		"azure-native:network:PrivateZone": func(a offline.Answer) {
			a.Set("name", a.Str("privateZoneName", a.Name()))
		},
		"azure-native:network:VirtualNetworkLink": func(a offline.Answer) {
			a.Set("name", a.Str("virtualNetworkLinkName", a.Name()))
		},
		// A flexible server's DNS name is its name under postgres.database.azure.com,
		// with private access too (Azure points it into the private zone).
		native.ServerType: func(a offline.Answer) {
			name := a.Str("serverName", a.Name())
			a.Set("name", name)
			a.Set("fullyQualifiedDomainName", name+".postgres.database.azure.com")
			a.Set("state", "Ready")
		},
		native.DatabaseType: func(a offline.Answer) {
			a.Set("name", a.Str("databaseName", a.Name()))
		},
		native.ConfigurationType: func(a offline.Answer) {
			a.Set("name", a.Str("configurationName", a.Name()))
		},
		"azure-native:insights:DataCollectionRule": func(a offline.Answer) {
			a.Set("name", a.Str("dataCollectionRuleName", a.Name()))
		},
		"azure-native:managedidentity:UserAssignedIdentity": func(a offline.Answer) {
			a.Set("name", a.Str("resourceName", a.Name()))
			a.Set("principalId", offline.Later(a.Name()+" principal id"))
			a.Set("clientId", offline.Later(a.Name()+" client id"))
		},
		"azure-native:containerservice:ManagedCluster": func(a offline.Answer) {
			name := a.Str("resourceName", a.Name())
			a.Set("name", name)
			a.Set("fqdn", offline.Later(name+" API server FQDN"))
			a.Set("oidcIssuerProfile", map[string]any{"enabled": true, "issuerURL": offline.Later("OIDC issuer URL")})
			a.Set("identity", map[string]any{
				"type":        "SystemAssigned",
				"principalId": offline.Later("cluster identity principal id"),
				"tenantId":    offline.Later("tenant id"),
			})
			a.Set("nodeResourceGroup", offline.Later("node resource group"))
			a.Set("provisioningState", "Succeeded")
		},
	},
	Invokes: map[string]func(resource.PropertyMap, string) map[string]any{
		// Who the provider signs in as: the deployer an Entra ID cluster makes its admin.
		"azure-native:authorization:getClientConfig": func(resource.PropertyMap, string) map[string]any {
			return map[string]any{
				"objectId":       offline.Later("deployer object id"),
				"clientId":       offline.Later("deployer client id"),
				"tenantId":       offline.Later("tenant id"),
				"subscriptionId": offline.Later("subscription id"),
			}
		},
		"azure-native:containerservice:getManagedCluster": func(args resource.PropertyMap, location string) map[string]any {
			return map[string]any{
				"name": args["resourceName"].StringValue(), "location": location,
				"oidcIssuerProfile": map[string]any{"enabled": true, "issuerURL": offline.Later("OIDC issuer URL")},
			}
		},
		"azure-native:storage:listStorageAccountKeys": func(resource.PropertyMap, string) map[string]any {
			return map[string]any{"keys": []any{map[string]any{
				"keyName":     "key1",
				"permissions": "FULL",
				"value":       resource.MakeSecret(resource.NewPropertyValue(StandInStorageKey)),
			}}}
		},
		"azure-native:containerservice:listManagedClusterUserCredentials": func(resource.PropertyMap, string) map[string]any {
			return map[string]any{"kubeconfigs": []any{map[string]any{
				"name":  "clusterUser",
				"value": base64.StdEncoding.EncodeToString([]byte(offline.Kubeconfig)),
			}}}
		},
	},
}
