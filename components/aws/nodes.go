package aws

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/gpu"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/autoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// nodePolicies are the AWS managed policies every EKS node needs.
var nodePolicies = []string{
	"AmazonEKSWorkerNodePolicy",
	"AmazonEKS_CNI_Policy",
	"AmazonEC2ContainerRegistryReadOnly",
}

// IMDS hop limits. One hop reaches the node itself but not a pod behind the node's
// network namespace, so pods cannot take the node role's credentials (CKV_AWS_341);
// identity mode node-role needs pods to reach them, which takes two.
const (
	imdsHopLimitNodeOnly = 1
	imdsHopLimitPods     = 2
)

// newNodeRole creates the nodes' IAM role with the managed policies attached; the
// attachments are returned so the node group can wait for them.
func newNodeRole(ctx *pulumi.Context, name, clusterName string, acct account, in pulumi.ResourceOption) (*iam.Role, []pulumi.Resource, error) {
	role, err := iam.NewRole(ctx, name+"-node", &iam.RoleArgs{
		Description:      pulumi.Sprintf("Nodes of EKS cluster %s", clusterName),
		AssumeRolePolicy: pulumi.String(serviceTrustPolicy("ec2." + acct.DNSSuffix).String()),
	}, in)
	if err != nil {
		return nil, nil, err
	}
	var attachments []pulumi.Resource
	for _, policy := range nodePolicies {
		att, err := iam.NewRolePolicyAttachment(ctx, name+"-node-"+policy, &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.String(managedPolicyARN(acct.Partition, policy)),
		}, in)
		if err != nil {
			return nil, nil, err
		}
		attachments = append(attachments, att)
	}
	return role, attachments, nil
}

// newLaunchTemplate creates the launch template every node group uses: IMDSv2 only
// (CKV_AWS_79) with the hop limit ClusterArgs.PodsUseNodeRole asks for, and an
// encrypted gp3 root volume. It names no AMI, so each node group's amiType picks one.
func newLaunchTemplate(ctx *pulumi.Context, name string, a ClusterArgs, in pulumi.ResourceOption) (*ec2.LaunchTemplate, error) {
	hopLimit := imdsHopLimitNodeOnly
	if a.PodsUseNodeRole {
		hopLimit = imdsHopLimitPods
	}
	return ec2.NewLaunchTemplate(ctx, name+"-nodes", &ec2.LaunchTemplateArgs{
		Description:          pulumi.Sprintf("Nodes of EKS cluster %s: IMDSv2 only, encrypted gp3 root volume", a.Name),
		UpdateDefaultVersion: pulumi.Bool(true),
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint:            pulumi.String("enabled"),
			HttpTokens:              pulumi.String("required"),
			HttpPutResponseHopLimit: pulumi.Int(hopLimit),
		},
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{
			&ec2.LaunchTemplateBlockDeviceMappingArgs{
				DeviceName: pulumi.String("/dev/xvda"),
				Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
					VolumeSize:          pulumi.Int(a.NodeRootVolumeGiB),
					VolumeType:          pulumi.String("gp3"),
					Encrypted:           pulumi.String("true"),
					DeleteOnTermination: pulumi.String("true"),
				},
			},
		},
	}, in)
}

// nodeGroupShape is what tells one node group from another: everything else (role,
// subnets, launch template, updates) they share.
type nodeGroupShape struct {
	instanceType           string
	minSize, desired, most int
	// amiType is "" for EKS's default AMI for the cluster's version.
	amiType string
	labels  map[string]string
	taints  awseks.NodeGroupTaintArray
}

// newNodeGroup creates a managed node group of shape in the node subnets from the
// shared launch template. It is a plain aws.eks.NodeGroup, so a change of node counts
// is an update in place.
func newNodeGroup(ctx *pulumi.Context, name string, a ClusterArgs, shape nodeGroupShape, template *ec2.LaunchTemplate,
	role *iam.Role, opts ...pulumi.ResourceOption) (*awseks.NodeGroup, error) {
	args := &awseks.NodeGroupArgs{
		ClusterName:   pulumi.String(a.Name),
		NodeRoleArn:   role.Arn,
		SubnetIds:     a.NodeSubnetIDs,
		InstanceTypes: pulumi.StringArray{pulumi.String(shape.instanceType)},
		ScalingConfig: &awseks.NodeGroupScalingConfigArgs{
			DesiredSize: pulumi.Int(shape.desired),
			MinSize:     pulumi.Int(shape.minSize),
			MaxSize:     pulumi.Int(shape.most),
		},
		UpdateConfig: &awseks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
		LaunchTemplate: &awseks.NodeGroupLaunchTemplateArgs{
			Id:      template.ID(),
			Version: pulumi.Sprintf("%d", template.LatestVersion),
		},
		Taints: shape.taints,
	}
	if shape.amiType != "" {
		args.AmiType = pulumi.String(shape.amiType)
	}
	if len(shape.labels) > 0 {
		args.Labels = pulumi.ToStringMap(shape.labels)
	}
	return awseks.NewNodeGroup(ctx, name, args, opts...)
}

// GPUAMIType is the EKS-optimized accelerated AMI of the GPU node group: AL2023 with
// the NVIDIA driver and container toolkit, but no device plugin (the EKS user guide:
// "you must install the NVIDIA Kubernetes device plugin"), which NewCluster adds.
const GPUAMIType = "AL2023_x86_64_NVIDIA"

// clusterAutoscalerTemplate is the prefix of the Auto Scaling group tags the cluster
// autoscaler reads to learn the labels and taints of a group's nodes while it has none,
// which scaling from zero needs.
const clusterAutoscalerTemplate = "k8s.io/cluster-autoscaler/node-template/"

// newGPUNodeGroup creates the GPU node group: the node role and launch template of the
// main group (IMDSv2, encrypted root volume), the accelerated AMI, min 0 / desired 0 /
// max GPUMaxCount, the GPU taint and label, and the cluster autoscaler's node-template
// tags on its Auto Scaling group (EKS does not copy node group tags there). Nothing in
// pachdeploy scales it: an autoscaler the user runs does, and owns the desired size
// from then on.
func newGPUNodeGroup(ctx *pulumi.Context, name string, a ClusterArgs, template *ec2.LaunchTemplate, role *iam.Role,
	after []pulumi.Resource, in pulumi.ResourceOption) (*awseks.NodeGroup, error) {
	ng, err := newNodeGroup(ctx, name+"-gpu", a, nodeGroupShape{
		instanceType: a.GPUInstanceType, minSize: 0, desired: 0, most: a.GPUMaxCount,
		amiType: GPUAMIType,
		labels:  gpu.Labels(),
		taints: awseks.NodeGroupTaintArray{&awseks.NodeGroupTaintArgs{
			Key: pulumi.String(gpu.TaintKey), Value: pulumi.String(gpu.TaintValue), Effect: pulumi.String("NO_SCHEDULE"),
		}},
	}, template, role, in, pulumi.DependsOn(after),
		pulumi.IgnoreChanges([]string{"scalingConfig.desiredSize"}))
	if err != nil {
		return nil, err
	}
	group := ng.Resources.ApplyT(func(rs []awseks.NodeGroupResource) (string, error) {
		for _, r := range rs {
			for _, g := range r.AutoscalingGroups {
				if g.Name != nil {
					return *g.Name, nil
				}
			}
		}
		return "", fmt.Errorf("EKS node group %s-gpu reports no Auto Scaling group to tag for the cluster autoscaler", name)
	}).(pulumi.StringOutput)
	for _, tag := range []struct{ kind, key, value string }{
		{"label", clusterAutoscalerTemplate + "label/" + gpu.LabelKey, gpu.LabelValue},
		{"taint", clusterAutoscalerTemplate + "taint/" + gpu.TaintKey, gpu.TaintValue + ":" + gpu.TaintEffect},
	} {
		if _, err := autoscaling.NewTag(ctx, name+"-gpu-autoscaler-"+tag.kind, &autoscaling.TagArgs{
			AutoscalingGroupName: group,
			// The autoscaler reads the group's tags; the instances need none.
			Tag: &autoscaling.TagTagArgs{Key: pulumi.String(tag.key), Value: pulumi.String(tag.value), PropagateAtLaunch: pulumi.Bool(false)},
		}, in); err != nil {
			return nil, err
		}
	}
	return ng, nil
}
