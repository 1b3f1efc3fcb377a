package azure

import (
	"slices"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/azure/settings"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deploy resolves raw settings for Azure and runs deployAzure under the mock cloud.
func deploy(t *testing.T, raw map[string]string) *offline.Cloud {
	t.Helper()
	raw["cloud"] = "azure"
	cfg, err := config.Targets{settings.Target}.Resolve(raw, mocktest.Project, mocktest.Stack)
	if err != nil {
		t.Fatal(err)
	}
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		_, err := deployAzure(ctx, cfg)
		return err
	}, standIns)
}

// TestDeploy_StorageNetworkFollowsTheNodeSubnet: the account admits only the node
// subnet when that subnet is known to have the Microsoft.Storage service endpoint
// (pachdeploy's own, or the user's with nodeSubnetHasStorageEndpoint), and stays open
// otherwise, so a subnet without the endpoint never cuts Pachyderm off its data.
func TestDeploy_StorageNetworkFollowsTheNodeSubnet(t *testing.T) {
	const subnet = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/net/providers/" +
		"Microsoft.Network/virtualNetworks/shared/subnets/aks"
	tests := []struct {
		name string
		raw  map[string]string
		// want is the subnet the account admits; "own" is pachdeploy's, "" none.
		want string
	}{
		{"own VNet", map[string]string{}, "own"},
		{"user subnet", map[string]string{"nodeSubnetId": subnet}, ""},
		{"user subnet with the endpoint", map[string]string{"nodeSubnetId": subnet, "nodeSubnetHasStorageEndpoint": "true"}, subnet},
		{"AKS-managed VNet", map[string]string{"nodeSubnetId": settings.AKSManagedSubnet}, ""},
		{"existing cluster", map[string]string{"existingCluster": "team", "resourceGroupName": "team-rg"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := deploy(t, tt.raw)
			account := mocktest.One(t, cloud, tAccount)
			want := tt.want
			if want == "own" {
				own := mocktest.One(t, cloud, "azure-native:network:Subnet")
				want = own.ID
				if !mocktest.DependsOn(account, own.URN) {
					t.Error("the account does not wait for the subnet's service endpoint")
				}
			}
			if want == "" {
				wantInputs(t, account, map[string]any{"networkRuleSet": nil})
				return
			}
			wantInputs(t, account, map[string]any{
				"networkRuleSet.defaultAction":                                   "Deny",
				"networkRuleSet.bypass":                                          "AzureServices",
				"networkRuleSet.virtualNetworkRules[0].virtualNetworkResourceId": want,
			})
		})
	}
}

// TestDeploy_ClusterSettings: hostEncryption and entraIdAuth reach the cluster, and the
// workspace is kept on destroy like the data unless deleteDataOnDestroy.
func TestDeploy_ClusterSettings(t *testing.T) {
	tests := []struct {
		name       string
		raw        map[string]string
		want       map[string]any
		retainLogs bool
	}{
		{"defaults", map[string]string{}, map[string]any{
			"agentPoolProfiles[0].enableEncryptionAtHost": nil,
			"disableLocalAccounts":                        false,
			"addonProfiles.omsagent.enabled":              true,
		}, true},
		{"all on", map[string]string{"hostEncryption": "true", "entraIdAuth": "true", "deleteDataOnDestroy": "true"}, map[string]any{
			"agentPoolProfiles[0].enableEncryptionAtHost": true,
			"disableLocalAccounts":                        true,
			"aadProfile.enableAzureRBAC":                  true,
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := deploy(t, tt.raw)
			wantInputs(t, mocktest.One(t, cloud, tManagedCluster), tt.want)
			if r := mocktest.One(t, cloud, tWorkspace); r.RetainOnDelete != tt.retainLogs {
				t.Errorf("workspace retainOnDelete = %v, want %v", r.RetainOnDelete, tt.retainLogs)
			}
		})
	}
}

// TestDeploy_RulesPassWithTheirSettings: Azure's rules over what the deploy asks for.
// The defaults leave only the findings whose fix needs the user (an address list, a
// subscription feature, kubelogin on their machines); with those settings none is left.
func TestDeploy_RulesPassWithTheirSettings(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		want []string
	}{
		{"defaults", map[string]string{}, []string{"PD-AZURE-API-OPEN", "PD-AZURE-HOST-ENCRYPTION", "PD-AZURE-LOCAL-ACCOUNTS"}},
		{"settings", map[string]string{"apiAllowedCidrs": "203.0.113.0/24", "hostEncryption": "true", "entraIdAuth": "true"}, nil},
		{"AKS-managed VNet: no subnet to admit", map[string]string{"apiAllowedCidrs": "203.0.113.0/24", "hostEncryption": "true",
			"entraIdAuth": "true", "nodeSubnetId": settings.AKSManagedSubnet}, []string{"PD-AZURE-STORAGE-NETWORK"}},
		{"managed database: private, TLS pinned, a week of backups", map[string]string{"apiAllowedCidrs": "203.0.113.0/24",
			"hostEncryption": "true", "entraIdAuth": "true", "database": "managed"},
			[]string{"PD-AZURE-DATABASE-GEO-BACKUP", "PD-AZURE-DATABASE-HA"}},
		{"managed database with HA", map[string]string{"apiAllowedCidrs": "203.0.113.0/24", "hostEncryption": "true",
			"entraIdAuth": "true", "database": "managed", "databaseHighAvailability": "true"},
			[]string{"PD-AZURE-DATABASE-GEO-BACKUP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs policy.Resources
			for _, r := range deploy(t, tt.raw).Resources() {
				inputs, _ := mocktest.Plain(resource.NewObjectProperty(r.Inputs)).(map[string]any)
				rs = append(rs, policy.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: inputs})
			}
			report, err := policy.Evaluate(checks, "azure", rs, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range report.Findings {
				got = append(got, f.Rule)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDeploy_ManagedDatabase: database: managed puts a flexible server in pachdeploy's
// VNet, after the node subnet, and hands it to the release; the VNet is then kept on
// destroy with the server unless deleteDataOnDestroy. in-cluster makes none.
func TestDeploy_ManagedDatabase(t *testing.T) {
	tests := []struct {
		name       string
		raw        map[string]string
		managed    bool
		retainVNet bool
	}{
		{"in-cluster", map[string]string{}, false, false},
		{"managed", map[string]string{"database": "managed"}, true, true},
		{"managed, data deleted on destroy", map[string]string{"database": "managed", "deleteDataOnDestroy": "true"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw["cloud"] = "azure"
			cfg, err := config.Targets{settings.Target}.Resolve(tt.raw, mocktest.Project, mocktest.Stack)
			if err != nil {
				t.Fatal(err)
			}
			var database bool
			cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
				in, err := deployAzure(ctx, cfg)
				database = in != nil && in.Database != nil
				return err
			}, standIns)
			if database != tt.managed {
				t.Errorf("Infra.Database set = %v, want %v", database, tt.managed)
			}
			if vnet := mocktest.One(t, cloud, "azure-native:network:VirtualNetwork"); vnet.RetainOnDelete != tt.retainVNet {
				t.Errorf("VNet retainOnDelete = %v, want %v", vnet.RetainOnDelete, tt.retainVNet)
			}
			servers := 0
			for _, r := range cloud.Resources() {
				if r.Type == native.ServerType {
					servers++
				}
			}
			if want := map[bool]int{false: 0, true: 1}[tt.managed]; servers != want {
				t.Fatalf("%d flexible servers, want %d", servers, want)
			}
			if !tt.managed {
				return
			}
			server := mocktest.One(t, cloud, native.ServerType)
			wantInputs(t, server, map[string]any{
				"serverName": "pachdeploy-" + mocktest.Stack + "-" + config.Hash(mocktest.Project, mocktest.Stack),
				"location":   settings.DefaultLocation,
			})
			nodes := mocktest.Named(t, cloud, tSubnet, cfg.ClusterName+"-nodes")
			postgres := mocktest.Named(t, cloud, tSubnet, "pachyderm-metadata")
			if !mocktest.DependsOn(postgres, nodes.URN) {
				t.Error("the database subnet does not wait for the node subnet: Azure refuses concurrent subnet changes")
			}
			vnet := mocktest.One(t, cloud, "azure-native:network:VirtualNetwork")
			wantInputs(t, mocktest.One(t, cloud, tLink), map[string]any{"virtualNetwork.id": vnet.ID})
		})
	}
}
