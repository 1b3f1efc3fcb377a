package azure

import (
	"fmt"
	"slices"

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
func deployAzure(ctx *pulumi.Context, cfg *config.Config, opts ...pulumi.ResourceOption) (*target.Infra, error) {
	provider, err := azurenative.NewProvider(ctx, "azure-native", &azurenative.ProviderArgs{
		Location: pulumi.String(cfg.Region),
	}, opts...)
	if err != nil {
		return nil, err
	}
	withAzure := pulumi.Composite(append(slices.Clip(opts), pulumi.Provider(provider))...)

	// On an existing cluster everything goes into the cluster's own resource group,
	// which pachdeploy neither makes nor keeps.
	var groupName pulumi.StringInput = pulumi.String(cfg.Azure.ResourceGroupName)
	// The one network the storage account answers, when a subnet with the
	// Microsoft.Storage service endpoint is known: never an existing cluster's.
	var storageSubnet pulumi.StringInput
	var cluster *Cluster
	var network *Network
	if cfg.ExistingCluster != "" {
		args := &ExistingClusterArgs{ResourceGroupName: cfg.Azure.ResourceGroupName, Name: cfg.ExistingCluster, Location: cfg.Region}
		if cfg.Kubeconfig != "" {
			args.Kubeconfig = pulumi.ToSecret(pulumi.String(cfg.Kubeconfig)).(pulumi.StringOutput)
		}
		if cluster, err = NewExistingCluster(ctx, cfg.ExistingCluster, args, withAzure); err != nil {
			return nil, err
		}
	} else {
		if groupName, storageSubnet, network, cluster, err = newGroupAndCluster(ctx, cfg, withAzure); err != nil {
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

	endpoint, err := target.SecretEndpoint(cfg)
	if err != nil {
		return nil, err
	}
	var database *pachyderm.ExternalDatabase
	if cfg.ManagedDatabase() {
		if database, err = newDatabase(ctx, cfg, groupName, network, withAzure); err != nil {
			return nil, err
		}
	}

	return &target.Infra{
		Database: database,
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
		Endpoint:     endpoint,
	}, nil
}

// newDatabase makes the flexible server in pachdeploy's own network (the settings refuse
// database: managed without it), named after the stack like the storage account, as
// the name is a DNS name unique across Azure.
func newDatabase(ctx *pulumi.Context, cfg *config.Config, group pulumi.StringInput, network *Network,
	withAzure pulumi.ResourceOption) (*pachyderm.ExternalDatabase, error) {
	if network == nil {
		return nil, fmt.Errorf("database: %s needs pachdeploy's own VNet", config.DatabaseManaged)
	}
	hash := config.Hash(ctx.Project(), ctx.Stack())
	db, err := NewDatabase(ctx, "pachyderm-metadata", &DatabaseArgs{
		ResourceGroupName:   group,
		Location:            cfg.Region,
		ServerName:          config.Trim("pachdeploy-"+config.Slug(ctx.Stack()), 63-len(hash)-1) + "-" + hash,
		VirtualNetworkName:  network.VirtualNetworkName,
		VirtualNetworkID:    network.VirtualNetworkID,
		Version:             cfg.DatabaseVersion,
		SKU:                 cfg.DatabaseInstanceType,
		StorageGB:           cfg.DatabaseStorageGB,
		HighAvailability:    cfg.DatabaseHighAvailability,
		BackupDays:          cfg.DatabaseBackupDays,
		DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
		Tags:                cfg.Tags,
	}, withAzure)
	if err != nil {
		return nil, err
	}
	return db.ExternalDatabase(), nil
}

// newGroupAndCluster makes the resource group (kept on destroy like the account it
// holds, since deleting a group deletes everything in it), the network unless
// nodeSubnetId says otherwise, and the AKS cluster. It returns the group, the subnet
// the storage account may be limited to (nil: none known to have the Microsoft.Storage
// service endpoint), pachdeploy's own network (nil with nodeSubnetId) and the cluster.
func newGroupAndCluster(ctx *pulumi.Context, cfg *config.Config, withAzure pulumi.ResourceOption) (
	group pulumi.StringInput, storageSubnet pulumi.StringInput, network *Network, cluster *Cluster, err error) {
	rg, err := native.NewResourceGroup(ctx, cfg.Azure.ResourceGroupName, &native.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(cfg.Azure.ResourceGroupName),
		Location:          pulumi.String(cfg.Region),
		Tags:              pulumi.ToStringMap(cfg.Tags),
	}, withAzure, pulumi.RetainOnDelete(!cfg.DeleteDataOnDestroy))
	if err != nil {
		return nil, nil, nil, nil, err
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
		network, err = NewNetwork(ctx, cfg.ClusterName, &NetworkArgs{
			ResourceGroupName: rg.Name,
			Location:          cfg.Region,
			Name:              cfg.ClusterName,
			Tags:              cfg.Tags,
			// A kept database's subnet stays in the VNet.
			RetainOnDelete: cfg.ManagedDatabase() && !cfg.DeleteDataOnDestroy,
		}, withAzure)
		if err != nil {
			return nil, nil, nil, nil, err
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
		GPUVMSize:           cfg.GPUNodeInstanceType,
		GPUMaxCount:         cfg.GPUNodeMaxCount,
	}, withAzure)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return rg.Name, storageSubnet, network, cluster, nil
}
