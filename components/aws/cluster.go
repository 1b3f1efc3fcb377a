package aws

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/aws/settings"
	"github.com/pachdeploy/pachdeploy/components/gpu"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ClusterLogTypes are the control plane logs sent to CloudWatch: all of them (CKV_AWS_37).
var ClusterLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// ControlPlaneLogRetentionDays keeps the control plane logs for a year (CKV_AWS_338);
// left to EKS, the log group it creates keeps them forever.
const ControlPlaneLogRetentionDays = 365

// Cluster defaults.
const (
	// DefaultKubernetesVersion is the EKS version pachdeploy is tested on.
	DefaultKubernetesVersion = settings.DefaultKubernetesVersion
	// DefaultInstanceType is the runbook's node type.
	DefaultInstanceType = settings.DefaultInstanceType
	// DefaultNodeCount is the runbook's node count.
	DefaultNodeCount = settings.DefaultNodeCount
	// DefaultNodeRootVolumeGiB leaves room for Pachyderm's worker images.
	DefaultNodeRootVolumeGiB = 50
)

// ClusterArgs are the inputs of NewCluster.
type ClusterArgs struct {
	// Name is the EKS cluster's name (rules.EKSClusterName). Required: kubectl and the
	// console show it.
	Name string `pulumi:"name"`
	// KubernetesVersion is MAJOR.MINOR. Default DefaultKubernetesVersion, the tested one.
	KubernetesVersion string `pulumi:"kubernetesVersion,optional"`
	// VpcID is the cluster's VPC. Required.
	VpcID pulumi.StringInput `pulumi:"vpcId"`
	// SubnetIDs are where the control plane places its network interfaces: the public
	// and private subnets of a new network, or the configured subnets. Required.
	SubnetIDs pulumi.StringArrayInput `pulumi:"subnetIds"`
	// NodeSubnetIDs are where nodes run: the private subnets of a new network. Required.
	NodeSubnetIDs pulumi.StringArrayInput `pulumi:"nodeSubnetIds"`
	// InstanceType is the nodes' EC2 instance type. Default DefaultInstanceType.
	InstanceType string `pulumi:"instanceType,optional"`
	// NodeCount is the desired node count. Default DefaultNodeCount.
	NodeCount int `pulumi:"nodeCount,optional"`
	// NodeMinCount is the fewest nodes the node group keeps. Default 1.
	NodeMinCount int `pulumi:"nodeMinCount,optional"`
	// NodeMaxCount is the most nodes the node group grows to. Default NodeCount.
	NodeMaxCount int `pulumi:"nodeMaxCount,optional"`
	// NodeRootVolumeGiB sizes the nodes' encrypted gp3 root volume. Default
	// DefaultNodeRootVolumeGiB, room for Pachyderm's worker images.
	NodeRootVolumeGiB int `pulumi:"nodeRootVolumeGib,optional"`
	// APIAllowedCIDRs may reach the public API endpoint (CKV_AWS_38). Default empty:
	// open to the internet, as eksctl does, with a warning naming the apiAllowedCidrs
	// setting; the machine running the deploy must reach the API either way.
	APIAllowedCIDRs []string `pulumi:"apiAllowedCidrs,optional"`
	// PodsUseNodeRole lets pods reach the node role's credentials through the instance
	// metadata service (IMDS hop limit 2), which identity mode node-role needs.
	// Default false: hop limit 1 keeps pods away from the node role (CKV_AWS_341).
	PodsUseNodeRole bool `pulumi:"podsUseNodeRole,optional"`
	// GPUInstanceType adds a second managed node group of this NVIDIA GPU type
	// (settings.GPUInstanceFamilies) with the accelerated AMI (GPUAMIType), tainted
	// nvidia.com/gpu=present:NoSchedule, from zero nodes, and NVIDIA's device plugin.
	// Default "": no GPU nodes.
	GPUInstanceType string `pulumi:"gpuInstanceType,optional"`
	// GPUMaxCount bounds the GPU node group, which starts at zero nodes. Default
	// config.DefaultGPUNodeMaxCount (2) with GPUInstanceType: room for a pipeline's
	// worker and a second one without a large bill.
	GPUMaxCount int `pulumi:"gpuMaxCount,optional"`
}

// Cluster is an EKS cluster built for Pachyderm: secrets envelope-encrypted with a
// rotating KMS key (CKV_AWS_58), all control plane logs (CKV_AWS_37), access entries
// instead of aws-auth, an OIDC provider for IRSA, a managed node group in the private
// subnets with IMDSv2 only (CKV_AWS_79), the EBS CSI driver and an encrypted gp3
// StorageClass; with ClusterArgs.GPUInstanceType also a GPU node group from zero nodes
// and NVIDIA's device plugin.
type Cluster struct {
	pulumi.ResourceState

	// Kubeconfig reaches the cluster with the deployer's AWS credentials (secret).
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// OIDCProviderArn is the ARN of the cluster's IAM OIDC provider.
	OIDCProviderArn pulumi.StringOutput `pulumi:"oidcProviderArn"`
	// OIDCProviderURL is the cluster's OIDC issuer without https://, as IAM
	// conditions name it.
	OIDCProviderURL pulumi.StringOutput `pulumi:"oidcProviderUrl"`
	// NodeRoleName is the nodes' IAM role.
	NodeRoleName pulumi.StringOutput `pulumi:"nodeRoleName"`
	// StorageClassName is the encrypted gp3 StorageClass for persistent volumes.
	StorageClassName string `pulumi:"storageClassName"`
	// Provider deploys to this cluster; every Kubernetes object must use it.
	Provider *kubernetes.Provider
	// NodeGroup is the managed node group.
	NodeGroup *awseks.NodeGroup
	// GPUNodeGroup is the GPU node group, nil without ClusterArgs.GPUInstanceType.
	GPUNodeGroup *awseks.NodeGroup
	// NodeSecurityGroupID is the security group of the nodes: the cluster security
	// group EKS makes, which managed node groups use. What only the nodes may reach
	// (the managed database) admits it. Unset for an existing cluster.
	NodeSecurityGroupID pulumi.StringOutput

	kubernetesDependencies []pulumi.Resource
}

// KubernetesDependencies are what every Kubernetes object in the cluster waits for:
// the node group, the EBS CSI driver and the gp3 StorageClass.
func (c *Cluster) KubernetesDependencies() []pulumi.Resource {
	return append([]pulumi.Resource(nil), c.kubernetesDependencies...)
}

func (a *ClusterArgs) withDefaults() ClusterArgs {
	out := *a
	if out.KubernetesVersion == "" {
		out.KubernetesVersion = DefaultKubernetesVersion
	}
	if out.InstanceType == "" {
		out.InstanceType = DefaultInstanceType
	}
	rules.DefaultNodeCounts(&out.NodeMinCount, &out.NodeCount, &out.NodeMaxCount, DefaultNodeCount)
	if out.NodeRootVolumeGiB == 0 {
		out.NodeRootVolumeGiB = DefaultNodeRootVolumeGiB
	}
	if out.GPUInstanceType != "" && out.GPUMaxCount == 0 {
		out.GPUMaxCount = config.DefaultGPUNodeMaxCount
	}
	return out
}

func (a ClusterArgs) validate() error {
	var p rules.Problems
	p.Add("Name", a.Name, rules.EKSClusterName(a.Name))
	p.Add("KubernetesVersion", a.KubernetesVersion, rules.KubernetesVersion(a.KubernetesVersion, true))
	if a.VpcID == nil {
		p.Addf("VpcID", "", "is required")
	}
	if a.SubnetIDs == nil {
		p.Addf("SubnetIDs", "", "is required")
	}
	if a.NodeSubnetIDs == nil {
		p.Addf("NodeSubnetIDs", "", "is required")
	}
	p.Add("InstanceType", a.InstanceType, rules.AWSInstanceType(a.InstanceType, DefaultInstanceType))
	p = append(p, rules.NodeCountProblems("NodeMinCount", a.NodeMinCount, "NodeCount", a.NodeCount, "NodeMaxCount", a.NodeMaxCount)...)
	if a.NodeRootVolumeGiB < 20 {
		p.Addf("NodeRootVolumeGiB", fmt.Sprint(a.NodeRootVolumeGiB), "must be at least 20 (the EKS AMI's size)")
	}
	for i, cidr := range a.APIAllowedCIDRs {
		p.Add(fmt.Sprintf("APIAllowedCIDRs[%d]", i), cidr, rules.CIDR(cidr))
	}
	if a.GPUInstanceType != "" {
		p.Add("GPUInstanceType", a.GPUInstanceType, settings.GPUInstanceType(a.GPUInstanceType))
		if a.GPUMaxCount < 1 || a.GPUMaxCount > rules.MaxNodes {
			p.Addf("GPUMaxCount", fmt.Sprint(a.GPUMaxCount), "must be 1 to %d", rules.MaxNodes)
		}
	}
	return p.Err()
}

// NewCluster creates the cluster, its node group, storage and Kubernetes provider.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("aws cluster %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("aws cluster %q: %w", name, err)
	}
	c := &Cluster{}
	if err := ctx.RegisterComponentResource("pachdeploy:aws:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	acct, err := accountOf(ctx, c)
	if err != nil {
		return nil, err
	}
	in := pulumi.Parent(c)

	secretsKey, err := newKey(ctx, name+"-secrets",
		pulumi.Sprintf("Envelope encryption of Kubernetes secrets in EKS cluster %s", a.Name), keyPolicy(acct), in)
	if err != nil {
		return nil, err
	}
	nodeRole, nodePolicies, err := newNodeRole(ctx, name, a.Name, acct, in)
	if err != nil {
		return nil, err
	}

	publicCIDRs := a.APIAllowedCIDRs
	if len(publicCIDRs) == 0 {
		publicCIDRs = []string{"0.0.0.0/0"}
	}
	if warning := rules.OpenAPIWarning(a.Name, a.APIAllowedCIDRs, "CKV_AWS_38"); warning != "" {
		if err := ctx.Log.Warn(warning, &pulumi.LogArgs{Resource: c}); err != nil {
			return nil, err
		}
	}
	// EKS writes to /aws/eks/<name>/cluster; made first, the group gets a retention
	// and a key.
	logGroup, err := newLogGroup(ctx, name+"-control-plane", fmt.Sprintf("/aws/eks/%s/cluster", a.Name),
		"EKS control plane of "+a.Name, ControlPlaneLogRetentionDays, acct, in)
	if err != nil {
		return nil, err
	}
	clusterOpts := []pulumi.ResourceOption{in, pulumi.DependsOn([]pulumi.Resource{logGroup})}
	// A remote component gets only the providers passed to it, not its parent's.
	if p := c.GetProvider("aws::"); p != nil {
		clusterOpts = append(clusterOpts, pulumi.Providers(p))
	}
	authMode := eks.AuthenticationModeApi
	cluster, err := eks.NewCluster(ctx, name, &eks.ClusterArgs{
		Name:                 pulumi.StringPtr(a.Name),
		Version:              pulumi.StringPtr(a.KubernetesVersion),
		VpcId:                a.VpcID,
		SubnetIds:            a.SubnetIDs,
		SkipDefaultNodeGroup: pulumi.BoolRef(true),
		// Managed nodes use the security group EKS makes for every cluster.
		SkipDefaultSecurityGroups: pulumi.BoolRef(true),
		// The OIDC provider is made below, outside the component, so that the node
		// group, which must wait for the whole component, waits for no more than the
		// control plane and its access entries.
		CreateOidcProvider:     pulumi.Bool(false),
		EnabledClusterLogTypes: pulumi.ToStringArray(ClusterLogTypes),
		EncryptionConfigKeyArn: secretsKey.Arn,
		EndpointPrivateAccess:  pulumi.Bool(true),
		EndpointPublicAccess:   pulumi.Bool(true),
		PublicAccessCidrs:      pulumi.ToStringArray(publicCIDRs),
		AuthenticationMode:     &authMode,
		// The nodes join through an access entry made with the cluster, before the
		// node group, and replaced together with the node role.
		AccessEntries: map[string]eks.AccessEntryArgs{
			"nodes": {PrincipalArn: nodeRole.Arn, Type: eks.AccessEntryTypeEC2Linux},
		},
	}, clusterOpts...)
	if err != nil {
		return nil, err
	}

	oidc, err := newOIDCProvider(ctx, name, cluster, in)
	if err != nil {
		return nil, err
	}
	template, err := newLaunchTemplate(ctx, name, a, in)
	if err != nil {
		return nil, err
	}
	nodesAfter := append(nodePolicies, cluster)
	nodeGroup, err := newNodeGroup(ctx, name, a, nodeGroupShape{
		instanceType: a.InstanceType, minSize: a.NodeMinCount, desired: a.NodeCount, most: a.NodeMaxCount,
	}, template, nodeRole, in, pulumi.DependsOn(nodesAfter))
	if err != nil {
		return nil, err
	}
	kubeconfig := pulumi.ToSecret(cluster.KubeconfigJson).(pulumi.StringOutput)
	provider, err := pachyderm.NewKubernetesProvider(ctx, name, kubeconfig, in)
	if err != nil {
		return nil, err
	}
	storageDeps, err := newStorage(ctx, name, a.Name, acct, oidc.Arn, cluster.OidcIssuer, nodeGroup, provider, in)
	if err != nil {
		return nil, err
	}
	if a.GPUInstanceType != "" {
		if c.GPUNodeGroup, err = newGPUNodeGroup(ctx, name, a, template, nodeRole, nodesAfter, in); err != nil {
			return nil, err
		}
		if _, err := gpu.NewDevicePlugin(ctx, name+"-nvidia-device-plugin", in, pulumi.Provider(provider),
			pulumi.DependsOn([]pulumi.Resource{nodeGroup, c.GPUNodeGroup})); err != nil {
			return nil, err
		}
	}

	c.Kubeconfig = kubeconfig
	c.OIDCProviderArn = oidc.Arn
	c.OIDCProviderURL = cluster.OidcIssuer
	c.NodeRoleName = nodeRole.Name
	c.StorageClassName = StorageClassName
	c.Provider = provider
	c.NodeGroup = nodeGroup
	c.NodeSecurityGroupID = cluster.ClusterSecurityGroupId
	c.kubernetesDependencies = append([]pulumi.Resource{nodeGroup}, storageDeps...)
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"kubeconfig":      c.Kubeconfig,
		"oidcProviderArn": c.OIDCProviderArn,
		"oidcProviderUrl": c.OIDCProviderURL,
		"nodeRoleName":    c.NodeRoleName,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// newOIDCProvider creates the IAM OIDC provider of the cluster's issuer, which IRSA
// roles trust, as pulumi-eks makes it with createOidcProvider (its name, client id and
// URL), but outside the eks component. The alias names the one pulumi-eks made as the
// component's child in stacks deployed before, so the engine moves it rather than
// replacing it: its ARN is in the roles' trust policies. The thumbprint is left to IAM,
// which verifies EKS issuers against its own trusted CAs; ignoreChanges keeps the one
// pulumi-eks wrote into such a stack.
func newOIDCProvider(ctx *pulumi.Context, name string, cluster *eks.Cluster, in pulumi.ResourceOption) (*iam.OpenIdConnectProvider, error) {
	return iam.NewOpenIdConnectProvider(ctx, name+"-oidcProvider", &iam.OpenIdConnectProviderArgs{
		Url:           pulumi.Sprintf("https://%s", cluster.OidcIssuer),
		ClientIdLists: pulumi.StringArray{pulumi.String(irsaAudience)},
	}, in, pulumi.Aliases([]pulumi.Alias{{Parent: cluster}}), pulumi.IgnoreChanges([]string{"thumbprintLists"}))
}
