package gcp

import (
	"maps"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
)

// Resource types the rules read.
const (
	gkeClusterType  = "gcp:container/cluster:Cluster"
	gcsBucketType   = "gcp:storage/bucket:Bucket"
	sqlInstanceType = "gcp:sql/databaseInstance:DatabaseInstance"
)

// checks are GCP's policy rules (pachdeploy check).
var checks = []policy.Rule{
	{
		ID: "PD-GCP-API-OPEN", Refs: []string{"CKV_GCP_20", "AVD-GCP-0055"}, Cloud: "gcp", Severity: policy.High,
		Looks:       "master authorized networks on the GKE cluster",
		Remediation: "set apiAllowedCidrs to the networks that deploy and administer the cluster",
		Check: policy.Each(gkeClusterType, "the Kubernetes API is reachable from any address", func(in map[string]any) bool {
			return rules.OpenToInternet(policy.Strings(in, "masterAuthorizedNetworksConfig.cidrBlocks", "cidrBlock"))
		}),
	},
	{
		ID: "PD-GCP-PRIVATE-NODES", Refs: []string{"CKV_GCP_25", "CKV_GCP_64", "AVD-GCP-0059"}, Cloud: "gcp", Severity: policy.Medium,
		Looks: "private nodes (privateClusterConfig.enablePrivateNodes)",
		Remediation: "set privateNodes: true. It is the default when pachdeploy makes the network, whose Cloud NAT lets the nodes pull " +
			"images; with network and subnetwork set the nodes stay public unless privateNodes is true, which needs Cloud NAT " +
			"(or another way out) in that VPC for Pachyderm's Docker Hub images",
		Check: policy.Each(gkeClusterType, "the nodes have public IP addresses", func(in map[string]any) bool {
			return !policy.True(in, "privateClusterConfig.enablePrivateNodes")
		}),
	},
	{
		ID: "PD-GCP-INTRANODE", Refs: []string{"CKV_GCP_61"}, Cloud: "gcp", Severity: policy.Low,
		Looks:       "intranode visibility (enableIntranodeVisibility)",
		Remediation: "pachdeploy's cluster has intranode visibility on: a cluster without it comes from a change to components/gcp",
		Check: policy.Each(gkeClusterType, "pod-to-pod traffic on a node is not visible to VPC flow logs", func(in map[string]any) bool {
			return !policy.True(in, "enableIntranodeVisibility")
		}),
	},
	{
		ID: "PD-GCP-NETWORK-POLICY", Refs: []string{"CKV_GCP_12"}, Cloud: "gcp", Severity: policy.Low,
		Looks:       "NetworkPolicy enforcement: Dataplane V2 (datapathProvider ADVANCED_DATAPATH) or a networkPolicy block",
		Remediation: "pachdeploy runs Dataplane V2, which enforces NetworkPolicy; checkov's CKV_GCP_12 reads only the networkPolicy block",
		Check: policy.Each(gkeClusterType, "nothing enforces Kubernetes NetworkPolicy", func(in map[string]any) bool {
			return policy.String(in, "datapathProvider") != "ADVANCED_DATAPATH" && !policy.True(in, "networkPolicy.enabled")
		}),
	},
	{
		ID: "PD-GCP-CLIENT-CERT", Refs: []string{"CKV_GCP_13", "AVD-GCP-0062"}, Cloud: "gcp", Severity: policy.Low,
		Looks:       "client certificate authentication off (masterAuth.clientCertificateConfig)",
		Remediation: "pachdeploy's cluster turns client certificates off explicitly: a cluster without that comes from a change to components/gcp",
		Check: policy.Each(gkeClusterType, "client certificates are not explicitly off", func(in map[string]any) bool {
			v, ok := policy.Get(in, "masterAuth.clientCertificateConfig.issueClientCertificate")
			return !ok || v != false
		}),
	},
	{
		ID: "PD-GCP-BUCKET-LOGGING", Refs: []string{"CKV_GCP_62", "CKV_GCP_63"}, Cloud: "gcp", Severity: policy.Low,
		Looks: "access logging on every GCS bucket (logging.logBucket) into another bucket; a bucket that another one logs into is exempt",
		Remediation: "pachdeploy's data bucket logs into a log bucket of its own, which is exempt (logging it would log every log " +
			"delivery): a bucket without logging comes from a change to components/gcp",
		Check: bucketLogging,
	},
	{
		ID: "PD-GCP-BUCKET-PUBLIC", Refs: []string{"CKV_GCP_114", "CKV_GCP_29"}, Cloud: "gcp", Severity: policy.Critical,
		Looks:       "public access prevention and uniform bucket-level access on every GCS bucket",
		Remediation: "pachdeploy's bucket prevents public access: an open one comes from a change to components/gcp",
		Check: policy.Each(gcsBucketType, "the bucket may be made public", func(in map[string]any) bool {
			return policy.String(in, "publicAccessPrevention") != "enforced" || !policy.True(in, "uniformBucketLevelAccess")
		}),
	},
	{
		ID: "PD-GCP-PRIMITIVE-ROLE", Refs: []string{"CKV_GCP_117", "AVD-GCP-0007"}, Cloud: "gcp", Severity: policy.Critical,
		Looks:       "every IAM grant: never roles/owner or roles/editor",
		Remediation: "pachdeploy grants only scoped roles: a primitive one comes from a change to components/gcp",
		Check: func(rs policy.Resources) []policy.Violation {
			var out []policy.Violation
			for _, typ := range []string{"gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding",
				"gcp:serviceaccount/iAMMember:IAMMember", "gcp:storage/bucketIAMMember:BucketIAMMember"} {
				for _, r := range rs.OfType(typ) {
					if role := policy.String(r.Inputs, "role"); role == "roles/owner" || role == "roles/editor" {
						out = append(out, policy.Violation{URN: r.URN, Message: "grants " + role})
					}
				}
			}
			return out
		},
	},
	{
		ID: "PD-GCP-SQL-TLS", Refs: []string{"CKV_GCP_6", "AVD-GCP-0015"}, Cloud: "gcp", Severity: policy.High,
		Looks:       "TLS required on every Cloud SQL connection (settings.ipConfiguration.sslMode)",
		Remediation: "pachdeploy's Cloud SQL instance accepts TLS only (ENCRYPTED_ONLY): one that allows plaintext comes from a change to components/gcp",
		Check: policy.Each(sqlInstanceType, "the instance accepts unencrypted connections", func(in map[string]any) bool {
			mode := policy.String(in, "settings.ipConfiguration.sslMode")
			return mode != "ENCRYPTED_ONLY" && mode != "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
		}),
	},
	{
		ID: "PD-GCP-SQL-PUBLIC-IP", Refs: []string{"CKV_GCP_60", "CKV_GCP_11", "AVD-GCP-0017"}, Cloud: "gcp", Severity: policy.High,
		Looks: "no public IP on Cloud SQL (settings.ipConfiguration.ipv4Enabled false; the provider's default is true)",
		Remediation: "pachdeploy's Cloud SQL instance has a private IP in the cluster's VPC only: a public one comes from a change to " +
			"components/gcp",
		Check: policy.Each(sqlInstanceType, "the instance has a public IP address", func(in map[string]any) bool {
			v, ok := policy.Get(in, "settings.ipConfiguration.ipv4Enabled")
			return !ok || v != false
		}),
	},
	{
		ID: "PD-GCP-SQL-BACKUPS", Refs: []string{"CKV_GCP_14", "AVD-GCP-0024"}, Cloud: "gcp", Severity: policy.High,
		Looks:       "automated backups on Cloud SQL (settings.backupConfiguration.enabled)",
		Remediation: "pachdeploy's Cloud SQL instance keeps databaseBackupDays daily backups: an instance without them comes from a change to components/gcp",
		Check: policy.Each(sqlInstanceType, "the instance has no automated backups", func(in map[string]any) bool {
			return !policy.True(in, "settings.backupConfiguration.enabled")
		}),
	},
	{
		ID: "PD-GCP-SQL-PITR", Refs: []string{"pachdeploy"}, Cloud: "gcp", Severity: policy.Medium,
		Looks: "point-in-time recovery on Cloud SQL (settings.backupConfiguration.pointInTimeRecoveryEnabled)",
		Remediation: "pachdeploy's Cloud SQL instance keeps write-ahead logs for point-in-time recovery: an instance without it comes " +
			"from a change to components/gcp",
		Check: policy.Each(sqlInstanceType, "the instance can be restored only to a daily backup, not to a point in time", func(in map[string]any) bool {
			return !policy.True(in, "settings.backupConfiguration.pointInTimeRecoveryEnabled")
		}),
	},
	{
		ID: "PD-GCP-SQL-LOG-FLAGS", Refs: []string{"CKV_GCP_51", "CKV_GCP_52", "CKV_GCP_53", "CKV_GCP_54", "CKV_GCP_55", "CKV_GCP_56",
			"CKV_GCP_57", "CKV_GCP_109"}, Cloud: "gcp", Severity: policy.Low,
		Looks: "the PostgreSQL logging flags of Cloud SQL (settings.databaseFlags): checkpoints, connections, disconnections, lock " +
			"waits, every temporary file, messages and failing statements at a useful level, no statement durations",
		Remediation: "pachdeploy's Cloud SQL instance sets these flags: one without them comes from a change to components/gcp",
		Check:       sqlLogFlags,
	},
	{
		ID: "PD-GCP-SQL-DELETION-PROTECTION", Refs: []string{"pachdeploy"}, Cloud: "gcp", Severity: policy.Medium,
		Looks: "deletion protection on Cloud SQL (settings.deletionProtectionEnabled), which stops a delete from the console, " +
			"gcloud or the API too",
		Remediation: "leave deleteDataOnDestroy false: pachdeploy turns deletion protection off only for a stack whose destroy is to " +
			"delete Pachyderm's data",
		Check: policy.Each(sqlInstanceType, "the instance with Pachyderm's metadata can be deleted by anyone allowed to", func(in map[string]any) bool {
			return !policy.True(in, "settings.deletionProtectionEnabled")
		}),
	},
	{
		ID: "PD-GCP-SQL-HA", Refs: []string{"pachdeploy"}, Cloud: "gcp", Severity: policy.Low,
		Looks: "a standby in a second zone for Cloud SQL (settings.availabilityType REGIONAL)",
		Remediation: "set databaseHighAvailability: true for a standby that takes over when the zone fails (it doubles the " +
			"instance's bill); without it Pachyderm waits for the zone to come back, or for a restore",
		Check: policy.Each(sqlInstanceType, "the instance runs in one zone", func(in map[string]any) bool {
			return policy.String(in, "settings.availabilityType") != "REGIONAL"
		}),
	},
}

// wantedLogFlags are the values PD-GCP-SQL-LOG-FLAGS accepts for each PostgreSQL flag;
// an empty list accepts the flag unset too (log_min_duration_statement: PostgreSQL's
// default, -1, logs no durations).
var wantedLogFlags = map[string][]string{
	"log_checkpoints":    {"on"},
	"log_connections":    {"on"},
	"log_disconnections": {"on"},
	"log_lock_waits":     {"on"},
	"log_min_messages": {"debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error", "log",
		"fatal", "panic"},
	"log_temp_files":             {"0"},
	"log_min_duration_statement": {"", "-1"},
	"log_min_error_statement":    {"debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error"},
}

// sqlLogFlags finds PostgreSQL instances whose flags miss or weaken one of
// wantedLogFlags: one violation per instance, naming every such flag.
func sqlLogFlags(rs policy.Resources) []policy.Violation {
	var out []policy.Violation
	for _, r := range rs.OfType(sqlInstanceType) {
		if !strings.HasPrefix(policy.String(r.Inputs, "databaseVersion"), "POSTGRES") {
			continue
		}
		set := map[string]string{}
		flags, _ := policy.Get(r.Inputs, "settings.databaseFlags")
		list, _ := flags.([]any)
		for _, f := range list {
			if m, ok := f.(map[string]any); ok {
				name, _ := m["name"].(string)
				value, _ := m["value"].(string)
				set[name] = value
			}
		}
		var wrong []string
		for _, name := range slices.Sorted(maps.Keys(wantedLogFlags)) {
			if !slices.Contains(wantedLogFlags[name], set[name]) {
				wrong = append(wrong, name)
			}
		}
		if len(wrong) > 0 {
			out = append(out, policy.Violation{URN: r.URN, Message: "PostgreSQL logging flags missing or too weak: " + strings.Join(wrong, ", ")})
		}
	}
	return out
}

// bucketLogging finds buckets without access logging, or logging into themselves
// (CKV_GCP_63). A bucket that another bucket of the plan logs into is exempt: logging
// a log bucket would log each delivery of logs, then the deliveries of those, without
// end. Buckets are matched by name, as logging.logBucket names its target; a bucket
// whose only logger is itself is no log target.
func bucketLogging(rs policy.Resources) []policy.Violation {
	buckets := rs.OfType(gcsBucketType)
	targets := map[string]bool{}
	for _, b := range buckets {
		if target := policy.String(b.Inputs, "logging.logBucket"); target != "" && target != policy.String(b.Inputs, "name") {
			targets[target] = true
		}
	}
	var out []policy.Violation
	for _, b := range buckets {
		name, target := policy.String(b.Inputs, "name"), policy.String(b.Inputs, "logging.logBucket")
		switch {
		case target == "" && !targets[name]:
			out = append(out, policy.Violation{URN: b.URN, Message: "the bucket has no access logging"})
		case target != "" && target == name:
			out = append(out, policy.Violation{URN: b.URN, Message: "the bucket logs its access into itself"})
		}
	}
	return out
}
