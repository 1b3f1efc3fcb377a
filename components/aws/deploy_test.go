package aws

import (
	"reflect"
	"slices"
	"testing"

	"github.com/pachdeploy/pachdeploy/components/aws/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// testDeployConfig is a resolved AWS config, with the managed database when managed.
func testDeployConfig(managed, deleteData bool) *config.Config {
	cfg := &config.Config{
		Cloud: config.AWS, Region: testRegion, ClusterName: "Pach_Test", KubernetesVersion: settings.DefaultKubernetesVersion,
		NodeInstanceType: settings.DefaultInstanceType, NodeCount: 2, NodeMinCount: 1, NodeMaxCount: 2,
		BucketName: "pach-test-data", Namespace: config.DefaultNamespace, ChartVersion: config.DefaultChartVersion,
		Identity: settings.IdentityIRSA, Database: config.DatabaseInCluster, DeleteDataOnDestroy: deleteData,
	}
	if managed {
		cfg.Database = config.DatabaseManaged
		cfg.DatabaseVersion = "17"
		cfg.DatabaseInstanceType = "db.m7g.large"
		cfg.DatabaseStorageGB = 50
		cfg.DatabaseBackupDays = 14
		cfg.DatabaseHighAvailability = true
	}
	return cfg
}

func runDeploy(t *testing.T, cfg *config.Config) (*offline.Cloud, *target.Infra) {
	t.Helper()
	var infra *target.Infra
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		var err error
		infra, err = deployAWS(ctx, cfg)
		return err
	}, standIns)
	return cloud, infra
}

// TestDeploy_ManagedDatabaseInTheClusterNetwork: database: managed puts the instance
// in the new network's private subnets, admits the EKS cluster security group the
// managed nodes use, takes the database settings, and hands the release the database.
func TestDeploy_ManagedDatabaseInTheClusterNetwork(t *testing.T) {
	cfg := testDeployConfig(true, false)
	cloud, infra := runDeploy(t, cfg)
	if infra.Database == nil {
		t.Fatal("Infra.Database is nil with database: managed")
	}
	db := mocktest.One(t, cloud, dbInstanceType)
	if got := mocktest.MustString(t, db, "identifier"); got != "pach-test-pachyderm" {
		t.Errorf("identifier = %q, want the cluster's name made an RDS identifier", got)
	}
	for _, tc := range []struct {
		key  string
		want any
	}{
		{"engineVersion", "17"}, {"instanceClass", "db.m7g.large"}, {"allocatedStorage", float64(50)},
		{"backupRetentionPeriod", float64(14)}, {"multiAz", true}, {"deletionProtection", true},
	} {
		if got := mocktest.Plain(mocktest.MustInput(t, db, tc.key)); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.key, got, tc.want)
		}
	}
	var private []string
	for _, i := range []string{"0", "1"} {
		private = append(private, mocktest.Named(t, cloud, "aws:ec2/subnet:Subnet", cfg.ClusterName+"-private-"+i).ID)
	}
	subnets := mocktest.One(t, cloud, "aws:rds/subnetGroup:SubnetGroup")
	if got := toStrings(mocktest.Plain(mocktest.MustInput(t, subnets, "subnetIds"))); !slices.Equal(got, private) {
		t.Errorf("subnet group on %v, want the private subnets %v", got, private)
	}
	eks := mocktest.One(t, cloud, eksClusterType)
	rule := mocktest.One(t, cloud, dbIngressType)
	if got, want := mocktest.MustString(t, rule, "referencedSecurityGroupId"), mocktest.String(t, eks.Outputs, "clusterSecurityGroupId"); got != want || want == "" {
		t.Errorf("the database admits %q, want the EKS cluster security group %q", got, want)
	}
	sg := mocktest.One(t, cloud, "aws:ec2/securityGroup:SecurityGroup")
	if got, want := mocktest.MustString(t, sg, "vpcId"), mocktest.One(t, cloud, "aws:ec2/vpc:Vpc").ID; got != want {
		t.Errorf("database security group in VPC %q, want the cluster's %q", got, want)
	}
}

// TestDeploy_KeptDatabaseKeepsItsSubnets: a database destroy keeps holds the VPC and
// the private subnets (AWS refuses to delete them under it); with deleteDataOnDestroy,
// or without a managed database, the network goes.
func TestDeploy_KeptDatabaseKeepsItsSubnets(t *testing.T) {
	for _, tc := range []struct {
		managed, deleteData, kept bool
	}{{true, false, true}, {true, true, false}, {false, false, false}} {
		cfg := testDeployConfig(tc.managed, tc.deleteData)
		cloud, infra := runDeploy(t, cfg)
		if got := infra.Database != nil; got != tc.managed {
			t.Errorf("managed %v: Infra.Database set = %v", tc.managed, got)
		}
		if !tc.managed && len(cloud.OfType(dbInstanceType)) != 0 {
			t.Error("an RDS instance without database: managed")
		}
		for _, r := range []offline.Resource{mocktest.One(t, cloud, "aws:ec2/vpc:Vpc"),
			mocktest.Named(t, cloud, "aws:ec2/subnet:Subnet", cfg.ClusterName+"-private-0")} {
			if r.RetainOnDelete != tc.kept {
				t.Errorf("managed %v, deleteData %v: %s retainOnDelete = %v, want %v", tc.managed, tc.deleteData, r.Name, r.RetainOnDelete, tc.kept)
			}
		}
	}
}

func TestDatabaseIdentifier(t *testing.T) {
	for _, tc := range []struct{ cluster, want string }{
		{"pachdeploy-dev", "pachdeploy-dev-pachyderm"},
		{"Data_Platform", "data-platform-pachyderm"},
		{"9lives", "p9lives-pachyderm"},
		{"a-very-long-cluster-name-that-goes-on-and-on-and-on-and-on-and-on", "a-very-long-cluster-name-that-goes-on-and-on-and-on-a-pachyderm"},
	} {
		got := databaseIdentifier(tc.cluster)
		if got != tc.want {
			t.Errorf("databaseIdentifier(%q) = %q, want %q", tc.cluster, got, tc.want)
		}
		if err := rules.RDSInstanceIdentifier(got); err != nil {
			t.Errorf("databaseIdentifier(%q) = %q: %v", tc.cluster, got, err)
		}
	}
}

// TestDeploy_Endpoint: endpoint: tls hands the release an NLB that the AWS cloud
// controller makes, internet-facing, with the client ranges; with an ACM certificate
// the NLB terminates TLS on 443 (TLS 1.2+) and forwards plain TCP to the proxy, with
// a TLS Secret it passes TCP through. endpoint: none exposes nothing.
func TestDeploy_Endpoint(t *testing.T) {
	const arn = "arn:aws:acm:us-west-2:111122223333:certificate/0b5e7c1a-1111-2222-3333-444455556666"
	nlb := map[string]string{
		"service.beta.kubernetes.io/aws-load-balancer-type":   "nlb",
		"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
	}
	for _, tt := range []struct {
		name string
		set  func(*config.Config)
		want *pachyderm.Endpoint
	}{
		{"none", func(c *config.Config) {}, nil},
		{"ACM certificate", func(c *config.Config) {
			c.Endpoint, c.EndpointHostname, c.EndpointCertificateARN = config.EndpointTLS, "pach.example.com", arn
			c.EndpointAllowedCIDRs = []string{"203.0.113.0/24"}
		}, &pachyderm.Endpoint{Hostname: "pach.example.com", LoadBalancerTLS: true, AllowedCIDRs: []string{"203.0.113.0/24"},
			ServiceAnnotations: map[string]string{
				"service.beta.kubernetes.io/aws-load-balancer-type":                   "nlb",
				"service.beta.kubernetes.io/aws-load-balancer-scheme":                 "internet-facing",
				"service.beta.kubernetes.io/aws-load-balancer-ssl-cert":               arn,
				"service.beta.kubernetes.io/aws-load-balancer-ssl-ports":              "443",
				"service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
				"service.beta.kubernetes.io/aws-load-balancer-backend-protocol":       "tcp",
			}}},
		{"TLS Secret", func(c *config.Config) {
			c.Endpoint, c.EndpointHostname, c.EndpointTLSSecret = config.EndpointTLS, "pach.example.com", "pachyderm-tls"
		}, &pachyderm.Endpoint{Hostname: "pach.example.com", TLSSecretName: "pachyderm-tls", ServiceAnnotations: nlb}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testDeployConfig(false, false)
			cfg.Endpoint = config.EndpointNone
			tt.set(cfg)
			_, infra := runDeploy(t, cfg)
			if !reflect.DeepEqual(infra.Endpoint, tt.want) {
				t.Errorf("Infra.Endpoint = %+v, want %+v", infra.Endpoint, tt.want)
			}
		})
	}
}

// TestDeploy_IRSARolesTrustAndWaitForTheOIDCProvider: with the OIDC provider outside
// the eks component, both IRSA roles (Pachyderm's and the EBS CSI driver's) trust its
// ARN and wait for it.
func TestDeploy_IRSARolesTrustAndWaitForTheOIDCProvider(t *testing.T) {
	cloud, _ := runDeploy(t, testDeployConfig(false, false))
	oidc := mocktest.One(t, cloud, oidcProviderType)
	arn := mocktest.String(t, oidc.Outputs, "arn")
	n := 0
	for _, role := range cloud.OfType("aws:iam/role:Role") {
		p, _ := parsePolicy(t, mocktest.Value(t, role.Inputs, "assumeRolePolicy")).Statement[0].Principal.(map[string]any)
		if p["Federated"] == nil {
			continue
		}
		n++
		if p["Federated"] != arn || !mocktest.DependsOn(role, oidc.URN) {
			t.Errorf("role %s trusts %v and waits for %v, want %s", role.Name, p["Federated"], role.DependsOn, oidc.URN)
		}
	}
	if n != 2 {
		t.Errorf("%d IRSA roles, want 2 (pachyderm, ebs-csi)", n)
	}
}
