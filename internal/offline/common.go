package offline

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

// Common are the stand-ins of the providers every target uses: random and kubernetes.
var Common = StandIns{Outputs: map[string]func(Answer){
	"random:index/randomPassword:RandomPassword": func(a Answer) {
		a.SetSecret("result", Later("random password"))
		a.SetSecret("bcryptHash", Later("bcrypt hash"))
	},
	"random:index/randomUuid:RandomUuid": func(a Answer) {
		a.Set("result", "00000000-0000-4000-8000-000000000000")
	},
	"random:index/randomId:RandomId": func(a Answer) {
		a.Set("hex", "0a1b2c3d")
		a.Set("b64Url", "Chssw")
	},
	"kubernetes:helm.sh/v3:Release": func(a Answer) {
		a.Set("status", map[string]any{
			"status":     "deployed",
			"name":       a.Str("name", a.Name()),
			"namespace":  a.Str("namespace", "default"),
			"version":    a.Str("version", ""),
			"appVersion": a.Str("version", ""),
			"chart":      a.Str("chart", ""),
			"revision":   1,
		})
	},
	"kubernetes:core/v1:Service": func(a Answer) {
		a.Set("status", map[string]any{"loadBalancer": map[string]any{
			"ingress": []any{map[string]any{"hostname": Later("load balancer host")}},
		}})
	},
}}
