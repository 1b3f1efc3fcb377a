package gcp

import (
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
)

const gkeClusterType = "gcp:container/cluster:Cluster"

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
		Looks:       "private nodes (privateClusterConfig.enablePrivateNodes)",
		Remediation: "not yet made by pachdeploy (nodes have public addresses; the new network's Cloud NAT is ready for private nodes): waive PD-GCP-PRIVATE-NODES with your reason",
		Check: policy.Each(gkeClusterType, "the nodes have public IP addresses", func(in map[string]any) bool {
			return !policy.True(in, "privateClusterConfig.enablePrivateNodes")
		}),
	},
	{
		ID: "PD-GCP-INTRANODE", Refs: []string{"CKV_GCP_61"}, Cloud: "gcp", Severity: policy.Low,
		Looks:       "intranode visibility (enableIntranodeVisibility)",
		Remediation: "not yet made by pachdeploy: waive PD-GCP-INTRANODE with your reason",
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
		Remediation: "GKE turns client certificates off by default since 1.12; checkov's CKV_GCP_13 wants the field explicit: waive PD-GCP-CLIENT-CERT",
		Check: policy.Each(gkeClusterType, "client certificates are not explicitly off", func(in map[string]any) bool {
			v, ok := policy.Get(in, "masterAuth.clientCertificateConfig.issueClientCertificate")
			return !ok || v != false
		}),
	},
	{
		ID: "PD-GCP-BUCKET-LOGGING", Refs: []string{"CKV_GCP_62"}, Cloud: "gcp", Severity: policy.Low,
		Looks:       "access logging on every GCS bucket (logging.logBucket)",
		Remediation: "not yet made by pachdeploy: waive PD-GCP-BUCKET-LOGGING with your reason (Cloud Audit Logs can record data access instead)",
		Check: policy.Each("gcp:storage/bucket:Bucket", "the bucket has no access logging", func(in map[string]any) bool {
			return policy.String(in, "logging.logBucket") == ""
		}),
	},
	{
		ID: "PD-GCP-BUCKET-PUBLIC", Refs: []string{"CKV_GCP_114", "CKV_GCP_29"}, Cloud: "gcp", Severity: policy.Critical,
		Looks:       "public access prevention and uniform bucket-level access on every GCS bucket",
		Remediation: "pachdeploy's bucket prevents public access: an open one comes from a change to components/gcp",
		Check: policy.Each("gcp:storage/bucket:Bucket", "the bucket may be made public", func(in map[string]any) bool {
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
}
