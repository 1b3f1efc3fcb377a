package azure

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/policy"
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
		{Rule: "PD-AZURE-HOST-ENCRYPTION", Broken: one(agentPoolType, map[string]any{}),
			Fixed: one(agentPoolType, map[string]any{"enableEncryptionAtHost": true})},
		{Rule: "PD-AZURE-STORAGE-NETWORK", Broken: one(account, map[string]any{"networkRuleSet": map[string]any{"defaultAction": "Allow"}}),
			Fixed: one(account, map[string]any{"networkRuleSet": map[string]any{"defaultAction": "Deny", "bypass": "AzureServices",
				"virtualNetworkRules": []any{map[string]any{"virtualNetworkResourceId": "/subscriptions/s/resourceGroups/g/providers/" +
					"Microsoft.Network/virtualNetworks/v/subnets/nodes", "action": "Allow"}}}})},
		{Rule: "PD-AZURE-STORAGE-TLS", Broken: one(account, map[string]any{"enableHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_0"}),
			Fixed: one(account, map[string]any{"enableHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2"})},
		{Rule: "PD-AZURE-DATABASE-PUBLIC", Broken: one(native.ServerType, map[string]any{"network": map[string]any{"publicNetworkAccess": "Enabled"}}),
			Fixed: one(native.ServerType, map[string]any{"network": map[string]any{"publicNetworkAccess": "Disabled",
				"delegatedSubnetResourceId": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/postgres"}})},
		{Rule: "PD-AZURE-DATABASE-TLS",
			Broken: tlsPins("off", "TLSv1.2"),
			Fixed:  tlsPins("on", "TLSv1.2")},
		{Rule: "PD-AZURE-DATABASE-BACKUP", Broken: one(native.ServerType, map[string]any{"backup": map[string]any{"backupRetentionDays": 1.0}}),
			Fixed: one(native.ServerType, map[string]any{"backup": map[string]any{"backupRetentionDays": 7.0}})},
		{Rule: "PD-AZURE-DATABASE-GEO-BACKUP", Broken: one(native.ServerType, map[string]any{"backup": map[string]any{"geoRedundantBackup": "Disabled"}}),
			Fixed: one(native.ServerType, map[string]any{"backup": map[string]any{"geoRedundantBackup": "Enabled"}})},
		{Rule: "PD-AZURE-DATABASE-HA", Broken: one(native.ServerType, map[string]any{"highAvailability": map[string]any{"mode": "Disabled"}}),
			Fixed: one(native.ServerType, map[string]any{"highAvailability": map[string]any{"mode": "ZoneRedundant"}})},
	})
}

// tlsPins is a server and its two TLS parameters.
func tlsPins(secureTransport, minVersion string) policy.Resources {
	param := func(name, value string) policy.Resource {
		return policy.Resource{URN: "urn:pulumi:test::pachdeploy::" + native.ConfigurationType + "::" + name,
			Type: native.ConfigurationType, Name: name,
			Inputs: map[string]any{"serverName": "pg", "configurationName": name, "value": value}}
	}
	return append(policytest.One(native.ServerType, map[string]any{"serverName": "pg"}),
		param("require_secure_transport", secureTransport), param("ssl_min_protocol_version", minVersion))
}

// TestDatabaseTLS_EachServerNeedsItsOwnPins: parameters of another server, an old TLS
// version or no parameters at all leave the server reported.
func TestDatabaseTLS_EachServerNeedsItsOwnPins(t *testing.T) {
	otherServer := tlsPins("on", "TLSv1.2")
	otherServer[0].Inputs["serverName"] = "other"
	tests := []struct {
		name string
		rs   policy.Resources
		want int
	}{
		{"pinned", tlsPins("ON", "TLSv1.3"), 0},
		{"TLS 1.1 allowed", tlsPins("on", "TLSv1.1"), 1},
		{"no pins", policytest.One(native.ServerType, map[string]any{"serverName": "pg"}), 1},
		{"another server's pins", otherServer, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(databaseTLS(tt.rs)); got != tt.want {
				t.Errorf("%d violations, want %d", got, tt.want)
			}
		})
	}
}
