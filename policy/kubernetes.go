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
		ID: "PD-K8S-DB-TLS", Refs: []string{"pachdeploy"}, Severity: High,
		Looks: "a release on an external PostgreSQL (postgresql.enabled false): pg-bouncer's sslmode " +
			"(global.postgresql.postgresqlSSL) and pachd's own connections (global.postgresql.ssl)",
		Remediation: "use database: managed and leave the connection to pachdeploy (sslmode require for pg-bouncer and pachd); " +
			"remove global.postgresql settings from valuesFile",
		Check: func(rs Resources) []Violation {
			var out []Violation
			for _, r := range rs.OfType(releaseType) {
				for _, msg := range ExternalDatabaseTLS(r.Inputs) {
					out = append(out, Violation{URN: r.URN, Message: msg})
				}
			}
			return out
		},
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
	{
		ID: "PD-K8S-ENDPOINT-PLAINTEXT", Refs: []string{"pachdeploy"}, Severity: High,
		Looks: "the proxy Service of a release (values.proxy): a LoadBalancer must serve TLS, by the proxy " +
			"(proxy.tls.enabled) or by the load balancer (an AWS certificate on every port)",
		Remediation: "use endpoint: tls with endpointTlsSecret (or, on AWS, endpointCertificateArn); " +
			"remove proxy settings from valuesFile",
		Check: Each(releaseType, "the proxy's load balancer serves pachd, the console and the S3 gateway without TLS: "+
			"tokens and data would cross the network in plain text", func(in map[string]any) bool {
			return proxyLoadBalancer(in) && !proxyServesTLS(in)
		}),
	},
	{
		ID: "PD-K8S-ENDPOINT-OPEN", Refs: []string{"pachdeploy"}, Severity: Medium,
		Looks: "the client ranges of the proxy's load balancer (the " + rules.LoadBalancerSourceRangesAnnotation +
			" annotation of values.proxy.service)",
		Remediation: "set endpointAllowedCidrs to the networks that use Pachyderm, " +
			"e.g. pulumi config set pachdeploy:endpointAllowedCidrs 203.0.113.0/24",
		Check: Each(releaseType, "the proxy's load balancer admits every address: Pachyderm's login and APIs are open to the internet",
			func(in map[string]any) bool {
				return proxyLoadBalancer(in) && rules.OpenToInternet(proxySourceRanges(in))
			}),
	},
}

// The AWS cloud controller's annotations for a load balancer that terminates TLS.
const (
	awsSSLCert  = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
	awsSSLPorts = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"
)

// chartHTTPPort is the proxy Service's plain HTTP port unless values.proxy.service.httpPort
// says otherwise (chart 2.11 values.yaml).
const chartHTTPPort = 80

// proxyLoadBalancer reports whether a Helm release's inputs expose the chart's proxy
// through a LoadBalancer Service: proxy.service.type LoadBalancer with the proxy on
// (the chart's default).
func proxyLoadBalancer(inputs map[string]any) bool {
	if v, set := Get(inputs, "values.proxy.enabled"); set && v != true {
		return false
	}
	return String(inputs, "values.proxy.service.type") == "LoadBalancer"
}

// proxyServesTLS reports whether the proxy's Service is TLS only: the proxy serves its
// TLS Secret (its cleartext port then only redirects), or the load balancer terminates
// TLS with a certificate on every port the Service has (the AWS annotations: ssl-ports
// unset or "*" means every port). Legacy ports are always cleartext.
func proxyServesTLS(in map[string]any) bool {
	legacy, _ := Get(in, "values.proxy.service.legacyPorts")
	ports, _ := legacy.(map[string]any)
	for _, p := range ports {
		if p != nil && fmt.Sprint(p) != "0" {
			return false
		}
	}
	if True(in, "values.proxy.tls.enabled") {
		return true
	}
	annotations := proxyAnnotations(in)
	if s, _ := annotations[awsSSLCert].(string); s == "" {
		return false
	}
	sslPorts, set := annotations[awsSSLPorts]
	if !set {
		return true
	}
	port := fmt.Sprint(chartHTTPPort)
	if v, set := Get(in, "values.proxy.service.httpPort"); set {
		port = fmt.Sprint(v)
	}
	for _, p := range strings.Split(fmt.Sprint(sslPorts), ",") {
		if p = strings.TrimSpace(p); p == "*" || p == port || p == "http-port" {
			return true
		}
	}
	return false
}

// proxyAnnotations are the proxy Service's annotations, read as a map: their keys
// hold dots, which Get would take for path separators.
func proxyAnnotations(in map[string]any) map[string]any {
	v, _ := Get(in, "values.proxy.service.annotations")
	m, _ := v.(map[string]any)
	return m
}

// proxySourceRanges are the client ranges the proxy's load balancer admits, from the
// source-ranges annotation; none means every address.
func proxySourceRanges(in map[string]any) []string {
	s, _ := proxyAnnotations(in)[rules.LoadBalancerSourceRangesAnnotation].(string)
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// encryptingSSLModes are the libpq sslmodes that never send a byte unencrypted.
// "prefer" (the chart's default) and "allow" fall back to plain text when the server
// or someone in between does not offer TLS; "disable" never encrypts.
var encryptingSSLModes = map[string]bool{"require": true, "verify-ca": true, "verify-full": true}

// ExternalDatabaseTLS reports, for a Helm release's inputs, each connection to an
// external PostgreSQL that may travel unencrypted: with the chart's own server off
// (values.postgresql.enabled false), pg-bouncer's sslmode must encrypt and pachd's
// direct connections must be switched to TLS (global.postgresql.ssl true; pachd's
// default is "disable"). A release on the in-cluster server reports nothing: that
// traffic stays in the namespace, and the bitnami subchart serves no TLS.
func ExternalDatabaseTLS(inputs map[string]any) []string {
	if v, set := Get(inputs, "values.postgresql.enabled"); !set || v != false {
		return nil
	}
	var out []string
	mode, set := Get(inputs, "values.global.postgresql.postgresqlSSL")
	if !set {
		mode = "prefer" // the chart's default
	}
	if s, _ := mode.(string); !encryptingSSLModes[s] {
		out = append(out, fmt.Sprintf("pg-bouncer connects to the external database with sslmode %v "+
			"(values.global.postgresql.postgresqlSSL), which may send the password and data unencrypted; "+
			"want require, verify-ca or verify-full", mode))
	}
	if !True(inputs, "values.global.postgresql.ssl") {
		out = append(out, "pachd connects to the external database without TLS (values.global.postgresql.ssl "+
			"is not true, so pachd's POSTGRES_SSL stays \"disable\"); want true")
	}
	return out
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
