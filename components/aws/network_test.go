package aws

import (
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func runNetwork(t *testing.T) *offline.Cloud {
	t.Helper()
	return run(t, func(ctx *pulumi.Context, withAWS pulumi.ResourceOption) error {
		_, err := NewNetwork(ctx, "net", &NetworkArgs{Region: testRegion, ClusterName: "pach-test"}, withAWS)
		return err
	})
}

func TestNetwork_TwoZonesPublicAndPrivateSubnets(t *testing.T) {
	cloud := runNetwork(t)
	vpc := mocktest.One(t, cloud, "aws:ec2/vpc:Vpc")
	if mocktest.String(t, vpc.Inputs, "cidrBlock") != vpcCIDR {
		t.Errorf("VPC CIDR = %q, want %s", mocktest.String(t, vpc.Inputs, "cidrBlock"), vpcCIDR)
	}
	type subnet struct{ zone, cidr, tag string }
	var got []subnet
	for _, s := range cloud.OfType("aws:ec2/subnet:Subnet") {
		tag := ""
		for _, k := range []string{publicELBTag, internalELBTag} {
			if mocktest.String(t, s.Inputs, "tags"+mocktest.Key(k)) == "1" {
				tag += k
			}
		}
		if mocktest.String(t, s.Inputs, "vpcId") != vpc.ID {
			t.Errorf("subnet %s is in VPC %q, want %q", s.Name, mocktest.String(t, s.Inputs, "vpcId"), vpc.ID)
		}
		if v := mocktest.Value(t, s.Inputs, "mapPublicIpOnLaunch"); v.IsBool() && v.BoolValue() {
			t.Errorf("subnet %s maps public IPs on launch", s.Name)
		}
		got = append(got, subnet{mocktest.String(t, s.Inputs, "availabilityZone"), mocktest.String(t, s.Inputs, "cidrBlock"), tag})
	}
	want := []subnet{
		{testRegion + "a", "192.168.0.0/19", publicELBTag},
		{testRegion + "b", "192.168.32.0/19", publicELBTag},
		{testRegion + "a", "192.168.64.0/19", internalELBTag},
		{testRegion + "b", "192.168.96.0/19", internalELBTag},
	}
	slices.SortFunc(got, func(a, b subnet) int { return strings.Compare(a.cidr, b.cidr) })
	if !slices.Equal(got, want) {
		t.Errorf("subnets = %+v, want %+v", got, want)
	}
}

func TestNetwork_PrivateSubnetsLeaveThroughOneNATGateway(t *testing.T) {
	cloud := runNetwork(t)
	nat := mocktest.One(t, cloud, "aws:ec2/natGateway:NatGateway")
	eip := mocktest.One(t, cloud, "aws:ec2/eip:Eip")
	igw := mocktest.One(t, cloud, "aws:ec2/internetGateway:InternetGateway")
	if mocktest.String(t, nat.Inputs, "allocationId") != mocktest.String(t, eip.Outputs, "allocationId") {
		t.Errorf("NAT gateway uses allocation %q, want the EIP's", mocktest.String(t, nat.Inputs, "allocationId"))
	}
	if !slices.Contains(nat.DependsOn, igw.URN) {
		t.Error("NAT gateway does not wait for the internet gateway")
	}
	routes := map[string]string{}
	for _, rt := range cloud.OfType("aws:ec2/routeTable:RouteTable") {
		r := mocktest.Value(t, rt.Inputs, "routes").ArrayValue()
		if len(r) != 1 || mocktest.String(t, r[0].ObjectValue(), "cidrBlock") != "0.0.0.0/0" {
			t.Fatalf("route table %s routes = %v, want one default route", rt.Name, r)
		}
		routes[rt.Name] = mocktest.String(t, r[0].ObjectValue(), "gatewayId") + mocktest.String(t, r[0].ObjectValue(), "natGatewayId")
	}
	if routes["net-public"] != igw.ID || routes["net-private"] != nat.ID {
		t.Errorf("default routes = %v, want public via %s and private via %s", routes, igw.ID, nat.ID)
	}
	if n := len(cloud.OfType("aws:ec2/routeTableAssociation:RouteTableAssociation")); n != 4 {
		t.Errorf("%d route table associations, want 4", n)
	}
}

func TestNetwork_DefaultSecurityGroupClosed(t *testing.T) {
	sg := mocktest.One(t, runNetwork(t), "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
	for _, k := range []string{"ingress", "egress"} {
		if v := mocktest.Value(t, sg.Inputs, k); v.IsArray() && len(v.ArrayValue()) > 0 {
			t.Errorf("default security group %s rules = %v, want none", k, v)
		}
	}
}

func TestNetwork_ZonesLookedUpInConfiguredRegion(t *testing.T) {
	cloud := runNetwork(t)
	for _, inv := range cloud.Invokes() {
		if inv.Token != "aws:index/getAvailabilityZones:getAvailabilityZones" {
			continue
		}
		for _, f := range mocktest.Value(t, inv.Args, "filters").ArrayValue() {
			if mocktest.String(t, f.ObjectValue(), "name") == "region-name" {
				if v := mocktest.Value(t, f.ObjectValue(), "values").ArrayValue(); len(v) == 1 && v[0].StringValue() == testRegion {
					return
				}
			}
		}
	}
	t.Errorf("no getAvailabilityZones call filtered on region %s", testRegion)
}

func TestNewNetwork_InvalidArgsListsAllProblems(t *testing.T) {
	err := offline.New("pachdeploy", "test", standIns).Run(func(ctx *pulumi.Context) error {
		_, err := NewNetwork(ctx, "net", &NetworkArgs{Region: "Oregon", ClusterName: "-x"})
		return err
	})
	if got := problemFields(t, err); !slices.Equal(got, []string{"Region", "ClusterName"}) {
		t.Errorf("problems on %v, want [Region ClusterName]", got)
	}
}

// TestNetwork_CKV2_AWS_11_FlowLogsEveryFlowToItsOwnGroup: the VPC's flows all go to a
// retained log group, through a role only the flow-logs service assumes and that may
// write to that group only.
func TestNetwork_CKV2_AWS_11_FlowLogsEveryFlowToItsOwnGroup(t *testing.T) {
	cloud := runNetwork(t)
	vpc := mocktest.One(t, cloud, "aws:ec2/vpc:Vpc")
	flow := mocktest.One(t, cloud, "aws:ec2/flowLog:FlowLog")
	group, ok := cloud.Named("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs")
	if !ok {
		t.Fatal("no flow-log group")
	}
	role, _ := cloud.Named("aws:iam/role:Role", "net-flow-logs")
	if mocktest.String(t, flow.Inputs, "vpcId") != vpc.ID || mocktest.String(t, flow.Inputs, "trafficType") != "ALL" ||
		mocktest.String(t, flow.Inputs, "logDestination") != group.Outputs["arn"].StringValue() ||
		mocktest.String(t, flow.Inputs, "iamRoleArn") != role.Outputs["arn"].StringValue() {
		t.Errorf("flow log %v, want every flow of the VPC into its group through its role", flow.Inputs)
	}
	if days := mocktest.Value(t, group.Inputs, "retentionInDays"); days.NumberValue() != FlowLogRetentionDays {
		t.Errorf("retention %v, want %d", days, FlowLogRetentionDays)
	}
	trust := parsePolicy(t, mocktest.MustInput(t, role, "assumeRolePolicy"))
	if p, _ := trust.Statement[0].Principal.(map[string]any); p["Service"] != "vpc-flow-logs.amazonaws.com" {
		t.Errorf("trust %+v, want only the flow-logs service", trust.Statement)
	}
	write := parsePolicy(t, mocktest.MustInput(t, mocktest.One(t, cloud, "aws:iam/rolePolicy:RolePolicy"), "policy"))
	arn := group.Outputs["arn"].StringValue()
	if len(write.Statement) != 1 || !slices.Equal(write.Statement[0].Resource, []string{arn, arn + ":*"}) {
		t.Errorf("write policy %+v, want the flow-log group only", write.Statement)
	}
	if !mocktest.DependsOn(flow, mocktest.One(t, cloud, "aws:iam/rolePolicy:RolePolicy").URN) {
		t.Error("the flow log does not wait for its role's policy")
	}
	assertLogGroupKey(t, cloud, "net-flow-logs", mocktest.MustString(t, group, "name"))
}

// TestNetwork_RetainPrivateSubnets: a kept database keeps the VPC and the private
// subnets it lives in; nothing else of the network is kept, and by default nothing is.
func TestNetwork_RetainPrivateSubnets(t *testing.T) {
	for _, retain := range []bool{false, true} {
		cloud := run(t, func(ctx *pulumi.Context, withAWS pulumi.ResourceOption) error {
			_, err := NewNetwork(ctx, "net", &NetworkArgs{Region: testRegion, ClusterName: "pach-test",
				RetainPrivateSubnets: retain}, withAWS)
			return err
		})
		var kept []string
		for _, r := range cloud.Resources() {
			if r.RetainOnDelete {
				kept = append(kept, r.Name)
			}
		}
		slices.Sort(kept)
		var want []string
		if retain {
			want = []string{"net", "net-private-0", "net-private-1"}
		}
		if !slices.Equal(kept, want) {
			t.Errorf("RetainPrivateSubnets %v: retained %v, want %v", retain, kept, want)
		}
	}
}
