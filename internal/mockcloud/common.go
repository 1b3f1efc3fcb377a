package mockcloud

// Kubeconfig is the stand-in kubeconfig every cluster answers with.
const Kubeconfig = `apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://kubernetes.example.invalid
  name: cluster
contexts:
- context:
    cluster: cluster
    user: admin
  name: cluster
current-context: cluster
users:
- name: admin
  user:
    token: stand-in
`

func init() {
	outputs["random:index/randomPassword:RandomPassword"] = func(a outputArgs) {
		a.setSecret("result", Later("random password"))
		a.setSecret("bcryptHash", Later("bcrypt hash"))
	}
	outputs["random:index/randomUuid:RandomUuid"] = func(a outputArgs) {
		a.set("result", "00000000-0000-4000-8000-000000000000")
	}
	outputs["random:index/randomId:RandomId"] = func(a outputArgs) {
		a.set("hex", "0a1b2c3d")
		a.set("b64Url", "Chssw")
	}
	outputs["kubernetes:helm.sh/v3:Release"] = func(a outputArgs) {
		a.set("status", map[string]any{
			"status":     "deployed",
			"name":       a.str("name", a.name),
			"namespace":  a.str("namespace", "default"),
			"version":    a.str("version", ""),
			"appVersion": a.str("version", ""),
			"chart":      a.str("chart", ""),
			"revision":   1,
		})
	}
	outputs["kubernetes:core/v1:Service"] = func(a outputArgs) {
		a.set("status", map[string]any{"loadBalancer": map[string]any{
			"ingress": []any{map[string]any{"hostname": Later("load balancer host")}},
		}})
	}
}
