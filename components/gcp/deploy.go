package gcp

import (
	"slices"

	"github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployGCP builds the network (unless an existing one is named), the GKE cluster, the
// GCS bucket, Pachyderm's Google identity and, with database: managed, its Cloud SQL
// instance.
// Every Google resource uses one explicit provider, so project and region come from
// the stack config (or, for an unset project, the provider's credentials) and never
// from a stray environment; cfg.Tags become labels on the cluster and bucket.
func deployGCP(ctx *pulumi.Context, cfg *config.Config, opts ...pulumi.ResourceOption) (*target.Infra, error) {
	providerArgs := &gcp.ProviderArgs{Region: pulumi.String(cfg.Region)}
	if cfg.GCP.Project != "" {
		providerArgs.Project = pulumi.String(cfg.GCP.Project)
	}
	provider, err := gcp.NewProvider(ctx, "gcp", providerArgs, opts...)
	if err != nil {
		return nil, err
	}
	withGCP := pulumi.Composite(append(slices.Clip(opts), pulumi.Provider(provider))...)

	cluster, network, err := gcpCluster(ctx, cfg, withGCP)
	if err != nil {
		return nil, err
	}
	bucket, err := NewBucket(ctx, "pachyderm-data", &BucketArgs{
		Name:                cfg.BucketName,
		Location:            cfg.GCP.BucketLocation,
		DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
		Labels:              cfg.Tags,
	}, withGCP)
	if err != nil {
		return nil, err
	}
	// Named like the bucket: the identity's resources keep the names they had under the
	// former Storage component of that name.
	identity, err := NewIdentity(ctx, "pachyderm-data", &IdentityArgs{
		Mode:         IdentityMode(cfg.Identity),
		BucketName:   cfg.BucketName,
		DependsOn:    bucket.Resources(),
		WorkloadPool: cluster.WorkloadPool,
		Namespace:    cfg.Namespace,
	}, withGCP)
	if err != nil {
		return nil, err
	}

	endpoint, err := target.SecretEndpoint(cfg)
	if err != nil {
		return nil, err
	}
	in := &target.Infra{
		Storage:      pachyderm.Storage{Backend: pachyderm.Google, Bucket: cfg.BucketName},
		Annotations:  identity.Annotations,
		StorageClass: cluster.StorageClassName,
		Kubernetes:   cluster.Provider,
		// pachd starts only once its nodes, volumes' class, bucket and bindings exist.
		DependsOn:  append(append(cluster.KubernetesDependencies(), bucket.Resources()...), identity.Resources()...),
		Kubeconfig: cluster.Kubeconfig,
		Endpoint:   endpoint,
	}
	if IdentityMode(cfg.Identity) == ServiceAccountKey {
		in.Storage.GoogleCredentials = identity.Credentials
	}
	if cfg.ManagedDatabase() {
		// The settings refuse a managed database without pachdeploy's network (or
		// with an existing cluster), so network is set here.
		db, err := NewDatabase(ctx, "pachyderm-db", &DatabaseArgs{
			Project:             cfg.GCP.Project,
			Region:              cfg.Region,
			Name:                cfg.ClusterName,
			Network:             network.NetworkSelfLink,
			NetworkCIDRs:        network.CIDRs,
			Version:             cfg.DatabaseVersion,
			Tier:                cfg.DatabaseInstanceType,
			StorageGB:           cfg.DatabaseStorageGB,
			HighAvailability:    cfg.DatabaseHighAvailability,
			BackupDays:          cfg.DatabaseBackupDays,
			DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
			Labels:              cfg.Tags,
		}, withGCP)
		if err != nil {
			return nil, err
		}
		in.Database = db.ExternalDatabase()
	}
	return in, nil
}

// gcpCluster looks up the running cluster existingCluster names (in zone, else region),
// or makes one; the network is the one it made for the cluster, or nil.
func gcpCluster(ctx *pulumi.Context, cfg *config.Config, withGCP pulumi.ResourceOption) (*Cluster, *Network, error) {
	if cfg.ExistingCluster != "" {
		args := &ExistingClusterArgs{
			Project: cfg.GCP.Project, Location: cfg.Region, Name: cfg.ExistingCluster,
			NeedsWorkloadIdentity: IdentityMode(cfg.Identity) == WorkloadIdentity,
		}
		if cfg.GCP.Zone != "" {
			args.Location = cfg.GCP.Zone
		}
		if cfg.Kubeconfig != "" {
			args.Kubeconfig = pulumi.ToSecret(pulumi.String(cfg.Kubeconfig)).(pulumi.StringOutput)
		}
		cluster, err := NewExistingCluster(ctx, cfg.ExistingCluster, args, withGCP)
		return cluster, nil, err
	}
	// The cluster joins an existing VPC when network and subnetwork name one (GKE
	// then picks the pod and service ranges in it), else a VPC of Pachyderm's own,
	// whose Cloud NAT lets its nodes be private (settings.PrivateNodes).
	clusterArgs := &ClusterArgs{
		Project:            cfg.GCP.Project,
		Region:             cfg.Region,
		Zone:               cfg.GCP.Zone,
		Name:               cfg.ClusterName,
		KubernetesVersion:  cfg.KubernetesVersion,
		ReleaseChannel:     cfg.GCP.ReleaseChannel,
		MachineType:        cfg.NodeInstanceType,
		NodeCount:          cfg.NodeCount,
		NodeMinCount:       cfg.NodeMinCount,
		NodeMaxCount:       cfg.NodeMaxCount,
		APIAllowedCIDRs:    cfg.APIAllowedCIDRs,
		DeletionProtection: cfg.GCP.DeletionProtection,
		Labels:             cfg.Tags,
		Network:            pulumi.String(cfg.GCP.Network),
		Subnetwork:         pulumi.String(cfg.GCP.Subnetwork),
		PrivateNodes:       settings.PrivateNodes(cfg),
		GPUMachineType:     cfg.GPUNodeInstanceType,
		GPUMaxCount:        cfg.GPUNodeMaxCount,
	}
	var network *Network
	if cfg.GCP.Network == "" {
		var err error
		network, err = NewNetwork(ctx, cfg.ClusterName, &NetworkArgs{
			Project: cfg.GCP.Project, Region: cfg.Region, Name: cfg.ClusterName,
			// A kept database's private IP lives in this VPC.
			Keep: cfg.ManagedDatabase() && !cfg.DeleteDataOnDestroy,
		}, withGCP)
		if err != nil {
			return nil, nil, err
		}
		clusterArgs.Network, clusterArgs.Subnetwork = network.NetworkSelfLink, network.SubnetworkSelfLink
		clusterArgs.PodsRangeName, clusterArgs.ServicesRangeName = network.PodsRangeName, network.ServicesRangeName
	}
	cluster, err := NewCluster(ctx, cfg.ClusterName, clusterArgs, withGCP)
	return cluster, network, err
}
