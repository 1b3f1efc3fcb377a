package rules

import (
	"slices"
	"sort"
	"strings"
	"unicode"
)

// managedValues are the chart values pachdeploy sets from its own settings or
// generates, each with what to do instead. A values file must not set them: a bucket
// or credential set there would silently point Pachyderm elsewhere, and a password
// there would sit in plain text in the stack's state. The database connection is
// refused in both database modes: with the in-cluster server a host would point pachd
// at another database than the one pachdeploy made, with a managed one it would
// override the server pachdeploy connects (and its TLS mode).
var managedValues = map[string]string{
	"deployTarget":                                       "use the cloud setting instead",
	"pachd.storage.backend":                              "use the cloud setting instead",
	"pachd.storage.storageURL":                           "use bucketName (and region) instead",
	"pachd.storage.amazon":                               "use bucketName, region and identity instead",
	"pachd.storage.google":                               "use bucketName and identity instead",
	"pachd.storage.microsoft":                            "use containerName and storageAccountName instead",
	"pachd.storage.local":                                "pachdeploy deploys to a cloud bucket only; remove it",
	"pachd.storage.minio":                                "pachdeploy deploys to a cloud bucket only; remove it",
	"pachd.enterpriseLicenseKey":                         "use enterpriseLicenseKey (a secret) instead",
	"pachd.enterpriseLicenseKeySecretName":               "use enterpriseLicenseKey (a secret) instead",
	"pachd.clusterDeploymentID":                          "pachdeploy generates it once and keeps it; remove it",
	"pachd.rootToken":                                    "pachdeploy generates it once and passes it by secret name; remove it",
	"pachd.rootTokenSecretName":                          "pachdeploy generates it once and passes it by secret name; remove it",
	"pachd.enterpriseSecret":                             "pachdeploy generates it once and passes it by secret name; remove it",
	"pachd.enterpriseSecretSecretName":                   "pachdeploy generates it once and passes it by secret name; remove it",
	"pachd.oauthClientSecret":                            "pachdeploy generates it once and passes it by secret name; remove it",
	"pachd.oauthClientSecretSecretName":                  "pachdeploy generates it once and passes it by secret name; remove it",
	"console.config.oauthClientSecret":                   "pachdeploy generates it once and passes it by secret name; remove it",
	"console.config.oauthClientSecretSecretName":         "pachdeploy generates it once and passes it by secret name; remove it",
	"global.postgresql.postgresqlPassword":               "pachdeploy generates the database passwords; remove it",
	"global.postgresql.postgresqlPostgresPassword":       "pachdeploy generates the database passwords; remove it",
	"global.postgresql.postgresqlExistingSecretName":     "pachdeploy generates the database passwords; remove it",
	"global.postgresql.postgresqlExistingSecretKey":      "pachdeploy generates the database passwords; remove it",
	"postgresql.enabled":                                 "use database: managed (the cloud's PostgreSQL, which pachdeploy connects) instead",
	"global.postgresql.postgresqlHost":                   "use database: managed (the cloud's PostgreSQL, which pachdeploy connects) instead",
	"global.postgresql.postgresqlPort":                   "use database: managed (the cloud's PostgreSQL, which pachdeploy connects) instead",
	"global.postgresql.postgresqlUsername":               "use database: managed (the cloud's PostgreSQL, which pachdeploy connects) instead",
	"global.postgresql.postgresqlDatabase":               "use database: managed (the cloud's PostgreSQL, which pachdeploy connects) instead",
	"global.postgresql.postgresqlSSL":                    "pachdeploy encrypts the managed database connection (sslmode require); remove it",
	"global.postgresql.ssl":                              "pachdeploy encrypts the managed database connection (sslmode require); remove it",
	"global.postgresql.identityDatabaseFullNameOverride": "use database: managed instead: pachdeploy names the identity database (dex)",
	"pachd.externalService.enabled":                      "use externalService instead",
	"console.enabled":                                    "use console instead",
	"pachd.serviceAccount.additionalAnnotations":         "use identity (the keyless identity annotates both service accounts) instead",
	"pachd.worker.serviceAccount.additionalAnnotations":  "use identity (the keyless identity annotates both service accounts) instead",
	"proxy.enabled":                                      "the proxy is the entry point pachdeploy's endpoint and outputs use; remove it",
	"proxy.host":                                         "use endpointHostname instead",
	"proxy.service.type":                                 "use endpoint: tls (the proxy behind the cloud's load balancer, TLS only) instead",
	"proxy.service.annotations":                          "use endpoint: tls and endpointAllowedCidrs (pachdeploy sets the load balancer's annotations) instead",
	"proxy.service.httpPort":                             "use endpoint: tls instead: pachdeploy maps the load balancer's ports",
	"proxy.service.httpsPort":                            "use endpoint: tls instead: pachdeploy maps the load balancer's ports",
	"proxy.service.legacyPorts":                          "would serve pachd's services on extra ports without TLS; remove it",
	"proxy.tls":                                          "use endpointTlsSecret (or, on AWS, endpointCertificateArn) instead",
	"etcd.storageClass":                                  "pachdeploy uses the encrypted storage class it creates; remove it",
	"postgresql.persistence.storageClass":                "pachdeploy uses the encrypted storage class it creates; remove it",
	"loki-stack.loki.persistence.storageClassName":       "pachdeploy uses the encrypted storage class it creates; remove it",
}

// LoadBalancerSourceRangesAnnotation is the Service annotation the AWS, GCE and Azure
// cloud controllers read for a LoadBalancer's allowed client ranges when
// spec.loadBalancerSourceRanges is empty (k8s.io/api core/v1
// AnnotationLoadBalancerSourceRangesKey): a comma-separated list of CIDR blocks.
// The chart's proxy Service has no value for the field, so pachdeploy sets this.
const LoadBalancerSourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges"

// ManagedValuePaths lists the chart value paths pachdeploy manages, sorted.
func ManagedValuePaths() []string {
	out := make([]string, 0, len(managedValues))
	for p := range managedValues {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// ChartValues checks a user's chart values (a values file) against the values
// pachdeploy manages, reporting each override under field with the path as the value:
// a value at or below a managed path, or a non-map value that would replace a map
// holding one.
func ChartValues(field string, values map[string]any) Problems {
	var p Problems
	walkValues("", values, func(path string, v any) bool {
		if instead, ok := managedUnder(path); ok {
			p.Addf(field, path, "is set by pachdeploy: %s", instead)
			return false
		}
		if _, isMap := v.(map[string]any); !isMap && holdsManaged(path) {
			p.Addf(field, path, "would replace values pachdeploy sets below it; set the keys you need inside it instead")
			return false
		}
		return true
	})
	return p
}

// walkValues calls visit for every entry below prefix, in key order, descending into
// maps while visit returns true.
func walkValues(prefix string, m map[string]any, visit func(path string, v any) bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		v := m[k]
		if visit(path, v) {
			if sub, ok := v.(map[string]any); ok {
				walkValues(path, sub, visit)
			}
		}
	}
}

// managedUnder reports whether path is a managed path or lies below one.
func managedUnder(path string) (string, bool) {
	for p := path; ; {
		if instead, ok := managedValues[p]; ok {
			return instead, true
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			return "", false
		}
		p = p[:i]
	}
}

// holdsManaged reports whether a managed path lies below path.
func holdsManaged(path string) bool {
	for p := range managedValues {
		if strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// secretWords are the words of a value name that mark it as a secret.
var secretWords = map[string]bool{
	"password": true, "passwords": true, "passwd": true, "passphrase": true, "secret": true, "secrets": true,
	"token": true, "tokens": true, "key": true, "keys": true, "cred": true, "creds": true, "credential": true,
	"credentials": true, "license": true, "licence": true, "cert": true, "private": true,
}

// SecretName reports whether a chart value called name (like postgresqlPassword,
// api_key or client-secret) probably holds a secret: one of its words is password,
// passphrase, secret, token, key, credential, license, cert or private. Such values from
// a values file are kept as Pulumi secrets, so they never sit in plain text in the
// state. Check SecretReference first: a name that refers to a Secret holds none.
func SecretName(name string) bool {
	for _, w := range words(name) {
		if secretWords[w] {
			return true
		}
	}
	return false
}

// SecretReference reports whether a chart value called name refers to a Kubernetes
// Secret, or a key inside one, rather than holding a secret: its last word is name or
// names (rootTokenSecretName), it ends in "secret key" after another word
// (postgresqlExistingSecretKey: the chart's key to read from a named Secret), it is an
// "existing ... secret" (the bitnami subcharts' existingSecret), or it is
// imagePullSecrets (a list of Secret names).
func SecretReference(name string) bool {
	if name == "imagePullSecrets" {
		return true
	}
	w := words(name)
	n := len(w)
	switch {
	case n == 0:
		return false
	case w[n-1] == "name" || w[n-1] == "names":
		return true
	case n >= 2 && w[n-1] == "secret" && slices.Contains(w[:n-1], "existing"):
		return true
	}
	return n >= 3 && w[n-2] == "secret" && w[n-1] == "key"
}

// words splits camelCase, snake_case, kebab-case and dotted names into lowercase words.
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(runes[i-1]) || i+1 < len(runes) && unicode.IsLower(runes[i+1])):
			flush()
		}
		cur = append(cur, r)
	}
	flush()
	return out
}
