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
