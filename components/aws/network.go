// Package aws holds pachdeploy's AWS components: the network, the EKS cluster, the
// S3 bucket and the IAM identity Pachyderm uses to reach it. Every resource takes
// its AWS provider from the component's options, so the stack config picks the region.
package aws

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The network layout eksctl uses for two availability zones: one /16 VPC, a public
// and a private /19 per zone.
const vpcCIDR = "192.168.0.0/16"

var (
	publicSubnetCIDRs  = []string{"192.168.0.0/19", "192.168.32.0/19"}
	privateSubnetCIDRs = []string{"192.168.64.0/19", "192.168.96.0/19"}
)

// Subnet tags that tell the AWS load balancer integrations where to place internet
// facing and internal load balancers.
const (
	publicELBTag   = "kubernetes.io/role/elb"
	internalELBTag = "kubernetes.io/role/internal-elb"
)

// NetworkArgs are the inputs of NewNetwork.
type NetworkArgs struct {
	// Region is the region of the component's AWS provider; availability zones are
	// looked up in it. Required.
	Region string `pulumi:"region"`
	// ClusterName names the network's resources (Name tags). Required.
	ClusterName string `pulumi:"clusterName"`
	// RetainPrivateSubnets keeps the VPC and its private subnets on destroy. Default
	// false. A managed database kept on destroy lives in them, and AWS refuses to
	// delete a subnet that holds its network interface, or a VPC that holds its
	// security group.
	RetainPrivateSubnets bool `pulumi:"retainPrivateSubnets,optional"`
}

// Network is a dedicated VPC across two availability zones, as eksctl makes one:
// public subnets (internet gateway, load balancers, one NAT gateway) and private
// subnets for the nodes, which reach out through the NAT gateway; every flow is logged.
type Network struct {
	pulumi.ResourceState

	// VpcID is the VPC's id.
	VpcID pulumi.StringOutput `pulumi:"vpcId"`
	// PublicSubnetIDs are the public subnets, one per zone.
	PublicSubnetIDs pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	// PrivateSubnetIDs are the private subnets, one per zone, for the nodes.
	PrivateSubnetIDs pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
}

// NewNetwork creates the VPC, its subnets, gateways and routes.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		return nil, fmt.Errorf("aws network %q: %w", name, rules.ErrNilArgs)
	}
	var p rules.Problems
	p.Add("Region", args.Region, rules.AWSRegion(args.Region))
	p.Add("ClusterName", args.ClusterName, rules.EKSClusterName(args.ClusterName))
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("aws network %q: %w", name, err)
	}
	c := &Network{}
	if err := ctx.RegisterComponentResource("pachdeploy:aws:Network", name, c, opts...); err != nil {
		return nil, err
	}
	in := pulumi.Parent(c)
	tags := func(suffix string, extra ...string) pulumi.StringMap {
		m := pulumi.StringMap{"Name": pulumi.String(args.ClusterName + "-" + suffix)}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = pulumi.String(extra[i+1])
		}
		return m
	}

	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{
		State: pulumi.StringRef("available"),
		Filters: []aws.GetAvailabilityZonesFilter{
			{Name: "region-name", Values: []string{args.Region}},
			// Regular zones only: Local and Wavelength Zones lack EKS and NAT gateways.
			{Name: "opt-in-status", Values: []string{"opt-in-not-required"}},
		},
	}, in)
	if err != nil {
		return nil, err
	}
	if len(zones.Names) < len(publicSubnetCIDRs) {
		return nil, fmt.Errorf("aws network %q: region %s has %d available zones; EKS needs %d",
			name, args.Region, len(zones.Names), len(publicSubnetCIDRs))
	}

	vpc, err := ec2.NewVpc(ctx, name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(vpcCIDR),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               tags("vpc"),
	}, in, pulumi.RetainOnDelete(args.RetainPrivateSubnets))
	if err != nil {
		return nil, err
	}
	// Adopting the default security group with no rules closes it (CKV2_AWS_12).
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(),
		Tags:  tags("default-closed"),
	}, in); err != nil {
		return nil, err
	}
	igw, err := ec2.NewInternetGateway(ctx, name, &ec2.InternetGatewayArgs{VpcId: vpc.ID(), Tags: tags("igw")}, in)
	if err != nil {
		return nil, err
	}
	publicRoutes, err := ec2.NewRouteTable(ctx, name+"-public", &ec2.RouteTableArgs{
		VpcId:  vpc.ID(),
		Routes: ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}},
		Tags:   tags("public"),
	}, in)
	if err != nil {
		return nil, err
	}

	subnet := func(kind string, i int, cidr string, routes *ec2.RouteTable, elbTag string, retain bool) (*ec2.Subnet, error) {
		zone := zones.Names[i]
		s, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-%s-%d", name, kind, i), &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(cidr),
			AvailabilityZone: pulumi.String(zone),
			Tags:             tags(kind+"-"+zone, elbTag, "1"),
		}, in, pulumi.RetainOnDelete(retain))
		if err != nil {
			return nil, err
		}
		_, err = ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-%s-%d", name, kind, i), &ec2.RouteTableAssociationArgs{
			SubnetId: s.ID(), RouteTableId: routes.ID(),
		}, in)
		return s, err
	}
	var public, private pulumi.StringArray
	var firstPublic *ec2.Subnet
	for i, cidr := range publicSubnetCIDRs {
		s, err := subnet("public", i, cidr, publicRoutes, publicELBTag, false)
		if err != nil {
			return nil, err
		}
		if firstPublic == nil {
			firstPublic = s
		}
		public = append(public, s.ID().ToStringOutput())
	}

	eip, err := ec2.NewEip(ctx, name+"-nat", &ec2.EipArgs{Domain: pulumi.String("vpc"), Tags: tags("nat")}, in)
	if err != nil {
		return nil, err
	}
	nat, err := ec2.NewNatGateway(ctx, name, &ec2.NatGatewayArgs{
		AllocationId: eip.AllocationId,
		SubnetId:     firstPublic.ID(),
		Tags:         tags("nat"),
	}, in, pulumi.DependsOn([]pulumi.Resource{igw}))
	if err != nil {
		return nil, err
	}
	privateRoutes, err := ec2.NewRouteTable(ctx, name+"-private", &ec2.RouteTableArgs{
		VpcId:  vpc.ID(),
		Routes: ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: nat.ID()}},
		Tags:   tags("private"),
	}, in)
	if err != nil {
		return nil, err
	}
	for i, cidr := range privateSubnetCIDRs {
		s, err := subnet("private", i, cidr, privateRoutes, internalELBTag, args.RetainPrivateSubnets)
		if err != nil {
			return nil, err
		}
		private = append(private, s.ID().ToStringOutput())
	}

	acct, err := accountOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := newFlowLog(ctx, name, args.ClusterName, acct, vpc, in); err != nil {
		return nil, err
	}

	c.VpcID = vpc.ID().ToStringOutput()
	c.PublicSubnetIDs = public.ToStringArrayOutput()
	c.PrivateSubnetIDs = private.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"vpcId": c.VpcID, "publicSubnetIds": c.PublicSubnetIDs, "privateSubnetIds": c.PrivateSubnetIDs,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// FlowLogRetentionDays is how long the VPC's flow logs are kept.
const FlowLogRetentionDays = 365

// newFlowLog records every flow of the VPC (CKV2_AWS_11) into an encrypted log group of its own,
// kept FlowLogRetentionDays, through a role that may write to that group only.
func newFlowLog(ctx *pulumi.Context, name, clusterName string, acct account, vpc *ec2.Vpc, in pulumi.ResourceOption) error {
	group, err := newLogGroup(ctx, name+"-flow-logs", fmt.Sprintf("/aws/vpc/%s/flow-logs", clusterName),
		"VPC flow logs of "+clusterName, FlowLogRetentionDays, acct, in)
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, name+"-flow-logs", &iam.RoleArgs{
		Description:      pulumi.Sprintf("VPC flow logs of %s", clusterName),
		AssumeRolePolicy: pulumi.String(serviceTrustPolicy("vpc-flow-logs.amazonaws.com").String()),
	}, in)
	if err != nil {
		return err
	}
	write := group.Arn.ApplyT(func(arn string) string {
		return newPolicy(statement{
			Sid:      "WriteFlowLogs",
			Effect:   "Allow",
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			Resource: []string{arn, arn + ":*"},
		}).String()
	}).(pulumi.StringOutput)
	policy, err := iam.NewRolePolicy(ctx, name+"-flow-logs", &iam.RolePolicyArgs{Role: role.Name, Policy: write}, in)
	if err != nil {
		return err
	}
	_, err = ec2.NewFlowLog(ctx, name, &ec2.FlowLogArgs{
		VpcId:              vpc.ID(),
		TrafficType:        pulumi.String("ALL"),
		LogDestinationType: pulumi.String("cloud-watch-logs"),
		LogDestination:     group.Arn,
		IamRoleArn:         role.Arn,
	}, in, pulumi.DependsOn([]pulumi.Resource{policy}))
	return err
}
