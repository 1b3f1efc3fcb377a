package gcp

import "fmt"

// kubeconfig returns a kubeconfig for the cluster at endpoint whose user authenticates
// with gke-gcloud-auth-plugin: short-lived Google tokens, no static credentials.
func kubeconfig(name, endpoint, caData string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: https://%[2]s
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
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin)
      provideClusterInfo: true
`, name, endpoint, caData)
}
