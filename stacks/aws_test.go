package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
)

func TestAWS_RegistersExpectedResourceTypes(t *testing.T) {
	cloud := deployUnderMockCloud(t, map[string]string{"cloud": "aws"}).cloud
	for _, typ := range []string{
		"pulumi:providers:aws",
		"pachdeploy:aws:Network", "aws:ec2/vpc:Vpc", "aws:ec2/natGateway:NatGateway",
		"pachdeploy:aws:Cluster", "eks:index:Cluster", "aws:kms/key:Key", "aws:eks/nodeGroup:NodeGroup",
		"aws:ec2/launchTemplate:LaunchTemplate", "aws:eks/addon:Addon",
		"pulumi:providers:kubernetes", "kubernetes:storage.k8s.io/v1:StorageClass",
		"pachdeploy:aws:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/bucketPolicy:BucketPolicy",
		"pachdeploy:aws:Identity", "aws:iam/rolePolicy:RolePolicy",
		"pachdeploy:pachyderm:Pachyderm", releaseType,
	} {
		if len(cloud.OfType(typ)) == 0 {
			t.Errorf("no %s registered", typ)
		}
	}
	if n := len(cloud.OfType("aws:iam/user:User")); n != 0 {
		t.Errorf("irsa registered %d IAM users, want none", n)
	}
}

func TestAWS_ProviderRegionFromConfig(t *testing.T) {
	cloud := deployUnderMockCloud(t, map[string]string{"cloud": "aws", "region": "eu-west-1", "tags": `{"team":"data"}`}).cloud
	p := mocktest.One(t, cloud, "pulumi:providers:aws")
	if got := mocktest.String(t, p.Inputs, "region"); got != "eu-west-1" {
		t.Errorf("aws provider region = %q, want eu-west-1", got)
	}
	if got := mocktest.String(t, p.Inputs, "defaultTags.tags.team"); got != "data" {
		t.Errorf("default tag team = %q, want data", got)
	}
	for _, r := range cloud.Resources() {
		if r.Custom && strings.HasPrefix(r.Type, "aws:") && !mocktest.UsesProvider(r, p.URN) {
			t.Errorf("%s %s: provider %q, want %s", r.Type, r.Name, r.Provider, p.URN)
		}
	}
}

func TestAWS_ReleaseValues(t *testing.T) {
	d := deployUnderMockCloud(t, map[string]string{"cloud": "aws"})
	cfg, cloud := d.cfg, d.cloud
	values := mocktest.One(t, cloud, releaseType).Inputs["values"].ObjectValue()
	var irsa offline.Resource
	for _, r := range cloud.OfType("aws:iam/role:Role") {
		if strings.HasPrefix(r.URN, "urn:pulumi:dev::pachdeploy::pachdeploy:aws:Identity$") {
			irsa = r
		}
	}
	roleARN := mocktest.String(t, irsa.Outputs, "arn")
	if roleARN == "" {
		t.Fatal("no IRSA role recorded")
	}
	for _, path := range []string{
		"pachd.serviceAccount.additionalAnnotations" + mocktest.Key("eks.amazonaws.com/role-arn"),
		"pachd.worker.serviceAccount.additionalAnnotations" + mocktest.Key("eks.amazonaws.com/role-arn"),
	} {
		if got := mocktest.String(t, values, path); got != roleARN {
			t.Errorf("%s = %q, want the IRSA role %q", path, got, roleARN)
		}
	}
	for path, want := range map[string]string{
		"deployTarget":                                 "AMAZON",
		"pachd.storage.storageURL":                     "s3://" + cfg.BucketName + "?region=us-west-2",
		"pachd.storage.amazon.bucket":                  cfg.BucketName,
		"pachd.storage.amazon.region":                  "us-west-2",
		"etcd.storageClass":                            "gp3",
		"postgresql.persistence.storageClass":          "gp3",
		"loki-stack.loki.persistence.storageClassName": "gp3",
	} {
		if got := mocktest.String(t, values, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if v := mocktest.Value(t, values, "pachd.storage.amazon.id"); !v.IsNull() {
		t.Errorf("irsa release carries an access key id: %v", v)
	}
}

func TestAWS_StaticKeysReachReleaseAsSecrets(t *testing.T) {
	cloud := deployUnderMockCloud(t, map[string]string{"cloud": "aws", "identity": "static-keys"}).cloud
	values := mocktest.One(t, cloud, releaseType).Inputs["values"].ObjectValue()
	key := mocktest.One(t, cloud, "aws:iam/accessKey:AccessKey")
	for field, want := range map[string]string{"id": key.ID, "secret": mocktest.String(t, key.Outputs, "secret")} {
		found := mocktest.Find(t, values, "pachd.storage.amazon."+field)
		v, secret := found.Value, found.Secret
		if !secret {
			t.Errorf("pachd.storage.amazon.%s is not secret", field)
		}
		if !v.IsString() || v.StringValue() != want || want == "" {
			t.Errorf("pachd.storage.amazon.%s = %v, want %q", field, v, want)
		}
	}
	if got := mocktest.String(t, values, "pachd.serviceAccount.additionalAnnotations"+mocktest.Key("eks.amazonaws.com/role-arn")); got != "" {
		t.Errorf("static-keys release has IRSA annotation %q", got)
	}
}

func TestAWS_NodeRoleIdentityOpensIMDSToPods(t *testing.T) {
	for _, tc := range []struct {
		identity string
		wantHops float64
	}{
		{"irsa", 1}, {"node-role", 2}, {"static-keys", 1},
	} {
		t.Run(tc.identity, func(t *testing.T) {
			cloud := deployUnderMockCloud(t, map[string]string{"cloud": "aws", "identity": tc.identity}).cloud
			lt := mocktest.One(t, cloud, "aws:ec2/launchTemplate:LaunchTemplate")
			if v := mocktest.Value(t, lt.Inputs, "metadataOptions.httpPutResponseHopLimit"); v.NumberValue() != tc.wantHops {
				t.Errorf("hop limit = %v, want %v", v, tc.wantHops)
			}
		})
	}
}

func TestAWS_ExistingNetwork(t *testing.T) {
	cloud := deployUnderMockCloud(t, map[string]string{"cloud": "aws", "vpcId": "vpc-0a1b2c3d", "subnetIds": "subnet-0a1b2c3d,subnet-1a2b3c4d"}).cloud
	if n := len(cloud.OfType("pachdeploy:aws:Network")); n != 0 {
		t.Errorf("made %d networks, want none with vpcId set", n)
	}
	eks := mocktest.One(t, cloud, "eks:index:Cluster")
	ng := mocktest.One(t, cloud, "aws:eks/nodeGroup:NodeGroup")
	if mocktest.String(t, eks.Inputs, "vpcId") != "vpc-0a1b2c3d" {
		t.Errorf("cluster VPC = %q, want vpc-0a1b2c3d", mocktest.String(t, eks.Inputs, "vpcId"))
	}
	for _, r := range []offline.Resource{eks, ng} {
		var got []string
		for _, s := range r.Inputs["subnetIds"].ArrayValue() {
			got = append(got, s.StringValue())
		}
		if !slices.Equal(got, []string{"subnet-0a1b2c3d", "subnet-1a2b3c4d"}) {
			t.Errorf("%s subnets = %v, want the configured ones", r.Type, got)
		}
	}
}

// R11: every Kubernetes object, the release included, uses the cluster's provider
// and waits for the node group.
func TestAWS_R11_KubernetesObjectsUseClusterProviderAfterNodes(t *testing.T) {
	cloud := deployUnderMockCloud(t, map[string]string{"cloud": "aws"}).cloud
	k8s := mocktest.One(t, cloud, "pulumi:providers:kubernetes").URN
	nodes := mocktest.One(t, cloud, "aws:eks/nodeGroup:NodeGroup").URN
	n := 0
	for _, r := range cloud.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		n++
		if !mocktest.UsesProvider(r, k8s) {
			t.Errorf("%s %s: provider %q, want %s", r.Type, r.Name, r.Provider, k8s)
		}
		if !mocktest.DependsOn(r, nodes) {
			t.Errorf("%s %s does not depend on the node group", r.Type, r.Name)
		}
	}
	if n < 4 {
		t.Errorf("only %d Kubernetes objects recorded", n)
	}
}
