package gcp

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Network defaults: one node subnet with VPC-native secondary ranges for pods and
// services, sized like GKE's own defaults for a cluster of up to a few hundred nodes.
const (
	DefaultNodesCIDR    = "10.0.0.0/20"
	DefaultPodsCIDR     = "10.4.0.0/14"
	DefaultServicesCIDR = "10.8.0.0/20"
	// PodsRangeName and ServicesRangeName name the subnet's secondary ranges.
	PodsRangeName     = "pods"
	ServicesRangeName = "services"
)

// NetworkArgs are the inputs of NewNetwork.
type NetworkArgs struct {
	// Project is the Google Cloud project. Default "": the provider's.
	Project string `pulumi:"project,optional"`
	// Region holds the subnet, the router and the NAT. Required.
	Region string `pulumi:"region"`
	// Name prefixes the network's resources (name-net, name-nodes, name-router,
	// name-nat). Required: a GKE cluster name, so every derived name is valid.
	Name string `pulumi:"name"`
	// NodesCIDR is the subnet's primary range, for the nodes. Default DefaultNodesCIDR.
	NodesCIDR string `pulumi:"nodesCidr,optional"`
	// PodsCIDR is the subnet's secondary range for pods. Default DefaultPodsCIDR.
	PodsCIDR string `pulumi:"podsCidr,optional"`
	// ServicesCIDR is the subnet's secondary range for services. Default
	// DefaultServicesCIDR.
	ServicesCIDR string `pulumi:"servicesCidr,optional"`
	// Keep retains the VPC on destroy. Default false. Set it when a database that
	// destroy keeps is peered into the network: its private IP lives in this VPC, and
	// Google refuses to delete a VPC whose range a peering still holds.
	Keep bool `pulumi:"keep,optional"`
}

// Network is a custom-mode VPC of Pachyderm's own: one subnet for the nodes with
// secondary ranges for pods and services (a VPC-native cluster), private Google access
// and flow logs, and a Cloud Router with Cloud NAT so nodes reach the internet without
// public addresses. Unlike the project's `default` network it has no auto-created
// subnets in every region and no default firewall rules opening SSH and RDP.
type Network struct {
	pulumi.ResourceState

	// NetworkSelfLink is the VPC the cluster attaches to (ClusterArgs.Network).
	NetworkSelfLink pulumi.StringOutput `pulumi:"networkSelfLink"`
	// SubnetworkSelfLink is the node subnet the cluster attaches to
	// (ClusterArgs.Subnetwork).
	SubnetworkSelfLink pulumi.StringOutput `pulumi:"subnetworkSelfLink"`
	// PodsRangeName and ServicesRangeName name the subnet's secondary ranges.
	PodsRangeName, ServicesRangeName string
	// CIDRs are the ranges the network's subnet uses (nodes, pods, services): what a
	// range reserved in the same VPC must not overlap.
	CIDRs []string
}

func (a NetworkArgs) withDefaults() NetworkArgs {
	if a.NodesCIDR == "" {
		a.NodesCIDR = DefaultNodesCIDR
	}
	if a.PodsCIDR == "" {
		a.PodsCIDR = DefaultPodsCIDR
	}
	if a.ServicesCIDR == "" {
		a.ServicesCIDR = DefaultServicesCIDR
	}
	return a
}

func (a NetworkArgs) validate() error {
	var p rules.Problems
	if a.Project != "" {
		p.Add("Project", a.Project, rules.GCPProjectID(a.Project))
	}
	p.Add("Region", a.Region, rules.GCPRegion(a.Region))
	p.Add("Name", a.Name, rules.GKEClusterName(a.Name))
	p.Add("NodesCIDR", a.NodesCIDR, rules.CIDR(a.NodesCIDR))
	p.Add("PodsCIDR", a.PodsCIDR, rules.CIDR(a.PodsCIDR))
	p.Add("ServicesCIDR", a.ServicesCIDR, rules.CIDR(a.ServicesCIDR))
	return p.Err()
}

// NewNetwork creates the VPC, its node subnet, a Cloud Router and Cloud NAT.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		return nil, fmt.Errorf("gcp network %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("gcp network %q: %w", name, err)
	}
	n := &Network{PodsRangeName: PodsRangeName, ServicesRangeName: ServicesRangeName,
		CIDRs: []string{a.NodesCIDR, a.PodsCIDR, a.ServicesCIDR}}
	if err := ctx.RegisterComponentResource("pachdeploy:gcp:Network", name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)
	project := optional(a.Project)

	api, err := projects.NewService(ctx, name+"-compute-api", &projects.ServiceArgs{
		Project:          project,
		Service:          pulumi.String("compute.googleapis.com"),
		DisableOnDestroy: pulumi.Bool(false),
	}, parent)
	if err != nil {
		return nil, err
	}
	vpc, err := compute.NewNetwork(ctx, name, &compute.NetworkArgs{
		Project:               project,
		Name:                  pulumi.String(a.Name + "-net"),
		AutoCreateSubnetworks: pulumi.Bool(false),
		RoutingMode:           pulumi.String("REGIONAL"),
		Description:           pulumi.String("Pachyderm's network (pachdeploy)"),
	}, parent, pulumi.DependsOn([]pulumi.Resource{api}), pulumi.RetainOnDelete(a.Keep))
	if err != nil {
		return nil, err
	}
	subnet, err := compute.NewSubnetwork(ctx, name+"-nodes", &compute.SubnetworkArgs{
		Project:     project,
		Name:        pulumi.String(a.Name + "-nodes"),
		Region:      pulumi.String(a.Region),
		Network:     vpc.ID(),
		IpCidrRange: pulumi.String(a.NodesCIDR),
		SecondaryIpRanges: compute.SubnetworkSecondaryIpRangeArray{
			&compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(PodsRangeName), IpCidrRange: pulumi.String(a.PodsCIDR)},
			&compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(ServicesRangeName), IpCidrRange: pulumi.String(a.ServicesCIDR)},
		},
		// Nodes without public addresses still reach Google APIs (GCS, Artifact Registry).
		PrivateIpGoogleAccess: pulumi.Bool(true),
		// CKV_GCP_26: VPC flow logs on the subnet.
		LogConfig: &compute.SubnetworkLogConfigArgs{
			AggregationInterval: pulumi.String("INTERVAL_5_SEC"),
			FlowSampling:        pulumi.Float64(0.5),
			Metadata:            pulumi.String("INCLUDE_ALL_METADATA"),
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	router, err := compute.NewRouter(ctx, name+"-router", &compute.RouterArgs{
		Project: project,
		Name:    pulumi.String(a.Name + "-router"),
		Region:  pulumi.String(a.Region),
		Network: vpc.ID(),
	}, parent)
	if err != nil {
		return nil, err
	}
	_, err = compute.NewRouterNat(ctx, name+"-nat", &compute.RouterNatArgs{
		Project:                       project,
		Name:                          pulumi.String(a.Name + "-nat"),
		Region:                        pulumi.String(a.Region),
		Router:                        router.Name,
		NatIpAllocateOption:           pulumi.String("AUTO_ONLY"),
		SourceSubnetworkIpRangesToNat: pulumi.String("ALL_SUBNETWORKS_ALL_IP_RANGES"),
		LogConfig:                     &compute.RouterNatLogConfigArgs{Enable: pulumi.Bool(true), Filter: pulumi.String("ERRORS_ONLY")},
	}, parent)
	if err != nil {
		return nil, err
	}
	n.NetworkSelfLink = vpc.SelfLink
	n.SubnetworkSelfLink = subnet.SelfLink
	if err := ctx.RegisterResourceOutputs(n, pulumi.Map{
		"networkSelfLink":    n.NetworkSelfLink,
		"subnetworkSelfLink": n.SubnetworkSelfLink,
	}); err != nil {
		return nil, err
	}
	return n, nil
}
