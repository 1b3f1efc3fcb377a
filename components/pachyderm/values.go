package pachyderm

import (
	"fmt"
	"net/url"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Names of the Kubernetes Secret that carries the install-time secrets, and its keys
// as the chart reads them (values.yaml of chart 2.11). The postgres keys are the ones
// the postgresql subchart (bitnami 10.8) reads from global.postgresql.existingSecret;
// pachd, pgbouncer and the other deployments read the user's password through
// postgresqlExistingSecretName/Key.
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
	v := map[string]any{
		"deployTarget": string(s.Backend),
		// The passwords stay out of the values (and Helm's release record): every
		// reader takes them from the bootstrap Secret. The chart's well-known default
		// passwords are blanked so that no reader can fall back to them.
		"global": map[string]any{"postgresql": map[string]any{
			"postgresqlPassword":           "",
			"postgresqlPostgresPassword":   "",
			"postgresqlExistingSecretName": bootstrapSecretName,
			"postgresqlExistingSecretKey":  keyPostgresPassword,
			"existingSecret":               bootstrapSecretName,
		}},
		"pachd":   pachd,
		"console": console,
	}
	if a.StorageClass != "" {
		v["etcd"] = map[string]any{"storageClass": a.StorageClass}
		v["postgresql"] = map[string]any{"persistence": map[string]any{"storageClass": a.StorageClass}}
		v["loki-stack"] = map[string]any{"loki": map[string]any{
			"persistence": map[string]any{"storageClassName": a.StorageClass},
		}}
	}
	return MergeValues(v, secretLeaves(a.Values))
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
