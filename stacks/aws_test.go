package stacks

import (
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mockcloud"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// awsDeploy resolves raw AWS settings for stack dev and runs Deploy under a mock cloud.
func awsDeploy(t *testing.T, raw map[string]string) (*config.Config, *mockcloud.Cloud) {
	t.Helper()
	raw["cloud"] = "aws"
	cfg, err := config.Resolve(raw, "pachdeploy", "dev")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cloud := mockcloud.New("pachdeploy", "dev")
	if err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := Deploy(ctx, cfg)
		return err
	}); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return cfg, cloud
}

// awsOne returns the only recorded resource of type typ.
func awsOne(t *testing.T, cloud *mockcloud.Cloud, typ string) mockcloud.Resource {
	t.Helper()
	rs := cloud.OfType(typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(rs))
	}
	return rs[0]
}

// awsValue walks path through the property map; it reports whether a secret was
// crossed on the way and returns the plain value at the end.
func awsValue(m resource.PropertyMap, path ...string) (v resource.PropertyValue, secret bool) {
	v = resource.NewObjectProperty(m)
	for _, k := range path {
		if v.IsSecret() {
			v, secret = v.SecretValue().Element, true
		}
		if !v.IsObject() {
			return resource.NewNullProperty(), secret
		}
		v = v.ObjectValue()[resource.PropertyKey(k)]
	}
	if v.IsSecret() {
		v, secret = v.SecretValue().Element, true
	}
	return v, secret
}

func awsString(m resource.PropertyMap, path ...string) string {
	v, _ := awsValue(m, path...)
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

const releaseType = "kubernetes:helm.sh/v3:Release"

func TestAWS_RegistersExpectedResourceTypes(t *testing.T) {
	_, cloud := awsDeploy(t, map[string]string{})
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
	_, cloud := awsDeploy(t, map[string]string{"region": "eu-west-1", "tags": `{"team":"data"}`})
	p := awsOne(t, cloud, "pulumi:providers:aws")
	if got := awsString(p.Inputs, "region"); got != "eu-west-1" {
		t.Errorf("aws provider region = %q, want eu-west-1", got)
	}
	if got := awsString(p.Inputs, "defaultTags", "tags", "team"); got != "data" {
		t.Errorf("default tag team = %q, want data", got)
	}
	for _, r := range cloud.Resources() {
		if r.Custom && strings.HasPrefix(r.Type, "aws:") && !strings.HasPrefix(r.Provider, p.URN+"::") {
			t.Errorf("%s %s: provider %q, want %s", r.Type, r.Name, r.Provider, p.URN)
		}
	}
}

func TestAWS_ReleaseValues(t *testing.T) {
	cfg, cloud := awsDeploy(t, map[string]string{})
	values := awsOne(t, cloud, releaseType).Inputs["values"].ObjectValue()
	var irsa mockcloud.Resource
	for _, r := range cloud.OfType("aws:iam/role:Role") {
		if strings.HasPrefix(r.URN, "urn:pulumi:dev::pachdeploy::pachdeploy:aws:Identity$") {
			irsa = r
		}
	}
	roleARN := awsString(irsa.Outputs, "arn")
	if roleARN == "" {
		t.Fatal("no IRSA role recorded")
	}
	for _, path := range [][]string{
		{"pachd", "serviceAccount", "additionalAnnotations", "eks.amazonaws.com/role-arn"},
		{"pachd", "worker", "serviceAccount", "additionalAnnotations", "eks.amazonaws.com/role-arn"},
	} {
		if got := awsString(values, path...); got != roleARN {
			t.Errorf("%s = %q, want the IRSA role %q", strings.Join(path, "."), got, roleARN)
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
		if got := awsString(values, strings.Split(path, ".")...); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if v, _ := awsValue(values, "pachd", "storage", "amazon", "id"); !v.IsNull() {
		t.Errorf("irsa release carries an access key id: %v", v)
	}
}

func TestAWS_StaticKeysReachReleaseAsSecrets(t *testing.T) {
	_, cloud := awsDeploy(t, map[string]string{"identity": "static-keys"})
	values := awsOne(t, cloud, releaseType).Inputs["values"].ObjectValue()
	key := awsOne(t, cloud, "aws:iam/accessKey:AccessKey")
	for field, want := range map[string]string{"id": key.ID, "secret": awsString(key.Outputs, "secret")} {
		v, secret := awsValue(values, "pachd", "storage", "amazon", field)
		if !secret {
			t.Errorf("pachd.storage.amazon.%s is not secret", field)
		}
		if !v.IsString() || v.StringValue() != want || want == "" {
			t.Errorf("pachd.storage.amazon.%s = %v, want %q", field, v, want)
		}
	}
	if got := awsString(values, "pachd", "serviceAccount", "additionalAnnotations", "eks.amazonaws.com/role-arn"); got != "" {
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
			_, cloud := awsDeploy(t, map[string]string{"identity": tc.identity})
			lt := awsOne(t, cloud, "aws:ec2/launchTemplate:LaunchTemplate")
			if v, _ := awsValue(lt.Inputs, "metadataOptions", "httpPutResponseHopLimit"); v.NumberValue() != tc.wantHops {
				t.Errorf("hop limit = %v, want %v", v, tc.wantHops)
			}
		})
	}
}

func TestAWS_ExistingNetwork(t *testing.T) {
	_, cloud := awsDeploy(t, map[string]string{"vpcId": "vpc-42", "subnetIds": "subnet-1,subnet-2"})
	if n := len(cloud.OfType("pachdeploy:aws:Network")); n != 0 {
		t.Errorf("made %d networks, want none with vpcId set", n)
	}
	eks := awsOne(t, cloud, "eks:index:Cluster")
	ng := awsOne(t, cloud, "aws:eks/nodeGroup:NodeGroup")
	if awsString(eks.Inputs, "vpcId") != "vpc-42" {
		t.Errorf("cluster VPC = %q, want vpc-42", awsString(eks.Inputs, "vpcId"))
	}
	for _, r := range []mockcloud.Resource{eks, ng} {
		var got []string
		for _, s := range r.Inputs["subnetIds"].ArrayValue() {
			got = append(got, s.StringValue())
		}
		if !slices.Equal(got, []string{"subnet-1", "subnet-2"}) {
			t.Errorf("%s subnets = %v, want the configured ones", r.Type, got)
		}
	}
}

// R11: every Kubernetes object, the release included, uses the cluster's provider
// and waits for the node group.
func TestAWS_R11_KubernetesObjectsUseClusterProviderAfterNodes(t *testing.T) {
	_, cloud := awsDeploy(t, map[string]string{})
	k8s := awsOne(t, cloud, "pulumi:providers:kubernetes").URN
	nodes := awsOne(t, cloud, "aws:eks/nodeGroup:NodeGroup").URN
	n := 0
	for _, r := range cloud.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		n++
		if !strings.HasPrefix(r.Provider, k8s+"::") {
			t.Errorf("%s %s: provider %q, want %s", r.Type, r.Name, r.Provider, k8s)
		}
		if !slices.Contains(r.DependsOn, nodes) {
			t.Errorf("%s %s does not depend on the node group", r.Type, r.Name)
		}
	}
	if n < 4 {
		t.Errorf("only %d Kubernetes objects recorded", n)
	}
}
