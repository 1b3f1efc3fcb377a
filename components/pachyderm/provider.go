package pachyderm

import (
	"fmt"
	"strings"

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

// Exec is how a kubeconfig's user gets its short-lived tokens.
type Exec struct {
	// Command is run for each token (aws, gke-gcloud-auth-plugin, ...).
	Command string
	// Args are its arguments.
	Args []string
	// InstallHint tells a user without the command how to get it.
	InstallHint string
	// ProvideClusterInfo passes the cluster to the command.
	ProvideClusterInfo bool
}

// ExecKubeconfig is a kubeconfig for the cluster name at server whose user gets
// short-lived tokens from exec: no static secret in it.
func ExecKubeconfig(name, server, caData string, exec Exec) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
    certificate-authority-data: %[3]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s
current-context: %[1]s
users:
- name: %[1]s
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: %[4]s
`, name, server, caData, exec.Command)
	if len(exec.Args) > 0 {
		fmt.Fprintf(&b, "      args: [%s]\n", strings.Join(exec.Args, ", "))
	}
	if exec.InstallHint != "" {
		fmt.Fprintf(&b, "      installHint: %s\n", exec.InstallHint)
	}
	if exec.ProvideClusterInfo {
		b.WriteString("      provideClusterInfo: true\n")
	}
	return b.String()
}
