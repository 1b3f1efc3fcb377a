package gcp

import (
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
)

// Resource types the rules read.
const (
	gkeClusterType = "gcp:container/cluster:Cluster"
	gcsBucketType  = "gcp:storage/bucket:Bucket"
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
