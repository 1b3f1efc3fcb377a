package azure

import (
	"strings"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
)

const aksType = "azure-native:containerservice:ManagedCluster"

// agentPoolType is a node pool made apart from its cluster.
const agentPoolType = "azure-native:containerservice:AgentPool"

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
		Check: func(rs policy.Resources) []policy.Violation {
			const msg = "node disks and caches are not encrypted at host"
			out := policy.Each(aksType, msg, func(in map[string]any) bool {
				return !policy.True(in, "agentPoolProfiles[0].enableEncryptionAtHost")
			})(rs)
			// Pools made apart from the cluster (the GPU pool) count too.
			return append(out, policy.Each(agentPoolType, msg, func(in map[string]any) bool {
				return !policy.True(in, "enableEncryptionAtHost")
			})(rs)...)
		},
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
	{
		ID: "PD-AZURE-DATABASE-PUBLIC", Refs: []string{"CKV_AZURE_68", "CKV2_AZURE_57"}, Cloud: "azure", Severity: policy.High,
		Looks:       "private access on the PostgreSQL flexible server (a delegated subnet, publicNetworkAccess Disabled)",
		Remediation: "pachdeploy's server is private: a public one comes from a change to components/azure",
		Check: policy.Each(native.ServerType, "the database server is reachable from the internet", func(in map[string]any) bool {
			return policy.String(in, "network.publicNetworkAccess") != "Disabled" ||
				policy.String(in, "network.delegatedSubnetResourceId") == ""
		}),
	},
	{
		ID: "PD-AZURE-DATABASE-TLS", Refs: []string{"CKV_AZURE_29", "CKV_AZURE_147"}, Cloud: "azure", Severity: policy.High,
		Looks: "the PostgreSQL flexible server's pinned parameters: require_secure_transport on, " +
			"ssl_min_protocol_version TLSv1.2 or newer",
		Remediation: "pachdeploy pins both on its server: a server without them comes from a change to components/azure",
		Check:       databaseTLS,
	},
	{
		ID: "PD-AZURE-DATABASE-BACKUP", Refs: []string{"pachdeploy"}, Cloud: "azure", Severity: policy.Medium,
		Looks:       "automated backup retention of at least 7 days on the PostgreSQL flexible server",
		Remediation: "set databaseBackupDays to 7 to 35",
		Check: policy.Each(native.ServerType, "database backups are kept less than a week", func(in map[string]any) bool {
			days, ok := policy.Get(in, "backup.backupRetentionDays")
			n, isNumber := days.(float64)
			return !ok || !isNumber || n < 7
		}),
	},
	{
		ID: "PD-AZURE-DATABASE-GEO-BACKUP", Refs: []string{"CKV_AZURE_136"}, Cloud: "azure", Severity: policy.Low,
		Looks: "geo-redundant backups on the PostgreSQL flexible server",
		Remediation: "pachdeploy keeps backups in the server's region (zone-redundant where it has zones): a copy in the " +
			"paired region doubles the backup bill, needs a region with a pair, and Azure lets it be chosen only when the server " +
			"is made, so pachdeploy has no setting for it; waive PD-AZURE-DATABASE-GEO-BACKUP with your reason",
		Check: policy.Each(native.ServerType, "database backups have no copy outside the region", func(in map[string]any) bool {
			return policy.String(in, "backup.geoRedundantBackup") != "Enabled"
		}),
	},
	{
		ID: "PD-AZURE-DATABASE-HA", Refs: []string{"pachdeploy"}, Cloud: "azure", Severity: policy.Low,
		Looks: "a standby for the PostgreSQL flexible server (highAvailability.mode)",
		Remediation: "set databaseHighAvailability: true for a zone-redundant standby (a General Purpose or Memory Optimized " +
			"databaseInstanceType, in a location with availability zones; it doubles the server's bill)",
		Check: policy.Each(native.ServerType, "the database server has no standby: a zone failure stops Pachyderm", func(in map[string]any) bool {
			mode := policy.String(in, "highAvailability.mode")
			return mode != "ZoneRedundant" && mode != "SameZone"
		}),
	},
}

// databaseTLS reports each flexible server without Configuration resources, naming it,
// that set require_secure_transport on and ssl_min_protocol_version to TLSv1.2 or
// newer: Azure's defaults today, pinned so neither a hand edit nor a new default
// weakens them unseen.
func databaseTLS(rs policy.Resources) []policy.Violation {
	pinned := map[string]map[string]string{}
	for _, c := range rs.OfType(native.ConfigurationType) {
		server := policy.String(c.Inputs, "serverName")
		if pinned[server] == nil {
			pinned[server] = map[string]string{}
		}
		pinned[server][strings.ToLower(policy.String(c.Inputs, "configurationName"))] = policy.String(c.Inputs, "value")
	}
	var out []policy.Violation
	for _, s := range rs.OfType(native.ServerType) {
		p := pinned[policy.String(s.Inputs, "serverName")]
		if !strings.EqualFold(p["require_secure_transport"], "on") ||
			(p["ssl_min_protocol_version"] != "TLSv1.2" && p["ssl_min_protocol_version"] != "TLSv1.3") {
			out = append(out, policy.Violation{URN: s.URN,
				Message: "the database server does not pin TLS: require_secure_transport on, ssl_min_protocol_version TLSv1.2"})
		}
	}
	return out
}
