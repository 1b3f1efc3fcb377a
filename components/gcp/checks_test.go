package gcp

import (
	"fmt"
	"testing"

	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/policy/policytest"
)

func TestChecks(t *testing.T) {
	one := policytest.One
	policytest.Run(t, checks, []policytest.Case{
		{Rule: "PD-GCP-API-OPEN", Broken: one(gkeClusterType, map[string]any{}),
			Fixed: one(gkeClusterType, map[string]any{"masterAuthorizedNetworksConfig": map[string]any{
				"cidrBlocks": []any{map[string]any{"cidrBlock": "203.0.113.0/24"}}}})},
		{Rule: "PD-GCP-PRIVATE-NODES", Broken: one(gkeClusterType, map[string]any{}),
			Fixed: one(gkeClusterType, map[string]any{"privateClusterConfig": map[string]any{"enablePrivateNodes": true}})},
		{Rule: "PD-GCP-INTRANODE", Broken: one(gkeClusterType, map[string]any{}),
			Fixed: one(gkeClusterType, map[string]any{"enableIntranodeVisibility": true})},
		{Rule: "PD-GCP-NETWORK-POLICY", Broken: one(gkeClusterType, map[string]any{}),
			Fixed: one(gkeClusterType, map[string]any{"datapathProvider": "ADVANCED_DATAPATH"})},
		{Rule: "PD-GCP-CLIENT-CERT", Broken: one(gkeClusterType, map[string]any{}),
			Fixed: one(gkeClusterType, map[string]any{"masterAuth": map[string]any{
				"clientCertificateConfig": map[string]any{"issueClientCertificate": false}}})},
		{Rule: "PD-GCP-BUCKET-LOGGING", Broken: one(gcsBucketType, map[string]any{"name": "data"}),
			Fixed: one(gcsBucketType, logsInto("data", "logs"))},
		// A log bucket is exempt because another bucket logs into it: a bucket no one
		// logs into is not, whatever its name.
		{Rule: "PD-GCP-BUCKET-LOGGING", Broken: buckets(logsInto("data", "elsewhere"), map[string]any{"name": "logs"}),
			Fixed: buckets(logsInto("data", "logs"), map[string]any{"name": "logs"})},
		// CKV_GCP_63: logging into itself is no exemption.
		{Rule: "PD-GCP-BUCKET-LOGGING", Broken: one(gcsBucketType, logsInto("data", "data")),
			Fixed: buckets(logsInto("data", "logs"), map[string]any{"name": "logs"})},
		{Rule: "PD-GCP-BUCKET-PUBLIC", Broken: one(gcsBucketType, map[string]any{"uniformBucketLevelAccess": true}),
			Fixed: one(gcsBucketType, map[string]any{"uniformBucketLevelAccess": true, "publicAccessPrevention": "enforced"})},
		{Rule: "PD-GCP-SQL-TLS", Broken: one(sqlInstanceType, sqlSettings("ipConfiguration", map[string]any{"sslMode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED"})),
			Fixed: one(sqlInstanceType, sqlSettings("ipConfiguration", map[string]any{"sslMode": "ENCRYPTED_ONLY"}))},
		// The provider's ipv4Enabled defaults to true: unset is a public IP.
		{Rule: "PD-GCP-SQL-PUBLIC-IP", Broken: one(sqlInstanceType, sqlSettings("ipConfiguration", map[string]any{})),
			Fixed: one(sqlInstanceType, sqlSettings("ipConfiguration", map[string]any{"ipv4Enabled": false}))},
		{Rule: "PD-GCP-SQL-BACKUPS", Broken: one(sqlInstanceType, sqlSettings("backupConfiguration", map[string]any{"enabled": false})),
			Fixed: one(sqlInstanceType, sqlSettings("backupConfiguration", map[string]any{"enabled": true}))},
		{Rule: "PD-GCP-SQL-PITR", Broken: one(sqlInstanceType, sqlSettings("backupConfiguration", map[string]any{"enabled": true})),
			Fixed: one(sqlInstanceType, sqlSettings("backupConfiguration", map[string]any{"pointInTimeRecoveryEnabled": true}))},
		{Rule: "PD-GCP-SQL-LOG-FLAGS", Broken: one(sqlInstanceType, pgFlags(map[string]string{"log_temp_files": "-1"})),
			Fixed: one(sqlInstanceType, pgFlags(nil))},
		// CKV_GCP_57: a statement duration threshold logs statement text.
		{Rule: "PD-GCP-SQL-LOG-FLAGS", Broken: one(sqlInstanceType, pgFlags(map[string]string{"log_min_duration_statement": "0"})),
			Fixed: one(sqlInstanceType, map[string]any{"databaseVersion": "MYSQL_8_0"})},
		{Rule: "PD-GCP-SQL-DELETION-PROTECTION", Broken: one(sqlInstanceType, map[string]any{"settings": map[string]any{}}),
			Fixed: one(sqlInstanceType, map[string]any{"settings": map[string]any{"deletionProtectionEnabled": true}})},
		{Rule: "PD-GCP-SQL-HA", Broken: one(sqlInstanceType, map[string]any{"settings": map[string]any{"availabilityType": "ZONAL"}}),
			Fixed: one(sqlInstanceType, map[string]any{"settings": map[string]any{"availabilityType": "REGIONAL"}})},
		{Rule: "PD-GCP-PRIMITIVE-ROLE", Broken: one("gcp:projects/iAMMember:IAMMember", map[string]any{"role": "roles/owner"}),
			Fixed: one("gcp:projects/iAMMember:IAMMember", map[string]any{"role": "roles/logging.logWriter"})},
	})
}

// logsInto is a bucket's inputs: name, logging into target.
func logsInto(name, target string) map[string]any {
	return map[string]any{"name": name, "logging": map[string]any{"logBucket": target}}
}

// buckets are GCS buckets with these inputs.
func buckets(inputs ...map[string]any) policy.Resources {
	var rs policy.Resources
	for i, in := range inputs {
		name := fmt.Sprintf("b%d", i)
		rs = append(rs, policy.Resource{URN: "urn:pulumi:test::pachdeploy::" + gcsBucketType + "::" + name,
			Type: gcsBucketType, Name: name, Inputs: in})
	}
	return rs
}

// sqlSettings are a Cloud SQL instance's inputs with one settings block.
func sqlSettings(block string, v map[string]any) map[string]any {
	return map[string]any{"databaseVersion": "POSTGRES_16", "settings": map[string]any{block: v}}
}

// pgFlags are a PostgreSQL instance's inputs with the flags NewDatabase sets, changed
// by override.
func pgFlags(override map[string]string) map[string]any {
	var flags []any
	for _, f := range pgLogFlags {
		value := f.value
		if v, ok := override[f.name]; ok {
			value = v
		}
		flags = append(flags, map[string]any{"name": f.name, "value": value})
	}
	return map[string]any{"databaseVersion": "POSTGRES_16", "settings": map[string]any{"databaseFlags": flags}}
}
