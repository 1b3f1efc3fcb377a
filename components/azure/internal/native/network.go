package native

import (
	"errors"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The network, authorization and managedidentity modules are served, but each is a Go
// package of its own to compile and link (network alone has hundreds of resource types)
// for the few resources and one function pachdeploy needs: these wrappers register the
// same type tokens at the same pinned release instead, so every build and link stays as
// it is. Replace them with the SDK modules if pachdeploy comes to use more of them.

// VirtualNetwork mirrors network.VirtualNetwork.
type VirtualNetwork struct {
	pulumi.CustomResourceState

	// Name of the network.
	Name pulumi.StringOutput `pulumi:"name"`
}

// VirtualNetworkArgs mirrors the network.VirtualNetworkArgs pachdeploy sets.
type VirtualNetworkArgs struct {
	// ResourceGroupName holds the network.
	ResourceGroupName pulumi.StringInput
	// VirtualNetworkName is the network's name.
	VirtualNetworkName pulumi.StringPtrInput
	// Location of the network.
	Location pulumi.StringPtrInput
	// AddressPrefixes are the network's address space.
	AddressPrefixes pulumi.StringArrayInput
	// Tags go on the network.
	Tags pulumi.StringMapInput
}

// NewVirtualNetwork mirrors network.NewVirtualNetwork. Its subnets are separate Subnet
// resources, as the SDK advises against mixing the two forms.
func NewVirtualNetwork(ctx *pulumi.Context, name string, args *VirtualNetworkArgs, opts ...pulumi.ResourceOption) (*VirtualNetwork, error) {
	if args == nil || args.ResourceGroupName == nil || args.AddressPrefixes == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r VirtualNetwork
	err := ctx.RegisterResource("azure-native:network:VirtualNetwork", name, inputs(map[string]pulumi.Input{
		"resourceGroupName":  args.ResourceGroupName,
		"virtualNetworkName": args.VirtualNetworkName,
		"location":           args.Location,
		"addressSpace":       pulumi.Map{"addressPrefixes": args.AddressPrefixes},
		"tags":               args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Subnet mirrors network.Subnet.
type Subnet struct {
	pulumi.CustomResourceState

	// Name of the subnet.
	Name pulumi.StringOutput `pulumi:"name"`
}

// SubnetArgs mirrors the network.SubnetArgs pachdeploy sets.
type SubnetArgs struct {
	// ResourceGroupName holds the network.
	ResourceGroupName pulumi.StringInput
	// VirtualNetworkName is the network the subnet is in.
	VirtualNetworkName pulumi.StringInput
	// SubnetName is the subnet's name.
	SubnetName pulumi.StringPtrInput
	// AddressPrefix is the subnet's range.
	AddressPrefix pulumi.StringPtrInput
	// ServiceEndpoints are the Azure services (such as Microsoft.Storage) the subnet
	// reaches over the Azure backbone, as itself: what a storage account's network rule
	// for the subnet needs.
	ServiceEndpoints []ServiceEndpointPropertiesFormatArgs
	// Delegations hand the subnet to one Azure service (such as
	// Microsoft.DBforPostgreSQL/flexibleServers), which alone may then use it.
	Delegations []DelegationArgs
}

// DelegationArgs mirrors the network.DelegationArgs pachdeploy sets.
type DelegationArgs struct {
	// Name names the delegation within the subnet.
	Name pulumi.StringPtrInput
	// ServiceName is the service the subnet is delegated to.
	ServiceName pulumi.StringPtrInput
}

// ServiceEndpointPropertiesFormatArgs mirrors network.ServiceEndpointPropertiesFormatArgs.
type ServiceEndpointPropertiesFormatArgs struct {
	// Service is the endpoint's service, such as Microsoft.Storage.
	Service pulumi.StringPtrInput
}

// NewSubnet mirrors network.NewSubnet.
func NewSubnet(ctx *pulumi.Context, name string, args *SubnetArgs, opts ...pulumi.ResourceOption) (*Subnet, error) {
	if args == nil || args.ResourceGroupName == nil || args.VirtualNetworkName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r Subnet
	err := ctx.RegisterResource("azure-native:network:Subnet", name, inputs(map[string]pulumi.Input{
		"resourceGroupName":  args.ResourceGroupName,
		"virtualNetworkName": args.VirtualNetworkName,
		"subnetName":         args.SubnetName,
		"addressPrefix":      args.AddressPrefix,
		"serviceEndpoints":   serviceEndpoints(args.ServiceEndpoints),
		"delegations":        delegations(args.Delegations),
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// serviceEndpoints is the list as the provider takes it; nil when empty, so the input
// stays unset.
func serviceEndpoints(list []ServiceEndpointPropertiesFormatArgs) pulumi.Input {
	if len(list) == 0 {
		return nil
	}
	out := pulumi.Array{}
	for _, e := range list {
		out = append(out, inputs(map[string]pulumi.Input{"service": e.Service}))
	}
	return out
}

// delegations is the list as the provider takes it; nil when empty, so the input stays
// unset.
func delegations(list []DelegationArgs) pulumi.Input {
	if len(list) == 0 {
		return nil
	}
	out := pulumi.Array{}
	for _, d := range list {
		out = append(out, inputs(map[string]pulumi.Input{"name": d.Name, "serviceName": d.ServiceName}))
	}
	return out
}

// PrivateZone mirrors network.PrivateZone: a private DNS zone, answered only inside
// the virtual networks linked to it.
type PrivateZone struct {
	pulumi.CustomResourceState

	// Name of the zone.
	Name pulumi.StringOutput `pulumi:"name"`
}

// PrivateZoneArgs mirrors network.PrivateZoneArgs.
type PrivateZoneArgs struct {
	// ResourceGroupName holds the zone.
	ResourceGroupName pulumi.StringInput
	// PrivateZoneName is the zone's DNS name, without a terminating dot.
	PrivateZoneName pulumi.StringPtrInput
	// Location is global: private DNS zones are not regional.
	Location pulumi.StringPtrInput
	// Tags go on the zone.
	Tags pulumi.StringMapInput
}

// NewPrivateZone mirrors network.NewPrivateZone.
func NewPrivateZone(ctx *pulumi.Context, name string, args *PrivateZoneArgs, opts ...pulumi.ResourceOption) (*PrivateZone, error) {
	if args == nil || args.ResourceGroupName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r PrivateZone
	err := ctx.RegisterResource("azure-native:network:PrivateZone", name, inputs(map[string]pulumi.Input{
		"resourceGroupName": args.ResourceGroupName,
		"privateZoneName":   args.PrivateZoneName,
		"location":          args.Location,
		"tags":              args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// VirtualNetworkLink mirrors network.VirtualNetworkLink: it makes a private DNS zone
// answer inside one virtual network.
type VirtualNetworkLink struct {
	pulumi.CustomResourceState

	// Name of the link.
	Name pulumi.StringOutput `pulumi:"name"`
}

// VirtualNetworkLinkArgs mirrors the network.VirtualNetworkLinkArgs pachdeploy sets.
type VirtualNetworkLinkArgs struct {
	// ResourceGroupName holds the zone.
	ResourceGroupName pulumi.StringInput
	// PrivateZoneName is the zone linked.
	PrivateZoneName pulumi.StringInput
	// VirtualNetworkLinkName is the link's name.
	VirtualNetworkLinkName pulumi.StringPtrInput
	// Location is global, as the zone's.
	Location pulumi.StringPtrInput
	// VirtualNetwork is the network the zone answers in.
	VirtualNetwork *SubResourceArgs
	// RegistrationEnabled lets the network's VMs register their own records.
	RegistrationEnabled pulumi.BoolPtrInput
	// Tags go on the link.
	Tags pulumi.StringMapInput
}

// SubResourceArgs mirrors network.SubResourceArgs: a reference by resource id.
type SubResourceArgs struct {
	// Id is the resource id.
	Id pulumi.StringPtrInput
}

// NewVirtualNetworkLink mirrors network.NewVirtualNetworkLink.
func NewVirtualNetworkLink(ctx *pulumi.Context, name string, args *VirtualNetworkLinkArgs, opts ...pulumi.ResourceOption) (*VirtualNetworkLink, error) {
	if args == nil || args.ResourceGroupName == nil || args.PrivateZoneName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var network pulumi.Input
	if args.VirtualNetwork != nil {
		network = inputs(map[string]pulumi.Input{"id": args.VirtualNetwork.Id})
	}
	var r VirtualNetworkLink
	err := ctx.RegisterResource("azure-native:network:VirtualNetworkLink", name, inputs(map[string]pulumi.Input{
		"resourceGroupName":      args.ResourceGroupName,
		"privateZoneName":        args.PrivateZoneName,
		"virtualNetworkLinkName": args.VirtualNetworkLinkName,
		"location":               args.Location,
		"virtualNetwork":         network,
		"registrationEnabled":    args.RegistrationEnabled,
		"tags":                   args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// RoleAssignment mirrors authorization.RoleAssignment.
type RoleAssignment struct {
	pulumi.CustomResourceState
}

// RoleAssignmentArgs mirrors the authorization.RoleAssignmentArgs pachdeploy sets.
type RoleAssignmentArgs struct {
	// Scope is the resource id the role applies to.
	Scope pulumi.StringInput
	// PrincipalID is the identity given the role.
	PrincipalID pulumi.StringInput
	// PrincipalType is ServicePrincipal for managed identities (skips the directory
	// replication wait).
	PrincipalType pulumi.StringPtrInput
	// RoleDefinitionID is the role's full resource id.
	RoleDefinitionID pulumi.StringInput
}

// NewRoleAssignment mirrors authorization.NewRoleAssignment.
func NewRoleAssignment(ctx *pulumi.Context, name string, args *RoleAssignmentArgs, opts ...pulumi.ResourceOption) (*RoleAssignment, error) {
	if args == nil || args.Scope == nil || args.PrincipalID == nil || args.RoleDefinitionID == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r RoleAssignment
	err := ctx.RegisterResource("azure-native:authorization:RoleAssignment", name, inputs(map[string]pulumi.Input{
		"scope":            args.Scope,
		"principalId":      args.PrincipalID,
		"principalType":    args.PrincipalType,
		"roleDefinitionId": args.RoleDefinitionID,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// UserAssignedIdentity mirrors managedidentity.UserAssignedIdentity.
type UserAssignedIdentity struct {
	pulumi.CustomResourceState

	// PrincipalID is the identity's service principal.
	PrincipalID pulumi.StringOutput `pulumi:"principalId"`
	// ClientID is the identity's application id.
	ClientID pulumi.StringOutput `pulumi:"clientId"`
}

// UserAssignedIdentityArgs mirrors the managedidentity.UserAssignedIdentityArgs
// pachdeploy sets.
type UserAssignedIdentityArgs struct {
	// ResourceGroupName holds the identity.
	ResourceGroupName pulumi.StringInput
	// ResourceName is the identity's name.
	ResourceName pulumi.StringPtrInput
	// Location of the identity.
	Location pulumi.StringPtrInput
	// Tags go on the identity.
	Tags pulumi.StringMapInput
}

// NewUserAssignedIdentity mirrors managedidentity.NewUserAssignedIdentity.
func NewUserAssignedIdentity(ctx *pulumi.Context, name string, args *UserAssignedIdentityArgs, opts ...pulumi.ResourceOption) (*UserAssignedIdentity, error) {
	if args == nil || args.ResourceGroupName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r UserAssignedIdentity
	err := ctx.RegisterResource("azure-native:managedidentity:UserAssignedIdentity", name, inputs(map[string]pulumi.Input{
		"resourceGroupName": args.ResourceGroupName,
		"resourceName":      args.ResourceName,
		"location":          args.Location,
		"tags":              args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// GetClientConfigResult mirrors authorization.GetClientConfigResult: who the provider
// signs in as.
type GetClientConfigResult struct {
	// ClientId is the application id of the signed-in principal.
	ClientId string `pulumi:"clientId"`
	// ObjectId is the signed-in principal's object id, which role assignments name.
	ObjectId string `pulumi:"objectId"`
	// SubscriptionId is the provider's subscription.
	SubscriptionId string `pulumi:"subscriptionId"`
	// TenantId is the principal's tenant.
	TenantId string `pulumi:"tenantId"`
}

// GetClientConfigResultOutput mirrors authorization.GetClientConfigResultOutput.
type GetClientConfigResultOutput struct{ *pulumi.OutputState }

// ElementType is the result's Go type.
func (GetClientConfigResultOutput) ElementType() reflect.Type {
	return reflect.TypeFor[GetClientConfigResult]()
}

// ObjectId is the signed-in principal's object id.
func (o GetClientConfigResultOutput) ObjectId() pulumi.StringOutput {
	return o.ApplyT(func(r GetClientConfigResult) string { return r.ObjectId }).(pulumi.StringOutput)
}

// GetClientConfigOutput mirrors authorization.GetClientConfigOutput.
func GetClientConfigOutput(ctx *pulumi.Context, opts ...pulumi.InvokeOption) GetClientConfigResultOutput {
	options := pulumi.InvokeOutputOptions{InvokeOptions: append([]pulumi.InvokeOption{pulumi.Version(Version)}, opts...)}
	return ctx.InvokeOutput("azure-native:authorization:getClientConfig", nil,
		GetClientConfigResultOutput{}, options).(GetClientConfigResultOutput)
}
