// Package stacks is pachdeploy's one Pulumi program: it reads the typed stack config,
// builds the chosen cloud's cluster, bucket and identity, and installs Pachyderm on it.
package stacks

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// infra is what a cloud hands to the cloud-neutral Pachyderm release.
type infra struct {
	// storage describes the bucket (or container) and any inline credentials.
	storage pachyderm.Storage
	// annotations go on both Pachyderm service accounts (keyless identity).
	annotations pulumi.StringMapInput
	// storageClass names the class etcd, postgresql and Loki volumes use.
	storageClass string
	// kubernetes is the provider of the new cluster.
	kubernetes pulumi.ProviderResource
	// dependsOn are what Kubernetes objects wait for (node pool, storage class, ...).
	dependsOn []pulumi.Resource
	// kubeconfig is the cluster's kubeconfig, exported as a secret.
	kubeconfig pulumi.StringOutput
}

// deployFunc builds one cloud's infrastructure.
type deployFunc func(ctx *pulumi.Context, cfg *config.Config) (*infra, error)

// clouds maps each supported cloud to its infrastructure.
var clouds = map[config.Cloud]deployFunc{}

// Run is the Pulumi program: `pulumi up` runs it from the project root, and the
// Automation API runs it inline.
func Run(ctx *pulumi.Context) error {
	cfg, err := config.FromContext(ctx)
	if err != nil {
		return err
	}
	outputs, err := Deploy(ctx, cfg)
	if err != nil {
		return err
	}
	for k, v := range outputs {
		ctx.Export(k, v)
	}
	return nil
}

// Deploy builds everything cfg describes and returns the stack outputs. cfg must be
// completed and validated (config.Resolve does both).
func Deploy(ctx *pulumi.Context, cfg *config.Config) (pulumi.Map, error) {
	deploy, ok := clouds[cfg.Cloud]
	if !ok {
		return nil, fmt.Errorf("cloud %q is not supported", cfg.Cloud)
	}
	in, err := deploy(ctx, cfg)
	if err != nil {
		return nil, err
	}
	args := &pachyderm.PachydermArgs{
		KubernetesProvider:        in.kubernetes,
		DependsOn:                 in.dependsOn,
		Namespace:                 cfg.Namespace,
		ChartVersion:              cfg.ChartVersion,
		Storage:                   in.storage,
		ServiceAccountAnnotations: in.annotations,
		StorageClass:              in.storageClass,
		DisableConsole:            !cfg.ConsoleEnabled(),
		ExternalService:           cfg.ExternalService,
		Values:                    cfg.Values,
	}
	if cfg.EnterpriseLicenseKey != "" {
		args.EnterpriseLicenseKey = pulumi.ToSecret(pulumi.String(cfg.EnterpriseLicenseKey)).(pulumi.StringOutput)
	}
	pach, err := pachyderm.NewPachyderm(ctx, "pachyderm", args)
	if err != nil {
		return nil, err
	}
	return pulumi.Map{
		"cloud":          pulumi.String(cfg.Cloud),
		"clusterName":    pulumi.String(cfg.ClusterName),
		"region":         pulumi.String(cfg.Region),
		"bucket":         pulumi.String(cfg.BucketName),
		"kubeconfig":     pulumi.ToSecret(in.kubeconfig),
		"namespace":      pach.Namespace,
		"pachdAddress":   pach.PachdAddress,
		"pachctlConnect": pach.PachctlConnect,
		"consoleHint":    pach.ConsoleHint,
	}, nil
}
