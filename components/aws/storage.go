package aws

import (
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// StorageClassName is the encrypted gp3 StorageClass that etcd, PostgreSQL and Loki
// volumes use. EKS's own gp2 class uses the in-tree provisioner, which no longer
// provisions anything.
const StorageClassName = "gp3"

// EBS CSI driver names: the EKS add-on and the controller's service account, which
// alone may assume the driver's role.
const (
	ebsCSIAddon          = "aws-ebs-csi-driver"
	ebsCSIServiceAccount = "ebs-csi-controller-sa"
	ebsCSIProvisioner    = "ebs.csi.aws.com"
)

// newStorage installs the EBS CSI driver add-on with its own IRSA role, trusted through
// the cluster's OIDC provider (oidcProviderArn, for issuer without https://), and
// creates the gp3 StorageClass. It returns the add-on and the class for Kubernetes
// objects to wait for.
func newStorage(ctx *pulumi.Context, name, clusterName string, acct account, oidcProviderArn, issuer pulumi.StringInput,
	nodeGroup *awseks.NodeGroup, provider *kubernetes.Provider, in pulumi.ResourceOption,
) ([]pulumi.Resource, error) {
	role, err := iam.NewRole(ctx, name+"-ebs-csi", &iam.RoleArgs{
		Description: pulumi.Sprintf("EBS CSI driver of EKS cluster %s", clusterName),
		AssumeRolePolicy: irsaTrustPolicyOutput(oidcProviderArn, issuer,
			serviceAccountSubject("kube-system", ebsCSIServiceAccount)),
	}, in)
	if err != nil {
		return nil, err
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, name+"-ebs-csi", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.String(managedPolicyARN(acct.Partition, "service-role/AmazonEBSCSIDriverPolicy")),
	}, in)
	if err != nil {
		return nil, err
	}
	// The add-on turns active only once its controller runs, which takes nodes.
	addon, err := awseks.NewAddon(ctx, name+"-ebs-csi", &awseks.AddonArgs{
		ClusterName:              pulumi.String(clusterName),
		AddonName:                pulumi.String(ebsCSIAddon),
		ServiceAccountRoleArn:    role.Arn,
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
	}, in, pulumi.DependsOn([]pulumi.Resource{nodeGroup, attachment}))
	if err != nil {
		return nil, err
	}
	class, err := storagev1.NewStorageClass(ctx, name+"-gp3", &storagev1.StorageClassArgs{
		Metadata:    &metav1.ObjectMetaArgs{Name: pulumi.String(StorageClassName)},
		Provisioner: pulumi.String(ebsCSIProvisioner),
		Parameters: pulumi.StringMap{
			"type":      pulumi.String("gp3"),
			"encrypted": pulumi.String("true"),
		},
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Delete"),
	}, in, pulumi.Provider(provider), pulumi.DependsOn([]pulumi.Resource{nodeGroup, addon}))
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{addon, class}, nil
}
