package stacks

import (
	gcpcomp "github.com/pachdeploy/pachdeploy/components/gcp"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func init() { clouds[config.GCP] = deployGCP }

// deployGCP builds the GKE cluster, the GCS bucket and Pachyderm's Google identity.
// Every Google resource uses one explicit provider, so project and region come from
// the stack config (or, for an unset project, the provider's credentials) and never
// from a stray environment; cfg.Tags become labels on the cluster and bucket.
func deployGCP(ctx *pulumi.Context, cfg *config.Config) (*infra, error) {
	providerArgs := &gcp.ProviderArgs{Region: pulumi.String(cfg.Region)}
	if cfg.GCP.Project != "" {
		providerArgs.Project = pulumi.String(cfg.GCP.Project)
	}
	provider, err := gcp.NewProvider(ctx, "gcp", providerArgs)
	if err != nil {
		return nil, err
	}
	withGCP := pulumi.Provider(provider)

	cluster, err := gcpcomp.NewCluster(ctx, cfg.ClusterName, &gcpcomp.ClusterArgs{
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
	storage, err := gcpcomp.NewStorage(ctx, "pachyderm-data", &gcpcomp.StorageArgs{
		BucketName:          cfg.BucketName,
		Location:            cfg.GCP.BucketLocation,
		Identity:            gcpcomp.Identity(cfg.Identity),
		WorkloadPool:        cluster.WorkloadPool,
		Namespace:           cfg.Namespace,
		DeleteDataOnDestroy: cfg.DeleteDataOnDestroy,
		Labels:              cfg.Tags,
	}, withGCP)
	if err != nil {
		return nil, err
	}

	in := &infra{
		storage:      pachyderm.Storage{Backend: pachyderm.Google, Bucket: cfg.BucketName},
		annotations:  storage.Annotations,
		storageClass: cluster.StorageClassName,
		kubernetes:   cluster.Provider,
		// pachd starts only once its nodes, volumes' class, bucket and bindings exist.
		dependsOn:  append([]pulumi.Resource{cluster.NodePool, cluster.StorageClass}, storage.Resources()...),
		kubeconfig: cluster.Kubeconfig,
	}
	if gcpcomp.Identity(cfg.Identity) == gcpcomp.ServiceAccountKey {
		in.storage.GoogleCredentials = storage.Credentials
	}
	return in, nil
}
