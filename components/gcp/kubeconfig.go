package gcp

import "github.com/pachdeploy/pachdeploy/components/pachyderm"

// kubeconfig returns a kubeconfig for the cluster at endpoint whose user authenticates
// with gke-gcloud-auth-plugin: short-lived Google tokens, no static credentials.
func kubeconfig(name, endpoint, caData string) string {
	return pachyderm.ExecKubeconfig(name, "https://"+endpoint, caData, pachyderm.Exec{
		Command:            "gke-gcloud-auth-plugin",
		InstallHint:        "Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin)",
		ProvideClusterInfo: true,
	})
}
