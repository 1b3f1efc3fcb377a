package gcp

import (
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pachdeploy/pachdeploy/target"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// deployGCP builds the GKE cluster, the GCS bucket and Pachyderm's Google identity.
// Every Google resource uses one explicit provider, so project and region come from
// the stack config (or, for an unset project, the provider's credentials) and never
// from a stray environment; cfg.Tags become labels on the cluster and bucket.
func deployGCP(ctx *pulumi.Context, cfg *config.Config) (*target.Infra, error) {
	providerArgs := &gcp.ProviderArgs{Region: pulumi.String(cfg.Region)}
	if cfg.GCP.Project != "" {
		providerArgs.Project = pulumi.String(cfg.GCP.Project)
	}
	provider, err := gcp.NewProvider(ctx, "gcp", providerArgs)
	if err != nil {
		return nil, err
	}
	withGCP := pulumi.Provider(provider)

	cluster, err := NewCluster(ctx, cfg.ClusterName, &ClusterArgs{
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
	}, withGCP)
	if err != nil {
		return nil, err
	}
	storage, err := NewStorage(ctx, "pachyderm-data", &StorageArgs{
		BucketName:          cfg.BucketName,
		Location:            cfg.GCP.BucketLocation,
		Identity:            Identity(cfg.Identity),
		WorkloadPool:        cluster.WorkloadPool,
		Namespace:           cfg.Namespace,
		DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
		Labels:              cfg.Tags,
	}, withGCP)
	if err != nil {
		return nil, err
	}

	in := &target.Infra{
		Storage:      pachyderm.Storage{Backend: pachyderm.Google, Bucket: cfg.BucketName},
		Annotations:  storage.Annotations,
		StorageClass: cluster.StorageClassName,
		Kubernetes:   cluster.Provider,
		// pachd starts only once its nodes, volumes' class, bucket and bindings exist.
		DependsOn:  append([]pulumi.Resource{cluster.NodePool, cluster.StorageClass}, storage.Resources()...),
		Kubeconfig: cluster.Kubeconfig,
	}
	if Identity(cfg.Identity) == ServiceAccountKey {
		in.Storage.GoogleCredentials = storage.Credentials
	}
	return in, nil
}
