package azure

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Network defaults: AKS's own default address space, which overlaps neither its
// service range (10.0.0.0/16) nor the overlay's pod range (10.244.0.0/16).
const (
	DefaultAddressSpace   = "10.224.0.0/12"
	DefaultNodeSubnetCIDR = "10.224.0.0/16"
)

// NetworkArgs are the inputs of NewNetwork.
type NetworkArgs struct {
	// ResourceGroupName holds the network. Required; pass the group's output so the
	// network waits for it.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Location of the network. Required.
	Location string `pulumi:"location"`
	// Name prefixes the network (name-vnet) and its node subnet (nodes). Required.
	Name string `pulumi:"name"`
	// AddressSpace is the network's range. Default DefaultAddressSpace.
	AddressSpace string `pulumi:"addressSpace,optional"`
	// NodeSubnetCIDR is the node subnet's range, inside AddressSpace. Default
	// DefaultNodeSubnetCIDR.
	NodeSubnetCIDR string `pulumi:"nodeSubnetCidr,optional"`
	// Tags go on the network. Default none.
	Tags map[string]string `pulumi:"tags,optional"`
	// RetainOnDelete keeps the VNet on destroy. Set it when something kept on destroy
	// stays in the network (a managed database's delegated subnet): Azure refuses to
	// delete a VNet whose subnets are in use. Default false: destroy deletes it.
	RetainOnDelete bool `pulumi:"retainOnDelete,optional"`
}

// Network is a VNet of Pachyderm's own with one subnet for the AKS nodes: the cluster
// uses it instead of a VNet AKS would make in its node resource group, so later work
// (private nodes, private endpoints to a database) has a network to attach to. The node
// subnet has the Microsoft.Storage service endpoint, so the storage account can admit
// that subnet alone (CKV_AZURE_35).
type Network struct {
	pulumi.ResourceState

	// NodeSubnetID is the subnet the node pool joins. It resolves once the subnet, with
	// its Microsoft.Storage service endpoint, is made or updated: a storage account rule
	// built from it waits for the endpoint.
	NodeSubnetID pulumi.StringOutput `pulumi:"nodeSubnetId"`
	// VirtualNetworkName is the VNet's name, for subnets added to it. It resolves once
	// the node subnet is made, so a subnet added from it waits: Azure refuses
	// concurrent changes to one VNet's subnets.
	VirtualNetworkName pulumi.StringOutput `pulumi:"virtualNetworkName"`
	// VirtualNetworkID is the VNet's resource id, for private DNS zone links.
	VirtualNetworkID pulumi.StringOutput `pulumi:"virtualNetworkId"`
}

// StorageServiceEndpoint is the service endpoint a storage account's network rule for a
// subnet needs: without it Azure refuses the rule.
const StorageServiceEndpoint = "Microsoft.Storage"

func (a NetworkArgs) withDefaults() NetworkArgs {
	if a.AddressSpace == "" {
		a.AddressSpace = DefaultAddressSpace
	}
	if a.NodeSubnetCIDR == "" {
		a.NodeSubnetCIDR = DefaultNodeSubnetCIDR
	}
	return a
}

func (a NetworkArgs) validate() error {
	var p rules.Problems
	if a.ResourceGroupName == nil {
		p.Addf("ResourceGroupName", "", "is required")
	}
	p.Add("Location", a.Location, rules.AzureLocation(a.Location))
	p.Add("Name", a.Name, rules.AKSClusterName(a.Name))
	p.Add("AddressSpace", a.AddressSpace, rules.CIDR(a.AddressSpace))
	p.Add("NodeSubnetCIDR", a.NodeSubnetCIDR, rules.CIDR(a.NodeSubnetCIDR))
	p = append(p, rules.AzureTags("Tags", a.Tags)...)
	return p.Err()
}

// NewNetwork creates the VNet and its node subnet.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		return nil, fmt.Errorf("azure network %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("azure network %q: %w", name, err)
	}
	n := &Network{}
	if err := ctx.RegisterComponentResource("pachdeploy:azure:Network", name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)
	vnet, err := native.NewVirtualNetwork(ctx, name, &native.VirtualNetworkArgs{
		ResourceGroupName:  a.ResourceGroupName,
		VirtualNetworkName: pulumi.String(a.Name + "-vnet"),
		Location:           pulumi.String(a.Location),
		AddressPrefixes:    pulumi.StringArray{pulumi.String(a.AddressSpace)},
		Tags:               pulumi.ToStringMap(a.Tags),
	}, parent, pulumi.RetainOnDelete(a.RetainOnDelete))
	if err != nil {
		return nil, err
	}
	subnet, err := native.NewSubnet(ctx, name+"-nodes", &native.SubnetArgs{
		ResourceGroupName:  a.ResourceGroupName,
		VirtualNetworkName: vnet.Name,
		SubnetName:         pulumi.String("nodes"),
		AddressPrefix:      pulumi.String(a.NodeSubnetCIDR),
		// Nodes (and pods, which leave through the node's address under Azure CNI
		// Overlay) reach the storage account as this subnet.
		ServiceEndpoints: []native.ServiceEndpointPropertiesFormatArgs{{Service: pulumi.String(StorageServiceEndpoint)}},
	}, parent)
	if err != nil {
		return nil, err
	}
	n.NodeSubnetID = subnet.ID().ToStringOutput()
	n.VirtualNetworkName = pulumi.All(vnet.Name, n.NodeSubnetID).ApplyT(func(v []any) string { return v[0].(string) }).(pulumi.StringOutput)
	n.VirtualNetworkID = vnet.ID().ToStringOutput()
	if err := ctx.RegisterResourceOutputs(n, pulumi.Map{
		"nodeSubnetId":       n.NodeSubnetID,
		"virtualNetworkName": n.VirtualNetworkName,
		"virtualNetworkId":   n.VirtualNetworkID,
	}); err != nil {
		return nil, err
	}
	return n, nil
}
