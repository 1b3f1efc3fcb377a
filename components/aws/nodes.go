package aws

import (
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

// newNodeGroup creates the managed node group in the private subnets from a launch
// template that requires IMDSv2 (CKV_AWS_79) and encrypts the root volume. It is a
// plain aws.eks.NodeGroup, so a change of node counts is an update in place.
func newNodeGroup(ctx *pulumi.Context, name string, a ClusterArgs, role *iam.Role, after []pulumi.Resource, in pulumi.ResourceOption) (*awseks.NodeGroup, error) {
	hopLimit := imdsHopLimitNodeOnly
	if a.PodsUseNodeRole {
		hopLimit = imdsHopLimitPods
	}
	template, err := ec2.NewLaunchTemplate(ctx, name+"-nodes", &ec2.LaunchTemplateArgs{
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
	if err != nil {
		return nil, err
	}
	return awseks.NewNodeGroup(ctx, name, &awseks.NodeGroupArgs{
		ClusterName:   pulumi.String(a.Name),
		NodeRoleArn:   role.Arn,
		SubnetIds:     a.NodeSubnetIDs,
		InstanceTypes: pulumi.StringArray{pulumi.String(a.InstanceType)},
		ScalingConfig: &awseks.NodeGroupScalingConfigArgs{
			DesiredSize: pulumi.Int(a.NodeCount),
			MinSize:     pulumi.Int(a.NodeMinCount),
			MaxSize:     pulumi.Int(a.NodeMaxCount),
		},
		UpdateConfig: &awseks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
		LaunchTemplate: &awseks.NodeGroupLaunchTemplateArgs{
			Id:      template.ID(),
			Version: pulumi.Sprintf("%d", template.LatestVersion),
		},
	}, in, pulumi.DependsOn(after))
}
