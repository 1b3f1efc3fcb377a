package policy

import (
	"fmt"
	"sort"
	"strings"

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
				for _, path := range plaintextSecrets("values", values) {
					out = append(out, Violation{URN: r.URN, Message: path + " holds a plaintext value"})
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

// plaintextSecrets lists the paths below a secret-named key whose value is a plaintext
// string or number. Keys that name a Secret rather than hold one (…SecretName,
// …SecretKey, existingSecret) are references, not secrets.
func plaintextSecrets(at string, v any) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			path := at + "." + k
			if rules.SecretName(k) && !secretReference(k) {
				out = append(out, plaintextLeaves(path, t[k])...)
				continue
			}
			out = append(out, plaintextSecrets(path, t[k])...)
		}
	case []any:
		for i, e := range t {
			out = append(out, plaintextSecrets(fmt.Sprintf("%s[%d]", at, i), e)...)
		}
	}
	return out
}

// plaintextLeaves lists the non-empty plaintext strings and numbers at or below v.
func plaintextLeaves(at string, v any) []string {
	switch t := v.(type) {
	case string:
		if t == "" || t == secretMark {
			return nil
		}
		return []string{at}
	case float64, int:
		return []string{at}
	case map[string]any, []any:
		var out []string
		if m, ok := t.(map[string]any); ok {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				out = append(out, plaintextLeaves(at+"."+k, m[k])...)
			}
			return out
		}
		for i, e := range t.([]any) {
			out = append(out, plaintextLeaves(fmt.Sprintf("%s[%d]", at, i), e)...)
		}
		return out
	}
	return nil
}

// secretReference reports whether a key names a Secret (or a key in one) rather than
// holding a secret value.
func secretReference(k string) bool {
	l := strings.ToLower(k)
	return strings.HasSuffix(l, "secretname") || strings.HasSuffix(l, "secretkey") || strings.HasSuffix(l, "existingsecret") ||
		l == "existingsecret" || strings.HasSuffix(l, "imagepullsecrets")
}
