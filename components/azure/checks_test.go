package azure

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/policy/policytest"
)

func TestChecks(t *testing.T) {
	one := policytest.One
	account := "azure-native:storage:StorageAccount"
	policytest.Run(t, checks, []policytest.Case{
		{Rule: "PD-AZURE-API-OPEN", Broken: one(aksType, map[string]any{}),
			Fixed: one(aksType, map[string]any{"apiServerAccessProfile": map[string]any{"authorizedIPRanges": []any{"203.0.113.0/24"}}})},
		{Rule: "PD-AZURE-LOCAL-ACCOUNTS", Broken: one(aksType, map[string]any{"disableLocalAccounts": false}),
			Fixed: one(aksType, map[string]any{"disableLocalAccounts": true})},
		{Rule: "PD-AZURE-MONITOR", Broken: one(aksType, map[string]any{"addonProfiles": map[string]any{"omsagent": map[string]any{"enabled": false}}}),
			Fixed: one(aksType, map[string]any{"addonProfiles": map[string]any{"omsagent": map[string]any{"enabled": true,
				"config": map[string]any{"logAnalyticsWorkspaceResourceID": "/subscriptions/s/resourceGroups/g/providers/" +
					"Microsoft.OperationalInsights/workspaces/w", "useAADAuth": "true"}}}})},
		{Rule: "PD-AZURE-HOST-ENCRYPTION", Broken: one(aksType, map[string]any{"agentPoolProfiles": []any{map[string]any{}}}),
			Fixed: one(aksType, map[string]any{"agentPoolProfiles": []any{map[string]any{"enableEncryptionAtHost": true}}})},
		{Rule: "PD-AZURE-STORAGE-NETWORK", Broken: one(account, map[string]any{"networkRuleSet": map[string]any{"defaultAction": "Allow"}}),
			Fixed: one(account, map[string]any{"networkRuleSet": map[string]any{"defaultAction": "Deny", "bypass": "AzureServices",
				"virtualNetworkRules": []any{map[string]any{"virtualNetworkResourceId": "/subscriptions/s/resourceGroups/g/providers/" +
					"Microsoft.Network/virtualNetworks/v/subnets/nodes", "action": "Allow"}}}})},
		{Rule: "PD-AZURE-STORAGE-TLS", Broken: one(account, map[string]any{"enableHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_0"}),
			Fixed: one(account, map[string]any{"enableHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2"})},
	})
}
