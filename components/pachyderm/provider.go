package pachyderm

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NewKubernetesProvider makes the Kubernetes provider of a cluster from its kubeconfig.
// Every cloud's cluster component uses it, so the three clouds' providers behave alike:
// server-side apply on (the provider's default since v4, stated here so it cannot drift
// per cloud), because the API server then merges each field by its manager and reports
// a conflict with another manager (kubectl, an operator) instead of silently
// overwriting it; and the kubeconfig kept a secret.
func NewKubernetesProvider(ctx *pulumi.Context, name string, kubeconfig pulumi.StringInput,
	opts ...pulumi.ResourceOption) (*kubernetes.Provider, error) {
	return kubernetes.NewProvider(ctx, name, &kubernetes.ProviderArgs{
		Kubeconfig:            pulumi.ToSecret(kubeconfig).(pulumi.StringOutput),
		EnableServerSideApply: pulumi.Bool(true),
	}, opts...)
}
