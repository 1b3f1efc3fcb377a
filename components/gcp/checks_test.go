package gcp

import (
	"testing"

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
		{Rule: "PD-GCP-BUCKET-LOGGING", Broken: one("gcp:storage/bucket:Bucket", map[string]any{}),
			Fixed: one("gcp:storage/bucket:Bucket", map[string]any{"logging": map[string]any{"logBucket": "logs"}})},
		{Rule: "PD-GCP-BUCKET-PUBLIC", Broken: one("gcp:storage/bucket:Bucket", map[string]any{"uniformBucketLevelAccess": true}),
			Fixed: one("gcp:storage/bucket:Bucket", map[string]any{"uniformBucketLevelAccess": true, "publicAccessPrevention": "enforced"})},
		{Rule: "PD-GCP-PRIMITIVE-ROLE", Broken: one("gcp:projects/iAMMember:IAMMember", map[string]any{"role": "roles/owner"}),
			Fixed: one("gcp:projects/iAMMember:IAMMember", map[string]any{"role": "roles/logging.logWriter"})},
	})
}
