package aws

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	eksClusterType   = "eks:index:Cluster"
	nodeGroupType    = "aws:eks/nodeGroup:NodeGroup"
	launchTmplType   = "aws:ec2/launchTemplate:LaunchTemplate"
	k8sProviderType  = "pulumi:providers:kubernetes"
	storageClassType = "kubernetes:storage.k8s.io/v1:StorageClass"
	oidcProviderType = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
)

func testClusterArgs() *ClusterArgs {
	return &ClusterArgs{
		Name:          "pach-test",
		VpcID:         pulumi.String("vpc-0123"),
		SubnetIDs:     pulumi.ToStringArray([]string{"subnet-a", "subnet-b", "subnet-c", "subnet-d"}),
		NodeSubnetIDs: pulumi.ToStringArray([]string{"subnet-c", "subnet-d"}),
	}
}

// clusterResult is what a program learned about a Cluster.
type clusterResult struct {
	cloud            *offline.Cloud
	cluster          *Cluster
	warnings         []string
	kubeconfigSecret bool
}

func runCluster(t *testing.T, args *ClusterArgs) clusterResult {
	t.Helper()
	var res clusterResult
	log := &mocktest.Log{}
	res.cloud = mocktest.Run(t, func(ctx *pulumi.Context) error {
		ctx.Log = log
		p, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String(testRegion)})
		if err != nil {
			return err
		}
		c, err := NewCluster(ctx, "eks", args, pulumi.Provider(p))
		if err != nil {
			return err
		}
		res.cluster = c
		res.kubeconfigSecret = pulumi.IsSecret(c.Kubeconfig)
		return nil
	}, standIns)
	res.warnings = log.Warnings()
	return res
}

func TestCluster_CKV_AWS_37_AllControlPlaneLogs(t *testing.T) {
	eks := mocktest.One(t, runCluster(t, testClusterArgs()).cloud, eksClusterType)
	var got []string
	for _, v := range mocktest.Value(t, eks.Inputs, "enabledClusterLogTypes").ArrayValue() {
		got = append(got, v.StringValue())
	}
	want := []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	if !slices.Equal(got, want) {
		t.Errorf("enabledClusterLogTypes = %v, want %v", got, want)
	}
}

func TestCluster_CKV_AWS_338_ControlPlaneLogsKeptAYearBeforeTheClusterWrites(t *testing.T) {
	cloud := runCluster(t, testClusterArgs()).cloud
	group := mocktest.One(t, cloud, "aws:cloudwatch/logGroup:LogGroup")
	name := mocktest.String(t, mocktest.One(t, cloud, eksClusterType).Inputs, "name")
	if got := mocktest.String(t, group.Inputs, "name"); got != "/aws/eks/"+name+"/cluster" {
		t.Errorf("log group %q is not the one EKS writes to for cluster %q", got, name)
	}
	if v := mocktest.Value(t, group.Inputs, "retentionInDays"); !v.IsNumber() || v.NumberValue() < 365 {
		t.Errorf("retentionInDays = %v, want at least 365", v)
	}
	if !mocktest.DependsOn(mocktest.One(t, cloud, eksClusterType), group.URN) {
		t.Error("the cluster does not wait for its log group: EKS would create one without retention")
	}
}

func TestCluster_CKV_AWS_58_SecretsEncryptedWithRotatingKey(t *testing.T) {
	cloud := runCluster(t, testClusterArgs()).cloud
	key := mocktest.Named(t, cloud, "aws:kms/key:Key", "eks-secrets")
	if v := mocktest.Value(t, key.Inputs, "enableKeyRotation"); !v.IsBool() || !v.BoolValue() {
		t.Errorf("enableKeyRotation = %v, want true", v)
	}
	got := mocktest.String(t, mocktest.One(t, cloud, eksClusterType).Inputs, "encryptionConfigKeyArn")
	if want := mocktest.String(t, key.Outputs, "arn"); got != want || want == "" {
		t.Errorf("encryptionConfigKeyArn = %q, want the key's ARN %q", got, want)
	}
	// CKV2_AWS_64: an explicit policy, the account's statement only.
	if doc := parsePolicy(t, mocktest.MustInput(t, key, "policy")); len(doc.Statement) != 1 || doc.Statement[0].Sid != "AccountAdministersThroughIAM" {
		t.Errorf("secrets key policy %+v, want only the account's statement", doc.Statement)
	}
}

// TestCluster_CKV_AWS_158_ControlPlaneLogsEncryptedWithAKeyForThatGroup: the log group
// has a key of its own, which CloudWatch Logs may use for that group only.
func TestCluster_CKV_AWS_158_ControlPlaneLogsEncryptedWithAKeyForThatGroup(t *testing.T) {
	cloud := runCluster(t, testClusterArgs()).cloud
	assertLogGroupKey(t, cloud, "eks-control-plane", "/aws/eks/"+testClusterArgs().Name+"/cluster")
}

func TestCluster_CKV_AWS_79_CKV_AWS_341_IMDSv2AndHopLimit(t *testing.T) {
	for _, tc := range []struct {
		name            string
		podsUseNodeRole bool
		wantHops        float64
	}{
		{"pods kept from node role", false, 1},
		{"node-role identity", true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := testClusterArgs()
			args.PodsUseNodeRole = tc.podsUseNodeRole
			lt := mocktest.One(t, runCluster(t, args).cloud, launchTmplType)
			if got := mocktest.String(t, lt.Inputs, "metadataOptions.httpTokens"); got != "required" {
				t.Errorf("httpTokens = %q, want required (IMDSv2 only)", got)
			}
			if got := mocktest.String(t, lt.Inputs, "metadataOptions.httpEndpoint"); got != "enabled" {
				t.Errorf("httpEndpoint = %q, want enabled", got)
			}
			if v := mocktest.Value(t, lt.Inputs, "metadataOptions.httpPutResponseHopLimit"); !v.IsNumber() || v.NumberValue() != tc.wantHops {
				t.Errorf("httpPutResponseHopLimit = %v, want %v", v, tc.wantHops)
			}
		})
	}
}

func TestCluster_NodesOnEncryptedGP3RootVolume(t *testing.T) {
	lt := mocktest.One(t, runCluster(t, testClusterArgs()).cloud, launchTmplType)
	bdm := mocktest.Value(t, lt.Inputs, "blockDeviceMappings").ArrayValue()
	if len(bdm) != 1 {
		t.Fatalf("want one block device mapping, got %v", bdm)
	}
	ebs := bdm[0].ObjectValue()
	if mocktest.String(t, ebs, "ebs.encrypted") != "true" || mocktest.String(t, ebs, "ebs.volumeType") != "gp3" {
		t.Errorf("root volume = %v, want encrypted gp3", mocktest.Value(t, ebs, "ebs"))
	}
	if v := mocktest.Value(t, ebs, "ebs.volumeSize"); v.NumberValue() != DefaultNodeRootVolumeGiB {
		t.Errorf("volumeSize = %v, want %d", v, DefaultNodeRootVolumeGiB)
	}
}

func TestCluster_CKV_AWS_38_PublicEndpointCIDRs(t *testing.T) {
	for _, tc := range []struct {
		name     string
		allowed  []string
		want     []string
		wantWarn bool
	}{
		{"configured CIDRs passed through", []string{"203.0.113.0/24", "198.51.100.7/32"}, []string{"203.0.113.0/24", "198.51.100.7/32"}, false},
		{"empty is open with a warning", nil, []string{"0.0.0.0/0"}, true},
		{"an explicit 0.0.0.0/0 warns too", []string{"0.0.0.0/0"}, []string{"0.0.0.0/0"}, true},
		{"::/0 warns too", []string{"203.0.113.0/24", "::/0"}, []string{"203.0.113.0/24", "::/0"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := testClusterArgs()
			args.APIAllowedCIDRs = tc.allowed
			res := runCluster(t, args)
			eks := mocktest.One(t, res.cloud, eksClusterType)
			var got []string
			for _, v := range mocktest.Value(t, eks.Inputs, "publicAccessCidrs").ArrayValue() {
				got = append(got, v.StringValue())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("publicAccessCidrs = %v, want %v", got, tc.want)
			}
			for _, k := range []string{"endpointPrivateAccess", "endpointPublicAccess"} {
				if v := mocktest.Value(t, eks.Inputs, k); !v.IsBool() || !v.BoolValue() {
					t.Errorf("%s = %v, want true", k, v)
				}
			}
			warned := len(res.warnings) == 1 && strings.Contains(res.warnings[0], "apiAllowedCidrs")
			if warned != tc.wantWarn || (!tc.wantWarn && len(res.warnings) != 0) {
				t.Errorf("warnings = %q, want a warning naming apiAllowedCidrs: %v", res.warnings, tc.wantWarn)
			}
		})
	}
}

func TestCluster_ControlPlaneSettings(t *testing.T) {
	cloud := runCluster(t, testClusterArgs()).cloud
	eks := mocktest.One(t, cloud, eksClusterType)
	for key, want := range map[string]any{
		"name":                 "pach-test",
		"version":              DefaultKubernetesVersion,
		"vpcId":                "vpc-0123",
		"authenticationMode":   "API",
		"skipDefaultNodeGroup": true,
		"createOidcProvider":   false, // pachdeploy makes it: TestCluster_OIDCProviderOutsideTheEKSComponent
	} {
		if got := mocktest.Value(t, eks.Inputs, key).V; got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	entry := mocktest.Value(t, eks.Inputs, "accessEntries.nodes")
	nodeRole, ok := cloud.Named("aws:iam/role:Role", "eks-node")
	if !ok {
		t.Fatal("no node role eks-node")
	}
	if !entry.IsObject() || mocktest.String(t, entry.ObjectValue(), "type") != "EC2_LINUX" ||
		mocktest.String(t, entry.ObjectValue(), "principalArn") != mocktest.String(t, nodeRole.Outputs, "arn") {
		t.Errorf("access entry nodes = %v, want EC2_LINUX for %s", entry, mocktest.String(t, nodeRole.Outputs, "arn"))
	}
}

// registrations is a mock monitor that also keeps each resource's registration request,
// for the options offline.Resource does not record (aliases, ignoreChanges).
type registrations struct {
	*offline.Cloud
	mu   sync.Mutex
	rpcs map[string]*pulumirpc.RegisterResourceRequest // by resource name
}

func (r *registrations) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.RegisterRPC != nil {
		r.mu.Lock()
		r.rpcs[args.Name] = args.RegisterRPC
		r.mu.Unlock()
	}
	return r.Cloud.NewResource(args)
}

// The node group waits for the whole eks component, so the IAM OIDC provider is made
// outside it (createOidcProvider false): the node group starts once the control plane
// and its access entries are done, in parallel with the provider. The alias is the URN
// pulumi-eks gave its own provider (its name plus "-oidcProvider", as the component's
// child), so an existing stack moves it instead of replacing the IRSA roles' trust.
func TestCluster_OIDCProviderOutsideTheEKSComponent(t *testing.T) {
	args := testClusterArgs()
	args.GPUInstanceType = "g5.xlarge"
	mon := &registrations{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns),
		rpcs: map[string]*pulumirpc.RegisterResourceRequest{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		p, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String(testRegion)})
		if err != nil {
			return err
		}
		_, err = NewCluster(ctx, "eks", args, pulumi.Provider(p))
		return err
	}, pulumi.WithMocks(mocktest.Project, mocktest.Stack, mon))
	if err != nil {
		t.Fatal(err)
	}
	cloud := mon.Cloud
	eks := mocktest.One(t, cloud, eksClusterType)
	oidc := mocktest.One(t, cloud, oidcProviderType)
	if oidc.Name != "eks-oidcProvider" || oidc.Parent != mocktest.One(t, cloud, "pachdeploy:aws:Cluster").URN {
		t.Errorf("OIDC provider %s under %s, want eks-oidcProvider under the pachdeploy:aws:Cluster", oidc.Name, oidc.Parent)
	}
	if got, want := mocktest.String(t, oidc.Inputs, "url"), "https://"+mocktest.String(t, eks.Outputs, "oidcIssuer"); got != want {
		t.Errorf("url = %q, want the cluster's issuer %q", got, want)
	}
	if ids := mocktest.Value(t, oidc.Inputs, "clientIdLists").ArrayValue(); len(ids) != 1 || ids[0].StringValue() != "sts.amazonaws.com" {
		t.Errorf("clientIdLists = %v, want [sts.amazonaws.com]", ids)
	}
	for _, ng := range cloud.OfType(nodeGroupType) {
		if mocktest.DependsOn(ng, oidc.URN) || !mocktest.DependsOn(ng, eks.URN) {
			t.Errorf("node group %s waits for %v, want the eks component and not the OIDC provider", ng.Name, ng.DependsOn)
		}
	}

	rpc := mon.rpcs[oidc.Name]
	if !slices.Equal(rpc.GetIgnoreChanges(), []string{"thumbprintLists"}) {
		t.Errorf("ignoreChanges = %v, want [thumbprintLists]: an existing stack keeps pulumi-eks's thumbprint", rpc.GetIgnoreChanges())
	}
	old := resource.NewURN(mocktest.Stack, mocktest.Project, resource.URN(eks.URN).QualifiedType(), oidcProviderType, eks.Name+"-oidcProvider")
	var aliases []resource.URN
	for _, a := range rpc.GetAliases() {
		spec := a.GetSpec()
		if spec == nil || spec.GetName() != "" || spec.GetType() != "" || spec.GetStack() != "" || spec.GetProject() != "" {
			t.Fatalf("alias %v: want only a parent, the rest as the resource's own", a)
		}
		aliases = append(aliases, resource.NewURN(mocktest.Stack, mocktest.Project,
			resource.URN(spec.GetParentUrn()).QualifiedType(), oidcProviderType, oidc.Name))
	}
	if !slices.Equal(aliases, []resource.URN{old}) {
		t.Errorf("aliases = %v, want the provider pulumi-eks made: %s", aliases, old)
	}
}

func TestCluster_NodeRoleHasManagedNodePolicies(t *testing.T) {
	cloud := runCluster(t, testClusterArgs()).cloud
	role, _ := cloud.Named("aws:iam/role:Role", "eks-node")
	trust := parsePolicy(t, mocktest.Value(t, role.Inputs, "assumeRolePolicy"))
	if p, _ := trust.Statement[0].Principal.(map[string]any); p["Service"] != "ec2.amazonaws.com" {
		t.Errorf("node role trusts %v, want ec2.amazonaws.com", trust.Statement[0].Principal)
	}
	var got []string
	for _, att := range cloud.OfType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if mocktest.String(t, att.Inputs, "role") == mocktest.String(t, role.Outputs, "name") {
			got = append(got, mocktest.String(t, att.Inputs, "policyArn"))
		}
	}
	want := []string{
		"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
		"arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
		"arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
	}
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Errorf("node role policies = %v, want %v", got, want)
	}
}

func TestCluster_NodeGroupSizesAndSubnets(t *testing.T) {
	args := testClusterArgs()
	args.NodeCount, args.NodeMinCount, args.NodeMaxCount = 3, 2, 5
	args.InstanceType = "m6i.xlarge"
	ng := mocktest.One(t, runCluster(t, args).cloud, nodeGroupType)
	for key, want := range map[string]float64{"desiredSize": 3, "minSize": 2, "maxSize": 5} {
		if got := mocktest.Value(t, ng.Inputs, "scalingConfig."+key); got.NumberValue() != want {
			t.Errorf("scalingConfig.%s = %v, want %v", key, got, want)
		}
	}
	var subnets []string
	for _, v := range mocktest.Value(t, ng.Inputs, "subnetIds").ArrayValue() {
		subnets = append(subnets, v.StringValue())
	}
	if !slices.Equal(subnets, []string{"subnet-c", "subnet-d"}) {
		t.Errorf("node subnets = %v, want the node subnets only", subnets)
	}
	if got := mocktest.Value(t, ng.Inputs, "instanceTypes").ArrayValue(); len(got) != 1 || got[0].StringValue() != "m6i.xlarge" {
		t.Errorf("instanceTypes = %v, want [m6i.xlarge]", got)
	}
	if mocktest.String(t, ng.Inputs, "clusterName") != "pach-test" || mocktest.String(t, ng.Inputs, "launchTemplate.version") != "1" {
		t.Errorf("node group cluster %q, launch template version %q", mocktest.String(t, ng.Inputs, "clusterName"), mocktest.String(t, ng.Inputs, "launchTemplate.version"))
	}
}

func TestCluster_EBSCSIDriverWithOwnRole(t *testing.T) {
	cloud := runCluster(t, testClusterArgs()).cloud
	addon := mocktest.One(t, cloud, "aws:eks/addon:Addon")
	role, ok := cloud.Named("aws:iam/role:Role", "eks-ebs-csi")
	if !ok {
		t.Fatal("no EBS CSI role")
	}
	if mocktest.String(t, addon.Inputs, "addonName") != "aws-ebs-csi-driver" || mocktest.String(t, addon.Inputs, "serviceAccountRoleArn") != mocktest.String(t, role.Outputs, "arn") {
		t.Errorf("addon %q with role %q, want aws-ebs-csi-driver with %q",
			mocktest.String(t, addon.Inputs, "addonName"), mocktest.String(t, addon.Inputs, "serviceAccountRoleArn"), mocktest.String(t, role.Outputs, "arn"))
	}
	trust := parsePolicy(t, mocktest.Value(t, role.Inputs, "assumeRolePolicy"))
	issuer := mocktest.String(t, mocktest.One(t, cloud, eksClusterType).Outputs, "oidcIssuer")
	oidc := mocktest.One(t, cloud, oidcProviderType)
	s := trust.Statement[0]
	if p, _ := s.Principal.(map[string]any); p["Federated"] != mocktest.String(t, oidc.Outputs, "arn") {
		t.Errorf("EBS CSI role trusts %v, want the cluster's OIDC provider", s.Principal)
	}
	if !mocktest.DependsOn(role, oidc.URN) {
		t.Errorf("EBS CSI role does not wait for the OIDC provider it trusts: %v", role.DependsOn)
	}
	subs, _ := s.Condition["StringEquals"][issuer+":sub"].([]any)
	if !slices.Equal(subs, []any{"system:serviceaccount:kube-system:ebs-csi-controller-sa"}) ||
		s.Condition["StringEquals"][issuer+":aud"] != "sts.amazonaws.com" {
		t.Errorf("EBS CSI trust conditions = %v, want only the controller service account and STS audience", s.Condition)
	}
	found := false
	for _, att := range cloud.OfType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if mocktest.String(t, att.Inputs, "role") == mocktest.String(t, role.Outputs, "name") {
			found = mocktest.String(t, att.Inputs, "policyArn") == "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
		}
	}
	if !found {
		t.Error("EBS CSI role lacks AmazonEBSCSIDriverPolicy")
	}
}

func TestCluster_GP3StorageClass(t *testing.T) {
	res := runCluster(t, testClusterArgs())
	sc := mocktest.One(t, res.cloud, storageClassType)
	if res.cluster.StorageClassName != "gp3" || mocktest.String(t, sc.Inputs, "metadata.name") != "gp3" {
		t.Errorf("storage class %q / %q, want gp3", res.cluster.StorageClassName, mocktest.String(t, sc.Inputs, "metadata.name"))
	}
	for key, want := range map[string]any{
		"provisioner":          "ebs.csi.aws.com",
		"volumeBindingMode":    "WaitForFirstConsumer",
		"reclaimPolicy":        "Delete",
		"allowVolumeExpansion": true,
	} {
		if got := mocktest.Value(t, sc.Inputs, key).V; got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if mocktest.String(t, sc.Inputs, "parameters.type") != "gp3" || mocktest.String(t, sc.Inputs, "parameters.encrypted") != "true" {
		t.Errorf("parameters = %v, want encrypted gp3", mocktest.Value(t, sc.Inputs, "parameters"))
	}
}

// R11: every Kubernetes object uses the cluster's provider and waits for the nodes.
func TestCluster_R11_KubernetesObjectsUseClusterProviderAfterNodes(t *testing.T) {
	res := runCluster(t, testClusterArgs())
	k8s := mocktest.One(t, res.cloud, k8sProviderType).URN
	nodes := mocktest.One(t, res.cloud, nodeGroupType).URN
	n := 0
	for _, r := range res.cloud.Resources() {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		n++
		if !mocktest.UsesProvider(r, k8s) {
			t.Errorf("%s %s: provider %q, want %s", r.Type, r.Name, r.Provider, k8s)
		}
		if !slices.Contains(r.DependsOn, nodes) {
			t.Errorf("%s %s does not depend on the node group", r.Type, r.Name)
		}
	}
	if n == 0 {
		t.Fatal("no Kubernetes objects recorded")
	}
	var deps []string
	for _, d := range res.cluster.KubernetesDependencies() {
		deps = append(deps, typeOf(t, d))
	}
	if want := []string{nodeGroupType, "aws:eks/addon:Addon", storageClassType}; !slices.Equal(deps, want) {
		t.Errorf("KubernetesDependencies = %v, want %v", deps, want)
	}
}

func TestCluster_AWSResourcesUseGivenProvider(t *testing.T) {
	cloud := runCluster(t, testClusterArgs()).cloud
	aws := mocktest.One(t, cloud, "pulumi:providers:aws").URN
	for _, r := range cloud.Resources() {
		if r.Custom && strings.HasPrefix(r.Type, "aws:") && !mocktest.UsesProvider(r, aws) {
			t.Errorf("%s %s: provider %q, want %s", r.Type, r.Name, r.Provider, aws)
		}
	}
}

func TestCluster_KubeconfigIsSecret(t *testing.T) {
	res := runCluster(t, testClusterArgs())
	if !res.kubeconfigSecret {
		t.Error("Cluster.Kubeconfig is not secret")
	}
	if kc := mocktest.One(t, res.cloud, k8sProviderType).Inputs["kubeconfig"]; !kc.IsSecret() {
		t.Errorf("kubernetes provider kubeconfig is not secret: %v", kc)
	}
}

func TestNewCluster_InvalidArgsListsAllProblems(t *testing.T) {
	args := ClusterArgs{
		Name:              "-bad name",
		KubernetesVersion: "1.20",
		InstanceType:      "m5 large",
		NodeCount:         3, NodeMinCount: 4, NodeMaxCount: 5,
		NodeRootVolumeGiB: 8,
		APIAllowedCIDRs:   []string{"10.0.0.1/8"},
	}
	cloud := offline.New("pachdeploy", "test", standIns)
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := NewCluster(ctx, "eks", &args)
		return err
	})
	want := []string{"Name", "KubernetesVersion", "VpcID", "SubnetIDs", "NodeSubnetIDs", "InstanceType",
		"NodeCount", "NodeRootVolumeGiB", "APIAllowedCIDRs[0]"}
	if got := problemFields(t, err); !slices.Equal(got, want) {
		t.Errorf("problems on %v, want %v", got, want)
	}
	if len(cloud.Resources()) != 0 {
		t.Errorf("registered %d resources before validating", len(cloud.Resources()))
	}
}

const (
	daemonSetType = "kubernetes:apps/v1:DaemonSet"
	asgTagType    = "aws:autoscaling/tag:Tag"
)

func gpuClusterArgs() *ClusterArgs {
	args := testClusterArgs()
	args.GPUInstanceType = "g6.xlarge"
	return args
}

func TestCluster_GPUNodeGroupOnlyWhenSet(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       *ClusterArgs
		nodeGroups int
		gpuObjects int // the device plugin, and each autoscaler tag
	}{
		{"no GPU type: one node group", testClusterArgs(), 1, 0},
		{"a GPU type: a second node group", gpuClusterArgs(), 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCluster(t, tc.args)
			if got := len(res.cloud.OfType(nodeGroupType)); got != tc.nodeGroups {
				t.Errorf("%d node groups, want %d", got, tc.nodeGroups)
			}
			if got := len(res.cloud.OfType(daemonSetType)); got != tc.gpuObjects {
				t.Errorf("%d device plugin DaemonSets, want %d", got, tc.gpuObjects)
			}
			if got := len(res.cloud.OfType(asgTagType)); got != 2*tc.gpuObjects {
				t.Errorf("%d autoscaler tags, want %d", got, 2*tc.gpuObjects)
			}
			if (res.cluster.GPUNodeGroup != nil) != (tc.gpuObjects > 0) {
				t.Errorf("Cluster.GPUNodeGroup = %v", res.cluster.GPUNodeGroup)
			}
		})
	}
}

func TestCluster_GPUNodeGroupScalesFromZeroWithTaintAndAcceleratedAMI(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     int
		wantMax float64
	}{
		{"default maximum", 0, 2},
		{"given maximum", 7, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := gpuClusterArgs()
			args.GPUMaxCount = tc.max
			ng := mocktest.Named(t, runCluster(t, args).cloud, nodeGroupType, "eks-gpu")
			for key, want := range map[string]float64{"desiredSize": 0, "minSize": 0, "maxSize": tc.wantMax} {
				if got := mocktest.Value(t, ng.Inputs, "scalingConfig."+key); got.NumberValue() != want {
					t.Errorf("scalingConfig.%s = %v, want %v", key, got, want)
				}
			}
			if got := mocktest.String(t, ng.Inputs, "amiType"); got != "AL2023_x86_64_NVIDIA" {
				t.Errorf("amiType = %q, want the accelerated AL2023_x86_64_NVIDIA", got)
			}
			if got := mocktest.Value(t, ng.Inputs, "instanceTypes").ArrayValue(); len(got) != 1 || got[0].StringValue() != "g6.xlarge" {
				t.Errorf("instanceTypes = %v, want [g6.xlarge]", got)
			}
			taints := mocktest.Value(t, ng.Inputs, "taints").ArrayValue()
			if len(taints) != 1 || mocktest.Plain(taints[0]).(map[string]any)["key"] != "nvidia.com/gpu" ||
				mocktest.String(t, taints[0].ObjectValue(), "value") != "present" ||
				mocktest.String(t, taints[0].ObjectValue(), "effect") != "NO_SCHEDULE" {
				t.Errorf("taints = %v, want nvidia.com/gpu=present:NO_SCHEDULE", taints)
			}
			if got := mocktest.String(t, ng.Inputs, "labels."+mocktest.Key("pachdeploy.io/gpu")); got != "nvidia" {
				t.Errorf("label pachdeploy.io/gpu = %q, want nvidia", got)
			}
		})
	}
}

// The GPU nodes are hardened as the main ones: the same launch template (IMDSv2 with
// the same hop limit, encrypted gp3 root volume), role and private subnets.
func TestCluster_GPUNodeGroupSharesTheMainGroupsHardening(t *testing.T) {
	cloud := runCluster(t, gpuClusterArgs()).cloud
	lt := mocktest.One(t, cloud, launchTmplType) // one template for both groups
	main := mocktest.Named(t, cloud, nodeGroupType, "eks")
	gpuGroup := mocktest.Named(t, cloud, nodeGroupType, "eks-gpu")
	for _, key := range []string{"launchTemplate.id", "launchTemplate.version", "nodeRoleArn", "clusterName"} {
		if got, want := mocktest.String(t, gpuGroup.Inputs, key), mocktest.String(t, main.Inputs, key); got != want || want == "" {
			t.Errorf("GPU group %s = %q, want the main group's %q", key, got, want)
		}
	}
	if got := mocktest.String(t, main.Inputs, "launchTemplate.id"); got != lt.ID {
		t.Errorf("launch template %q, want %q", got, lt.ID)
	}
	if !slices.Equal(mocktest.Plain(mocktest.Value(t, gpuGroup.Inputs, "subnetIds")).([]any), []any{"subnet-c", "subnet-d"}) {
		t.Errorf("GPU subnets = %v, want the node subnets", mocktest.Value(t, gpuGroup.Inputs, "subnetIds"))
	}
	if _, ok := mocktest.Get(t, main.Inputs, "amiType"); ok {
		t.Error("the main group got an amiType: it keeps EKS's default AMI")
	}
}

func TestCluster_GPUNodeGroupAutoscalerTemplateTags(t *testing.T) {
	cloud := runCluster(t, gpuClusterArgs()).cloud
	got := map[string]string{}
	gpuGroup := mocktest.Named(t, cloud, nodeGroupType, "eks-gpu")
	asg := mocktest.String(t, gpuGroup.Outputs, "resources[0].autoscalingGroups[0].name")
	for _, tag := range cloud.OfType(asgTagType) {
		if got := mocktest.String(t, tag.Inputs, "autoscalingGroupName"); got != asg || asg == "" {
			t.Errorf("%s tags group %q, want the GPU node group's", tag.Name, got)
		}
		if mocktest.Bool(t, tag.Inputs, "tag.propagateAtLaunch") {
			t.Errorf("%s propagates to instances; only the autoscaler reads it", tag.Name)
		}
		got[mocktest.String(t, tag.Inputs, "tag.key")] = mocktest.String(t, tag.Inputs, "tag.value")
	}
	want := map[string]string{
		"k8s.io/cluster-autoscaler/node-template/label/pachdeploy.io/gpu": "nvidia",
		"k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu":    "present:NoSchedule",
	}
	if !maps.Equal(got, want) {
		t.Errorf("autoscaler tags = %v, want %v", got, want)
	}
}

func TestCluster_GPUDevicePlugin(t *testing.T) {
	res := runCluster(t, gpuClusterArgs())
	ds := mocktest.One(t, res.cloud, daemonSetType)
	if !mocktest.UsesProvider(ds, mocktest.One(t, res.cloud, k8sProviderType).URN) {
		t.Errorf("device plugin provider %q, want the cluster's", ds.Provider)
	}
	for _, name := range []string{"eks", "eks-gpu"} {
		if !mocktest.DependsOn(ds, mocktest.Named(t, res.cloud, nodeGroupType, name).URN) {
			t.Errorf("device plugin does not wait for node group %s", name)
		}
	}
	spec := mocktest.Value(t, ds.Inputs, "spec.template.spec").ObjectValue()
	if got := mocktest.String(t, spec, "containers[0].image"); got != "nvcr.io/nvidia/k8s-device-plugin:v0.17.4" {
		t.Errorf("image = %q, want the pinned v0.17.4", got)
	}
	if got := mocktest.String(t, spec, "nodeSelector."+mocktest.Key("pachdeploy.io/gpu")); got != "nvidia" {
		t.Errorf("nodeSelector = %v, want the GPU label", mocktest.Value(t, spec, "nodeSelector"))
	}
	if got := mocktest.Plain(mocktest.Value(t, spec, "tolerations")); !reflect.DeepEqual(got,
		[]any{map[string]any{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}}) {
		t.Errorf("tolerations = %v, want the GPU taint's", got)
	}
	if mocktest.Bool(t, spec, "containers[0].securityContext.allowPrivilegeEscalation") {
		t.Error("the device plugin may escalate privileges")
	}
}

func TestNewCluster_GPUArgsValidated(t *testing.T) {
	for _, tc := range []struct {
		name     string
		instance string
		max      int
		want     []string
	}{
		{"a GPU type", "p5.48xlarge", 100, nil},
		{"a CPU type", "m5.large", 2, []string{"GPUInstanceType"}},
		{"another cloud's GPU type", "g2-standard-8", 2, []string{"GPUInstanceType"}},
		{"an Arm GPU type (another AMI)", "g5g.xlarge", 2, []string{"GPUInstanceType"}},
		{"too many nodes", "g4dn.xlarge", 101, []string{"GPUMaxCount"}},
		{"a negative maximum", "g4dn.xlarge", -1, []string{"GPUMaxCount"}},
		{"a maximum without a type is ignored", "", 5, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := testClusterArgs()
			args.GPUInstanceType, args.GPUMaxCount = tc.instance, tc.max
			cloud := offline.New("pachdeploy", "test", standIns)
			err := cloud.Run(func(ctx *pulumi.Context) error {
				_, err := NewCluster(ctx, "eks", args)
				return err
			})
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := problemFields(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("problems on %v, want %v", got, tc.want)
			}
		})
	}
}
