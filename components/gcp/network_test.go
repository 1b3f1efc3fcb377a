package gcp

import (
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestNetwork_CKV_GCP_26_74_CustomVPCWithNAT: a custom-mode VPC (no auto subnets, no
// default firewall rules), one subnet with flow logs (CKV_GCP_26), private Google access
// (CKV_GCP_74) and the pod and service ranges, a router and a NAT; the cluster uses the
// subnet and its secondary ranges.
func TestNetwork_CKV_GCP_26_74_CustomVPCWithNAT(t *testing.T) {
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		n, err := NewNetwork(ctx, "net", &NetworkArgs{Project: "acme-data", Region: "us-central1", Name: "pachdeploy-dev"})
		if err != nil {
			return err
		}
		args := validClusterArgs()
		args.Network, args.Subnetwork = n.NetworkSelfLink, n.SubnetworkSelfLink
		args.PodsRangeName, args.ServicesRangeName = n.PodsRangeName, n.ServicesRangeName
		_, err = NewCluster(ctx, "gke", args)
		return err
	}, standIns)
	vpc := mocktest.One(t, cloud, "gcp:compute/network:Network")
	subnet := mocktest.One(t, cloud, "gcp:compute/subnetwork:Subnetwork")
	nat := mocktest.One(t, cloud, "gcp:compute/routerNat:RouterNat")
	mocktest.One(t, cloud, "gcp:compute/router:Router")
	for _, tt := range []struct {
		what string
		got  any
		want any
	}{
		{"autoCreateSubnetworks", mocktest.Bool(t, vpc.Inputs, "autoCreateSubnetworks"), false},
		{"CKV_GCP_26 flow logs", mocktest.String(t, subnet.Inputs, "logConfig.aggregationInterval"), "INTERVAL_5_SEC"},
		{"CKV_GCP_74 private Google access", mocktest.Bool(t, subnet.Inputs, "privateIpGoogleAccess"), true},
		{"nodes range", mocktest.String(t, subnet.Inputs, "ipCidrRange"), DefaultNodesCIDR},
		{"pods range", mocktest.String(t, subnet.Inputs, "secondaryIpRanges[0].ipCidrRange"), DefaultPodsCIDR},
		{"services range", mocktest.String(t, subnet.Inputs, "secondaryIpRanges[1].rangeName"), ServicesRangeName},
		{"NAT for every range", mocktest.String(t, nat.Inputs, "sourceSubnetworkIpRangesToNat"), "ALL_SUBNETWORKS_ALL_IP_RANGES"},
		{"NAT logs errors", mocktest.Bool(t, nat.Inputs, "logConfig.enable"), true},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	cluster := mocktest.One(t, cloud, tCluster)
	if got, want := mocktest.MustString(t, cluster, "subnetwork"), subnet.Outputs["selfLink"].StringValue(); got != want {
		t.Errorf("cluster subnetwork %q, want %q", got, want)
	}
	if got := mocktest.MustString(t, cluster, "ipAllocationPolicy.clusterSecondaryRangeName"); got != PodsRangeName {
		t.Errorf("cluster pods range %q, want %q", got, PodsRangeName)
	}
}
