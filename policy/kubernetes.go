package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/internal/rules"
)

// Resource types the shared rules read.
const (
	releaseType      = "kubernetes:helm.sh/v3:Release"
	storageClassType = "kubernetes:storage.k8s.io/v1:StorageClass"
)

// secretMark is how a plan shows a secret.
const secretMark = "[secret]"

// Kubernetes are the rules of the Kubernetes side pachdeploy controls, on every cloud.
var Kubernetes = []Rule{
	{
		ID: "PD-K8S-PLAINTEXT-SECRET", Refs: []string{"CKV_SECRET_6", "trivy:general-secrets"}, Severity: Critical,
		Looks:       "every Helm value whose name marks a secret (password, secret, token, key, cred, license, cert)",
		Remediation: "remove the value from valuesFile and set it with `pulumi config set --secret`, or name an existing Kubernetes Secret (*SecretName)",
		Check: func(rs Resources) []Violation {
			var out []Violation
			for _, r := range rs.OfType(releaseType) {
				values, _ := r.Inputs["values"].(map[string]any)
				for _, msg := range PlaintextSecrets(values) {
					out = append(out, Violation{URN: r.URN, Message: "values." + msg})
				}
			}
			return out
		},
	},
	{
		ID: "PD-K8S-WELL-KNOWN-PASSWORD", Refs: []string{"CKV_K8S_35"}, Severity: Critical,
		Looks:       "the chart's well-known default postgres passwords (insecure-user-password, insecure-root-password)",
		Remediation: "leave the postgres passwords to pachdeploy (it generates them and passes them by Secret name); remove them from valuesFile",
		Check: Each(releaseType, "the release keeps one of the chart's well-known postgres passwords", func(in map[string]any) bool {
			for _, k := range []string{"postgresqlPassword", "postgresqlPostgresPassword"} {
				if v := String(in, "values.global.postgresql."+k); strings.HasPrefix(v, "insecure-") {
					return true
				}
			}
			return false
		}),
	},
	{
		ID: "PD-K8S-SA-ANNOTATIONS", Refs: []string{"pachdeploy"}, Severity: High,
		Looks:       "the identity annotations of the pachyderm and pachyderm-worker service accounts",
		Remediation: "keep both service accounts annotated alike: do not set pachd.serviceAccount or pachd.worker.serviceAccount annotations in valuesFile",
		Check: Each(releaseType, "pachyderm and pachyderm-worker carry different identity annotations: workers would lose bucket access",
			func(in map[string]any) bool {
				a, _ := Get(in, "values.pachd.serviceAccount.additionalAnnotations")
				b, _ := Get(in, "values.pachd.worker.serviceAccount.additionalAnnotations")
				return fmt.Sprint(a) != fmt.Sprint(b)
			}),
	},
}

// PlaintextSecrets reports every leaf of Helm values (as a plan or a preview shows
// them) that sits in plain text under a secret-named key (rules.SecretName), by dotted
// path and why; the value itself is never shown. A leaf may be "[secret]" (a Pulumi
// secret), empty, null or a boolean (a switch). A cloud-assigned stand-in ("(known
// after deploy)") is reported too: it is no Pulumi secret, so it would sit in plain
// text in the state once known. Nothing under a reference (rules.SecretReference) is
// checked.
func PlaintextSecrets(values map[string]any) []string {
	var out []string
	var walk func(path string, v any, secretKey string)
	walk = func(path string, v any, secretKey string) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if rules.SecretReference(k) {
					continue
				}
				sk := secretKey
				if sk == "" && rules.SecretName(k) {
					sk = k
				}
				next := k
				if path != "" {
					next = path + "." + k
				}
				walk(next, v[k], sk)
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e, secretKey)
			}
		case nil, bool:
		case string:
			if secretKey == "" || v == secretMark || v == "" {
				return
			}
			why := "a plaintext value"
			if strings.Contains(v, offline.Marker) {
				why = "a cloud-assigned value that is not a Pulumi secret (it would sit in plain text in the state once known)"
			}
			out = append(out, fmt.Sprintf("%s holds %s (%d characters) under the secret-named key %q; want %q (a Pulumi secret) or empty",
				path, why, len(v), secretKey, secretMark))
		default:
			if secretKey != "" {
				out = append(out, fmt.Sprintf("%s holds a plaintext %T under the secret-named key %q; want %q (a Pulumi secret) or empty",
					path, v, secretKey, secretMark))
			}
		}
	}
	walk("", values, "")
	return out
}
