package settings

import (
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/stacks/config"
)

func TestClusterSwitches(t *testing.T) {
	const subnet = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/net/providers/" +
		"Microsoft.Network/virtualNetworks/shared/subnets/aks"
	tests := []struct {
		name string
		raw  map[string]string
		// want is "" for no problem, else text the problem with the key must hold.
		key, want string
	}{
		{"switches on a cluster pachdeploy makes", map[string]string{"hostEncryption": "true", "entraIdAuth": "true"}, "", ""},
		{"endpoint of the user's subnet", map[string]string{"nodeSubnetId": subnet, "nodeSubnetHasStorageEndpoint": "true"}, "", ""},
		{"endpoint without a subnet", map[string]string{"nodeSubnetHasStorageEndpoint": "true"},
			"nodeSubnetHasStorageEndpoint", "pachdeploy's own VNet has the Microsoft.Storage service endpoint"},
		{"endpoint of the AKS-managed VNet", map[string]string{"nodeSubnetId": AKSManagedSubnet, "nodeSubnetHasStorageEndpoint": "true"},
			"nodeSubnetHasStorageEndpoint", "pachdeploy knows no subnet"},
		{"host encryption on an existing cluster", map[string]string{"existingCluster": "team", "hostEncryption": "true"},
			"hostEncryption", `with existingCluster "team" the cluster is used as it is`},
		{"Entra ID on an existing cluster", map[string]string{"existingCluster": "team", "entraIdAuth": "true"},
			"entraIdAuth", `with existingCluster "team" the cluster is used as it is`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw["cloud"] = "azure"
			_, err := config.Targets{Target}.Resolve(tt.raw, "pachdeploy", "dev")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected problems: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %s: ...%s...", err, tt.key, tt.want)
			}
		})
	}
}

// TestManagedDatabase: a flexible server needs pachdeploy's VNet, a version the API
// offers, a size whose series names its tier (and has HA), and one of Azure's disk sizes.
func TestManagedDatabase(t *testing.T) {
	const subnet = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/net/providers/" +
		"Microsoft.Network/virtualNetworks/shared/subnets/aks"
	managed := func(kv ...string) map[string]string {
		raw := map[string]string{"database": config.DatabaseManaged}
		for i := 0; i < len(kv); i += 2 {
			raw[kv[i]] = kv[i+1]
		}
		return raw
	}
	tests := []struct {
		name string
		raw  map[string]string
		// want is "" for no problem, else text the problem with the key must hold.
		key, want string
	}{
		{"defaults", managed(), "", ""},
		{"HA on General Purpose, 15, 64 GB", managed("databaseHighAvailability", "true", "databaseVersion", "15",
			"databaseStorageGb", "64"), "", ""},
		{"Memory Optimized", managed("databaseInstanceType", "Standard_E4ds_v5"), "", ""},
		{"user subnet", managed("nodeSubnetId", subnet), "nodeSubnetId", "needs pachdeploy's VNet: the server needs a delegated subnet"},
		{"AKS-managed VNet", managed("nodeSubnetId", AKSManagedSubnet), "nodeSubnetId", "private DNS zone link"},
		{"17", managed("databaseVersion", "17"), "databaseVersion", "offers PostgreSQL 15 or 16"},
		{"not a flexible server size", managed("databaseInstanceType", "db.t4g.medium"), "databaseInstanceType", "Standard_D2ds_v5"},
		{"F-series", managed("databaseInstanceType", "Standard_F2s_v2"), "databaseInstanceType", "B (Burstable)"},
		{"HA on Burstable", managed("databaseInstanceType", "Standard_B2s", "databaseHighAvailability", "true"),
			"databaseHighAvailability", "Burstable servers (Standard_B2s) have no high availability"},
		{"disk size Azure does not offer", managed("databaseStorageGb", "100"), "databaseStorageGb", "32, 64, 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw["cloud"] = "azure"
			_, err := config.Targets{Target}.Resolve(tt.raw, "pachdeploy", "dev")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected problems: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %s: ...%s...", err, tt.key, tt.want)
			}
		})
	}
}

func TestDatabaseTier(t *testing.T) {
	for size, want := range map[string]string{
		"Standard_B1ms": TierBurstable, "Standard_B2s": TierBurstable, DefaultDatabaseInstanceType: TierGeneralPurpose,
		"Standard_D4s_v3": TierGeneralPurpose, "Standard_E2ds_v4": TierMemoryOptimized,
	} {
		if got, err := DatabaseTier(size); got != want || err != nil {
			t.Errorf("DatabaseTier(%s) = %q, %v; want %q", size, got, err, want)
		}
	}
}

func TestGPUNodeSettings(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]string
		wantMax int
		// want is "" for no problem, else text the problem with key must hold.
		key, want string
	}{
		{"no GPU pool", map[string]string{}, 0, "", ""},
		{"an NC size: at most 2 nodes", map[string]string{"gpuNodeInstanceType": "Standard_NC4as_T4_v3"}, 2, "", ""},
		{"an ND size and a maximum", map[string]string{"gpuNodeInstanceType": "Standard_ND96asr_v4", "gpuNodeMaxCount": "3"}, 3, "", ""},
		{"a CPU size", map[string]string{"gpuNodeInstanceType": "Standard_DS4_v2"}, 0, "gpuNodeInstanceType", "like Standard_NC4as_T4_v3"},
		{"an AWS GPU type", map[string]string{"gpuNodeInstanceType": "g6.xlarge"}, 0, "gpuNodeInstanceType", "is an AWS machine type"},
		{"more than 100 nodes", map[string]string{"gpuNodeInstanceType": "Standard_NC4as_T4_v3", "gpuNodeMaxCount": "101"}, 0,
			"gpuNodeMaxCount", "at most 100"},
		{"on an existing cluster", map[string]string{"existingCluster": "team", "gpuNodeInstanceType": "Standard_NC4as_T4_v3"}, 0,
			"gpuNodeInstanceType", `with existingCluster "team" the cluster is used as it is`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw["cloud"] = "azure"
			c, err := config.Targets{Target}.Resolve(tt.raw, "pachdeploy", "dev")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected problems: %v", err)
				}
				if c.GPUNodeMaxCount != tt.wantMax {
					t.Errorf("gpuNodeMaxCount = %d, want %d", c.GPUNodeMaxCount, tt.wantMax)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.key+" = ") || !strings.Contains(err.Error(), tt.want) ||
				strings.Count(err.Error(), "\n  - ") != 1 {
				t.Errorf("err = %v, want one %s problem saying %q", err, tt.key, tt.want)
			}
		})
	}
}
