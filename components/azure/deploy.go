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
	// The one network the storage account answers, when a subnet with the
	// Microsoft.Storage service endpoint is known: never an existing cluster's.
	var storageSubnet pulumi.StringInput
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
		if groupName, storageSubnet, cluster, err = newGroupAndCluster(ctx, cfg, withAzure); err != nil {
			return nil, err
		}
	}
	bucket, err := NewBucket(ctx, "pachyderm-data", &BucketArgs{
		ResourceGroupName:   groupName,
		Location:            cfg.Region,
		AccountName:         cfg.Azure.StorageAccountName,
		ContainerName:       cfg.BucketName,
		DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
		AllowedSubnetID:     storageSubnet,
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
// nodeSubnetId says otherwise, and the AKS cluster. It returns the group, the subnet
// the storage account may be limited to (nil: none known to have the Microsoft.Storage
// service endpoint) and the cluster.
func newGroupAndCluster(ctx *pulumi.Context, cfg *config.Config, withAzure pulumi.ResourceOption) (
	group pulumi.StringInput, storageSubnet pulumi.StringInput, cluster *Cluster, err error) {
	rg, err := native.NewResourceGroup(ctx, cfg.Azure.ResourceGroupName, &native.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(cfg.Azure.ResourceGroupName),
		Location:          pulumi.String(cfg.Region),
		Tags:              pulumi.ToStringMap(cfg.Tags),
	}, withAzure, pulumi.RetainOnDelete(!cfg.DeleteDataOnDestroy))
	if err != nil {
		return nil, nil, nil, err
	}
	// The nodes join an existing subnet when nodeSubnetId names one, AKS's own VNet
	// when it says aks-managed, else a VNet of Pachyderm's own. The storage account is
	// limited to the node subnet when it is known to have the Microsoft.Storage service
	// endpoint: pachdeploy's own, or the user's with nodeSubnetHasStorageEndpoint. A rule
	// naming a subnet without it would cut Pachyderm off its data.
	var nodeSubnetID pulumi.StringInput
	switch cfg.Azure.NodeSubnetID {
	case settings.AKSManagedSubnet:
	case "":
		network, err := NewNetwork(ctx, cfg.ClusterName, &NetworkArgs{
			ResourceGroupName: rg.Name,
			Location:          cfg.Region,
			Name:              cfg.ClusterName,
			Tags:              cfg.Tags,
		}, withAzure)
		if err != nil {
			return nil, nil, nil, err
		}
		nodeSubnetID, storageSubnet = network.NodeSubnetID, network.NodeSubnetID
	default:
		nodeSubnetID = pulumi.String(cfg.Azure.NodeSubnetID)
		if cfg.Azure.NodeSubnetHasStorageEndpoint {
			storageSubnet = nodeSubnetID
		}
	}
	cluster, err = NewCluster(ctx, cfg.ClusterName, &ClusterArgs{
		ResourceGroupName:   rg.Name,
		Location:            cfg.Region,
		Name:                cfg.ClusterName,
		KubernetesVersion:   cfg.KubernetesVersion,
		VMSize:              cfg.NodeInstanceType,
		NodeCount:           cfg.NodeCount,
		NodeMinCount:        cfg.NodeMinCount,
		NodeMaxCount:        cfg.NodeMaxCount,
		APIAllowedCIDRs:     cfg.APIAllowedCIDRs,
		NodeSubnetID:        nodeSubnetID,
		HostEncryption:      cfg.Azure.HostEncryption,
		EntraIDAuth:         cfg.Azure.EntraIDAuth,
		DeleteLogsOnDestroy: cfg.DeleteDataOnDestroy,
		Tags:                cfg.Tags,
	}, withAzure)
	if err != nil {
		return nil, nil, nil, err
	}
	return rg.Name, storageSubnet, cluster, nil
}
