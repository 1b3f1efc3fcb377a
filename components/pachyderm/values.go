package pachyderm

import (
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Names of the Kubernetes Secret that carries the install-time secrets, and its keys
// as the chart reads them (values.yaml of chart 2.11). The postgres keys are the ones
// the postgresql subchart (bitnami 10.8) reads from global.postgresql.existingSecret;
// pachd, pgbouncer and the other deployments read the user's password through
// postgresqlExistingSecretName/Key: the generated one, or a managed server's
// ExternalDatabase.Password.
const (
	bootstrapSecretName     = "pachdeploy-bootstrap"
	keyRootToken            = "root-token"
	keyEnterpriseSecret     = "enterprise-secret"
	keyPachdOAuthSecret     = "pachd-oauth-client-secret"
	keyConsoleOAuthSecret   = "OAUTH_CLIENT_SECRET"
	keyLicense              = "enterprise-license-key"
	keyPostgresPassword     = "postgresql-password"
	keyPostgresRootPassword = "postgresql-postgres-password"
)

// generated holds the values pachdeploy creates once and keeps stable across updates
// and passes inline: the chart has no secret-name option for the deployment id, an
// identifier rather than a credential.
type generated struct {
	clusterDeploymentID pulumi.StringInput
}

// StorageURL is the pachd.storage.storageURL chart 2.11 requires for cloud targets.
func StorageURL(s Storage) string {
	switch s.Backend {
	case Amazon:
		return fmt.Sprintf("s3://%s?region=%s", s.Bucket, url.QueryEscape(s.Region))
	case Google:
		return "gs://" + s.Bucket
	case Microsoft:
		return "azblob://" + s.Bucket
	}
	return ""
}

// chartValues builds the release values: a tree of plain values whose secret leaves
// are pulumi.StringInput. The user's Values are merged over it last.
func chartValues(a PachydermArgs, g generated) map[string]any {
	s := a.Storage
	storage := map[string]any{"storageURL": StorageURL(s)}
	switch s.Backend {
	case Amazon:
		amazon := map[string]any{"bucket": s.Bucket, "region": s.Region}
		if k := s.AmazonAccessKey; k != nil {
			amazon["id"] = pulumi.ToSecret(k.ID).(pulumi.StringInput)
			amazon["secret"] = pulumi.ToSecret(k.Secret).(pulumi.StringInput)
		}
		storage["amazon"] = amazon
	case Google:
		google := map[string]any{"bucket": s.Bucket}
		if s.GoogleCredentials != nil {
			google["cred"] = pulumi.ToSecret(s.GoogleCredentials).(pulumi.StringInput)
		}
		storage["google"] = google
	case Microsoft:
		storage["microsoft"] = map[string]any{
			"container": s.Bucket,
			"id":        s.MicrosoftAccount.Name,
			"secret":    pulumi.ToSecret(s.MicrosoftAccount.Key).(pulumi.StringInput),
		}
	}

	var annotations any = map[string]any{}
	if a.ServiceAccountAnnotations != nil {
		annotations = a.ServiceAccountAnnotations
	}
	pachd := map[string]any{
		"clusterDeploymentID":         g.clusterDeploymentID,
		"rootTokenSecretName":         bootstrapSecretName,
		"enterpriseSecretSecretName":  bootstrapSecretName,
		"oauthClientSecretSecretName": bootstrapSecretName,
		"externalService":             map[string]any{"enabled": a.ExternalService},
		"storage":                     storage,
		"serviceAccount":              map[string]any{"additionalAnnotations": annotations},
		"worker": map[string]any{
			"serviceAccount": map[string]any{"additionalAnnotations": annotations},
		},
	}
	if a.EnterpriseLicenseKey != nil {
		pachd["enterpriseLicenseKeySecretName"] = bootstrapSecretName
	}
	console := map[string]any{"enabled": !a.DisableConsole}
	if !a.DisableConsole {
		console["config"] = map[string]any{"oauthClientSecretSecretName": bootstrapSecretName}
	}
	// The passwords stay out of the values (and Helm's release record): every reader
	// takes them from the bootstrap Secret. The chart's well-known default passwords
	// are blanked so that no reader can fall back to them.
	postgres := map[string]any{
		"postgresqlPassword":           "",
		"postgresqlPostgresPassword":   "",
		"postgresqlExistingSecretName": bootstrapSecretName,
		"postgresqlExistingSecretKey":  keyPostgresPassword,
	}
	v := map[string]any{
		"deployTarget": string(s.Backend),
		"global":       map[string]any{"postgresql": postgres},
		"pachd":        pachd,
		"console":      console,
	}
	if d := a.Database; d != nil {
		maps.Copy(postgres, managedDatabaseValues(d))
		// The chart's Chart.yaml installs the postgresql subchart on this condition:
		// off, there is no in-cluster server, no volume for it, and pg-bouncer takes
		// postgresqlHost as it is instead of as an in-namespace service name.
		v["postgresql"] = map[string]any{"enabled": false}
	} else {
		// Only the postgresql subchart (bitnami 10.8) reads existingSecret.
		postgres["existingSecret"] = bootstrapSecretName
	}
	if a.StorageClass != "" {
		v["etcd"] = map[string]any{"storageClass": a.StorageClass}
		if a.Database == nil {
			v["postgresql"] = map[string]any{"persistence": map[string]any{"storageClass": a.StorageClass}}
		}
		v["loki-stack"] = map[string]any{"loki": map[string]any{
			"persistence": map[string]any{"storageClassName": a.StorageClass},
		}}
	}
	if e := a.Endpoint; e != nil {
		v["proxy"] = proxyValues(e)
		if e.LoadBalancerTLS {
			// The chart derives https in its external URLs (OIDC issuer, console and
			// pachd redirect URIs) from proxy.tls.enabled, which is off when the load
			// balancer terminates TLS; this flag of the (disabled) ingress section is
			// the other input of the same helper (pachyderm.hostproto).
			v["ingress"] = map[string]any{"uriHttpsProtoOverride": true}
		}
	}
	return MergeValues(v, secretLeaves(a.Values))
}

// EndpointPort is the port a TLS Endpoint serves pachd (grpcs), the console and the
// S3 gateway on; a cloud whose load balancer terminates TLS names it in its
// annotations.
const EndpointPort = 443

// httpPort is the proxy Service's cleartext port with a TLS Secret, which only
// redirects to EndpointPort. In chart 2.11 (templates/proxy/service.yaml) the
// Service's httpPort always targets the proxy's plain HTTP listener (container port
// 8080) and httpsPort its TLS listener (8443), rendered only with proxy.tls.enabled.
const httpPort = 80

// proxyValues are the proxy values of a TLS endpoint: a LoadBalancer Service with the
// cloud's annotations and the allowed client ranges. With a TLS Secret the proxy
// serves HTTPS on 443 (with HSTS) and, on 80, only a redirect to it; when the load
// balancer terminates TLS, the proxy's plain HTTP listener is exposed on 443 alone,
// where the load balancer's TLS listener forwards to, and no cleartext port exists.
// Every port is set, even where it equals the chart's default, so the mapping the
// cloud's annotations rely on cannot move with a chart upgrade.
func proxyValues(e *Endpoint) map[string]any {
	annotations := map[string]any{}
	for k, v := range e.ServiceAnnotations {
		annotations[k] = v
	}
	if len(e.AllowedCIDRs) > 0 {
		annotations[rules.LoadBalancerSourceRangesAnnotation] = strings.Join(e.AllowedCIDRs, ",")
	}
	service := map[string]any{"type": "LoadBalancer", "annotations": annotations}
	tls := map[string]any{"enabled": !e.LoadBalancerTLS}
	if e.LoadBalancerTLS {
		service["httpPort"] = EndpointPort
	} else {
		service["httpPort"], service["httpsPort"] = httpPort, EndpointPort
		tls["secretName"] = e.TLSSecretName
	}
	return map[string]any{"enabled": true, "host": e.Hostname, "service": service, "tls": tls}
}

// databaseSSLMode is the libpq sslmode pg-bouncer uses towards a managed server:
// encrypt, but do not verify the server's certificate. The servers pachdeploy makes
// all refuse unencrypted connections (RDS rds.force_ssl, Cloud SQL ENCRYPTED_ONLY,
// the flexible server's require_secure_transport), so "disable" and "allow" fail and
// "prefer" would fall back to plain text where a server did not insist. verify-ca and
// verify-full need the cloud's CA bundle in global.postgresql.postgresqlSSLCACert,
// which pachdeploy does not have for all three clouds; and pachd's own direct
// connections (global.postgresql.ssl) can only say "require": chart 2.11 hardcodes it
// (templates/pachd/deployment.yaml). So "require" is what the whole chart can honour;
// the traffic stays inside the cloud's private network.
const databaseSSLMode = "require"

// managedDatabaseValues are the global.postgresql values that point pachd, pachw,
// pg-bouncer and the identity service (dex, which pachd runs) at a managed server.
// The password is not among them: it is in the bootstrap Secret, read by name.
func managedDatabaseValues(d *ExternalDatabase) map[string]any {
	return map[string]any{
		"postgresqlHost":     d.Host,
		"postgresqlPort":     strconv.Itoa(d.Port), // the chart's schema wants a string
		"postgresqlUsername": d.User,
		"postgresqlDatabase": PachydermDatabase,
		"postgresqlSSL":      databaseSSLMode,
		// pachd also connects to postgresqlHost directly, beside pg-bouncer: with this
		// the chart sets its POSTGRES_SSL=require; without it pachd's default is
		// "disable" and the server refuses it. The chart's templates read the key
		// although its values.yaml does not list it.
		"ssl": true,
		// pachd's identity service defaults to a database called "dex" too; naming it
		// keeps pachd on the database CreateDatabases (or the cloud) made if the
		// default ever moves (values.yaml already documents it as "Dex").
		"identityDatabaseFullNameOverride": DexDatabase,
	}
}

// secretLeaves returns values with every value whose name marks it as a secret
// (rules.SecretName) made a Pulumi secret, so a values file's passwords and tokens
// never sit in plain text in the state.
func secretLeaves(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		switch sub, isMap := v.(map[string]any); {
		case rules.SecretName(k):
			out[k] = pulumi.ToSecret(toInput(v))
		case isMap:
			out[k] = secretLeaves(sub)
		default:
			out[k] = v
		}
	}
	return out
}

// MergeValues returns base with over merged into it: maps merge key by key, any
// other value in over replaces the one in base. Neither argument is modified.
func MergeValues(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		bm, bok := out[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			out[k] = MergeValues(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}

// toInput converts a values tree into a Pulumi input, keeping Input leaves as they are.
func toInput(v any) pulumi.Input {
	switch t := v.(type) {
	case pulumi.Input:
		return t
	case map[string]any:
		m := pulumi.Map{}
		for k, e := range t {
			m[k] = toInput(e)
		}
		return m
	case []any:
		arr := pulumi.Array{}
		for _, e := range t {
			arr = append(arr, toInput(e))
		}
		return arr
	default:
		return pulumi.Any(t)
	}
}
