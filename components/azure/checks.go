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
		Looks:       "local accounts off (disableLocalAccounts)",
		Remediation: "not yet made by pachdeploy (turning them off needs Entra ID integration and kubelogin on the deploying machine): waive PD-AZURE-LOCAL-ACCOUNTS with your reason",
		Check: policy.Each(aksType, "the cluster keeps local accounts (a static admin credential)", func(in map[string]any) bool {
			return !policy.True(in, "disableLocalAccounts")
		}),
	},
	{
		ID: "PD-AZURE-MONITOR", Refs: []string{"CKV_AZURE_4"}, Cloud: "azure", Severity: policy.Low,
		Looks:       "Azure Monitor / Container Insights (addonProfiles.omsagent)",
		Remediation: "not yet made by pachdeploy: waive PD-AZURE-MONITOR with your reason",
		Check: policy.Each(aksType, "the cluster sends no logs or metrics to Azure Monitor", func(in map[string]any) bool {
			return !policy.True(in, "addonProfiles.omsagent.enabled") && !policy.True(in, "azureMonitorProfile.metrics.enabled")
		}),
	},
	{
		ID: "PD-AZURE-HOST-ENCRYPTION", Refs: []string{"CKV_AZURE_227"}, Cloud: "azure", Severity: policy.Low,
		Looks:       "encryption at host on every node pool (enableEncryptionAtHost)",
		Remediation: "not yet made by pachdeploy (it needs the subscription feature Microsoft.Compute/EncryptionAtHost): waive PD-AZURE-HOST-ENCRYPTION with your reason",
		Check: policy.Each(aksType, "node disks and caches are not encrypted at host", func(in map[string]any) bool {
			return !policy.True(in, "agentPoolProfiles[0].enableEncryptionAtHost")
		}),
	},
	{
		ID: "PD-AZURE-STORAGE-NETWORK", Refs: []string{"CKV_AZURE_35", "CKV_AZURE_36", "AVD-AZU-0012"}, Cloud: "azure", Severity: policy.Medium,
		Looks:       "the storage account's network rules: deny by default",
		Remediation: "not yet made by pachdeploy (the account takes requests from all networks, authenticated by its key): waive PD-AZURE-STORAGE-NETWORK with your reason",
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
