package azure

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestNetwork_NodesJoinTheirOwnSubnet: the VNet and node subnet use AKS's own default
// ranges, the node pool joins the subnet, and the cluster runs as an identity of its own
// that is Network Contributor on that subnet only, granted before the cluster is made.
func TestNetwork_NodesJoinTheirOwnSubnet(t *testing.T) {
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		n, err := NewNetwork(ctx, "net", &NetworkArgs{ResourceGroupName: pulumi.String("rg"), Location: "centralus", Name: "pachdeploy-dev"})
		if err != nil {
			return err
		}
		args := validClusterArgs()
		args.NodeSubnetID = n.NodeSubnetID
		_, err = NewCluster(ctx, "aks", args)
		return err
	}, standIns)
	vnet := mocktest.One(t, cloud, "azure-native:network:VirtualNetwork")
	subnet := mocktest.One(t, cloud, "azure-native:network:Subnet")
	wantInputs(t, vnet, map[string]any{"addressSpace.addressPrefixes[0]": DefaultAddressSpace, "virtualNetworkName": "pachdeploy-dev-vnet"})
	wantInputs(t, subnet, map[string]any{"addressPrefix": DefaultNodeSubnetCIDR, "subnetName": "nodes"})
	aks := mocktest.One(t, cloud, tManagedCluster)
	if got := mocktest.MustString(t, aks, "agentPoolProfiles[0].vnetSubnetID"); got != subnet.ID {
		t.Errorf("node pool subnet %q, want the network's %q", got, subnet.ID)
	}
	role := mocktest.One(t, cloud, "azure-native:authorization:RoleAssignment")
	if scope := mocktest.MustString(t, role, "scope"); scope != subnet.ID {
		t.Errorf("role scope %q, want only the node subnet %q", scope, subnet.ID)
	}
	wantInputs(t, role, map[string]any{"principalType": "ServicePrincipal"})
	identity := mocktest.One(t, cloud, "azure-native:managedidentity:UserAssignedIdentity")
	if got := mocktest.MustString(t, role, "principalId"); got != identity.Outputs["principalId"].StringValue() {
		t.Errorf("role for %q, want the control plane's own identity", got)
	}
	if got := mocktest.MustString(t, aks, "identity.userAssignedIdentities[0]"); got != identity.ID {
		t.Errorf("cluster identity %q, want %q", got, identity.ID)
	}
	if !mocktest.DependsOn(aks, role.URN) {
		t.Error("the cluster does not wait for its rights on the subnet")
	}
	if def := mocktest.MustString(t, role, "roleDefinitionId"); len(def) < len(NetworkContributorRole) ||
		def[len(def)-len(NetworkContributorRole):] != NetworkContributorRole {
		t.Errorf("role %q, want Network Contributor", def)
	}
}

// TestNetwork_StorageAccountAdmitsTheNodeSubnetOnceItHasTheEndpoint: the node subnet
// has the Microsoft.Storage service endpoint, and the account's rule names the subnet
// and waits for it, so Azure never sees a rule for a subnet without the endpoint.
func TestNetwork_StorageAccountAdmitsTheNodeSubnetOnceItHasTheEndpoint(t *testing.T) {
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		n, err := NewNetwork(ctx, "net", &NetworkArgs{ResourceGroupName: pulumi.String("rg"), Location: "centralus", Name: "pachdeploy-dev"})
		if err != nil {
			return err
		}
		args := validBucketArgs()
		args.AllowedSubnetID = n.NodeSubnetID
		_, err = NewBucket(ctx, "storage", args)
		return err
	}, standIns)
	subnet := mocktest.One(t, cloud, "azure-native:network:Subnet")
	wantInputs(t, subnet, map[string]any{"serviceEndpoints[0].service": StorageServiceEndpoint, "serviceEndpoints[1]": nil})
	account := mocktest.One(t, cloud, tAccount)
	if got := mocktest.MustString(t, account, "networkRuleSet.virtualNetworkRules[0].virtualNetworkResourceId"); got != subnet.ID {
		t.Errorf("account admits %q, want the node subnet %q", got, subnet.ID)
	}
	if !mocktest.DependsOn(account, subnet.URN) {
		t.Errorf("the account does not wait for the subnet's service endpoint (depends on %v)", account.DependsOn)
	}
}

func TestRoleDefinitionIsInTheSubnetsSubscription(t *testing.T) {
	var got string
	mocktest.Run(t, func(ctx *pulumi.Context) error {
		got = mocktest.AwaitString(t, roleDefinition(pulumi.String("/subscriptions/0000-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"),
			NetworkContributorRole))
		return nil
	}, standIns)
	if want := "/subscriptions/0000-1/providers/Microsoft.Authorization/roleDefinitions/" + NetworkContributorRole; got != want {
		t.Errorf("roleDefinition = %q, want %q", got, want)
	}
}
