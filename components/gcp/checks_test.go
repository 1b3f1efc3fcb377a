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
