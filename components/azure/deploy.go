package azure

import (
	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/azure/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
	azurenative "github.com/pulumi/pulumi-azure-native-sdk/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployAzure builds the resource group, the AKS cluster and the storage account.
// Every Azure resource uses one explicit provider in the configured location. The
// resource group is kept on destroy like the account it holds, since deleting a group
// deletes everything in it.
func deployAzure(ctx *pulumi.Context, cfg *config.Config) (*target.Infra, error) {
	provider, err := azurenative.NewProvider(ctx, "azure-native", &azurenative.ProviderArgs{
		Location: pulumi.String(cfg.Region),
	})
	if err != nil {
		return nil, err
	}
	withAzure := pulumi.Provider(provider)

	// On an existing cluster everything goes into the cluster's own resource group,
	// which pachdeploy neither makes nor keeps.
	var groupName pulumi.StringInput = pulumi.String(cfg.Azure.ResourceGroupName)
	var cluster *Cluster
	if cfg.ExistingCluster != "" {
		args := &ExistingClusterArgs{ResourceGroupName: cfg.Azure.ResourceGroupName, Name: cfg.ExistingCluster, Location: cfg.Region}
		if cfg.Kubeconfig != "" {
			args.Kubeconfig = pulumi.ToSecret(pulumi.String(cfg.Kubeconfig)).(pulumi.StringOutput)
		}
		if cluster, err = NewExistingCluster(ctx, cfg.ExistingCluster, args, withAzure); err != nil {
			return nil, err
		}
	} else {
		if groupName, cluster, err = newGroupAndCluster(ctx, cfg, withAzure); err != nil {
			return nil, err
		}
	}
	bucket, err := NewBucket(ctx, "pachyderm-data", &BucketArgs{
		ResourceGroupName:   groupName,
		Location:            cfg.Region,
		AccountName:         cfg.Azure.StorageAccountName,
		ContainerName:       cfg.BucketName,
		DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
		Tags:                cfg.Tags,
	}, withAzure)
	if err != nil {
		return nil, err
	}
	identity, err := NewIdentity(ctx, "pachyderm", &IdentityArgs{
		Mode:              cfg.Identity,
		ResourceGroupName: groupName,
		AccountName:       bucket.AccountName,
	}, withAzure)
	if err != nil {
		return nil, err
	}

	return &target.Infra{
		Storage: pachyderm.Storage{
			Backend: pachyderm.Microsoft,
			Bucket:  cfg.BucketName,
			// The chart has no keyless Azure mode; the key stays a Pulumi secret.
			MicrosoftAccount: &pachyderm.MicrosoftAccount{Name: cfg.Azure.StorageAccountName, Key: identity.Key},
		},
		Annotations:  identity.Annotations,
		StorageClass: cluster.StorageClassName,
		Kubernetes:   cluster.Provider,
		DependsOn:    append(cluster.KubernetesDependencies(), bucket.Resources()...),
		Kubeconfig:   cluster.Kubeconfig,
	}, nil
}

// newGroupAndCluster makes the resource group (kept on destroy like the account it
// holds, since deleting a group deletes everything in it), the network unless
// nodeSubnetId says otherwise, and the AKS cluster.
func newGroupAndCluster(ctx *pulumi.Context, cfg *config.Config, withAzure pulumi.ResourceOption) (pulumi.StringInput, *Cluster, error) {
	group, err := native.NewResourceGroup(ctx, cfg.Azure.ResourceGroupName, &native.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(cfg.Azure.ResourceGroupName),
		Location:          pulumi.String(cfg.Region),
		Tags:              pulumi.ToStringMap(cfg.Tags),
	}, withAzure, pulumi.RetainOnDelete(!cfg.DeleteDataOnDestroy))
	if err != nil {
		return nil, nil, err
	}
	// The nodes join an existing subnet when nodeSubnetId names one, AKS's own VNet
	// when it says aks-managed, else a VNet of Pachyderm's own.
	var nodeSubnetID pulumi.StringInput
	switch cfg.Azure.NodeSubnetID {
	case settings.AKSManagedSubnet:
	case "":
		network, err := NewNetwork(ctx, cfg.ClusterName, &NetworkArgs{
			ResourceGroupName: group.Name,
			Location:          cfg.Region,
			Name:              cfg.ClusterName,
			Tags:              cfg.Tags,
		}, withAzure)
		if err != nil {
			return nil, nil, err
		}
		nodeSubnetID = network.NodeSubnetID
	default:
		nodeSubnetID = pulumi.String(cfg.Azure.NodeSubnetID)
	}
	cluster, err := NewCluster(ctx, cfg.ClusterName, &ClusterArgs{
		ResourceGroupName: group.Name,
		Location:          cfg.Region,
		Name:              cfg.ClusterName,
		KubernetesVersion: cfg.KubernetesVersion,
		VMSize:            cfg.NodeInstanceType,
		NodeCount:         cfg.NodeCount,
		NodeMinCount:      cfg.NodeMinCount,
		NodeMaxCount:      cfg.NodeMaxCount,
		APIAllowedCIDRs:   cfg.APIAllowedCIDRs,
		NodeSubnetID:      nodeSubnetID,
		Tags:              cfg.Tags,
	}, withAzure)
	if err != nil {
		return nil, nil, err
	}
	return group.Name, cluster, nil
}
