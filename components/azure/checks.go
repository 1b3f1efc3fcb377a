package azure

import (
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
)

const aksType = "azure-native:containerservice:ManagedCluster"

// checks are Azure's policy rules (pachdeploy check).
var checks = []policy.Rule{
	{
		ID: "PD-AZURE-API-OPEN", Refs: []string{"CKV_AZURE_6", "AVD-AZU-0041"}, Cloud: "azure", Severity: policy.High,
		Looks:       "authorized IP ranges on the AKS API server",
		Remediation: "set apiAllowedCidrs to the networks that deploy and administer the cluster",
		Check: policy.Each(aksType, "the Kubernetes API is reachable from any address", func(in map[string]any) bool {
			return rules.OpenToInternet(policy.Strings(in, "apiServerAccessProfile.authorizedIPRanges"))
		}),
	},
	{
		ID: "PD-AZURE-LOCAL-ACCOUNTS", Refs: []string{"CKV_AZURE_141"}, Cloud: "azure", Severity: policy.Medium,
		Looks: "local accounts off (disableLocalAccounts)",
		Remediation: "set entraIdAuth: true: Entra ID sign-in with Azure RBAC, local accounts off, the deploying principal made " +
			"Azure Kubernetes Service RBAC Cluster Admin, and a kubeconfig that runs kubelogin; every machine that deploys or " +
			"uses the kubeconfig then needs `az login` (as the principal that deploys) and kubelogin on PATH (az aks install-cli)",
		Check: policy.Each(aksType, "the cluster keeps local accounts (a static admin credential)", func(in map[string]any) bool {
			return !policy.True(in, "disableLocalAccounts")
		}),
	},
	{
		ID: "PD-AZURE-MONITOR", Refs: []string{"CKV_AZURE_4"}, Cloud: "azure", Severity: policy.Low,
		Looks: "Azure Monitor / Container Insights (addonProfiles.omsagent)",
		Remediation: "pachdeploy's cluster sends Container Insights to a Log Analytics workspace of its own: a cluster without " +
			"it comes from a change to components/azure",
		Check: policy.Each(aksType, "the cluster sends no logs or metrics to Azure Monitor", func(in map[string]any) bool {
			return !policy.True(in, "addonProfiles.omsagent.enabled") && !policy.True(in, "azureMonitorProfile.metrics.enabled")
		}),
	},
	{
		ID: "PD-AZURE-HOST-ENCRYPTION", Refs: []string{"CKV_AZURE_227"}, Cloud: "azure", Severity: policy.Low,
		Looks: "encryption at host on every node pool (enableEncryptionAtHost)",
		Remediation: "set hostEncryption: true after registering the subscription feature: " +
			"`az feature register --namespace Microsoft.Compute --name EncryptionAtHost`, wait until " +
			"`az feature show --namespace Microsoft.Compute --name EncryptionAtHost` says Registered, then " +
			"`az provider register --namespace Microsoft.Compute`",
		Check: policy.Each(aksType, "node disks and caches are not encrypted at host", func(in map[string]any) bool {
			return !policy.True(in, "agentPoolProfiles[0].enableEncryptionAtHost")
		}),
	},
	{
		ID: "PD-AZURE-STORAGE-NETWORK", Refs: []string{"CKV_AZURE_35", "CKV_AZURE_36", "AVD-AZU-0012"}, Cloud: "azure", Severity: policy.Medium,
		Looks: "the storage account's network rules: deny by default",
		Remediation: "pachdeploy's own VNet limits the account to the node subnet (its Microsoft.Storage service endpoint); " +
			"with your own nodeSubnetId, add Microsoft.Storage to that subnet's service endpoints (`az network vnet subnet " +
			"update --ids SUBNET-ID --service-endpoints Microsoft.Storage`, listing any it has too) and set " +
			"nodeSubnetHasStorageEndpoint: true; with nodeSubnetId aks-managed " +
			"or existingCluster pachdeploy knows no subnet to admit: waive PD-AZURE-STORAGE-NETWORK with your reason",
		Check: policy.Each("azure-native:storage:StorageAccount", "the storage account is reachable from all networks", func(in map[string]any) bool {
			return policy.String(in, "networkRuleSet.defaultAction") != "Deny"
		}),
	},
	{
		ID: "PD-AZURE-STORAGE-TLS", Refs: []string{"CKV_AZURE_3", "CKV_AZURE_44", "CKV_AZURE_190"}, Cloud: "azure", Severity: policy.High,
		Looks:       "HTTPS only, TLS 1.2 and no anonymous blob access on the storage account",
		Remediation: "pachdeploy's account is hardened: a weaker one comes from a change to components/azure",
		Check: policy.Each("azure-native:storage:StorageAccount", "the storage account allows plain HTTP, old TLS or anonymous access",
			func(in map[string]any) bool {
				return !policy.True(in, "enableHttpsTrafficOnly") || policy.String(in, "minimumTlsVersion") != "TLS1_2" ||
					policy.True(in, "allowBlobPublicAccess")
			}),
	},
}
