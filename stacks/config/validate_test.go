package config_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/rules"
)

// tagsJSON writes n tags k000=v, k001=v, ... as the tags setting.
// azureSubnet is a well-formed Azure subnet id.
const azureSubnet = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/shared/subnets/aks"

func tagsJSON(n int) string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("k%03d", i)] = "v"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

const (
	goodVPC     = "vpc-0123456789abcdef0"
	goodSubnetA = "subnet-0123abcd"
	goodSubnetB = "subnet-0123456789abcdef0"
)

// TestValuesTheCloudRejectsAreRefused checks that each value a cloud would refuse
// minutes into a deploy is reported by Resolve under the key that holds it, with the
// rule.
func TestValuesTheCloudRejectsAreRefused(t *testing.T) {
	cases := []struct {
		name  string
		raw   map[string]string
		field string
		value string // "" to skip the comparison
		rule  string // a part of the rule
	}{
		// Regions the clouds do not publish.
		{"unknown AWS region", map[string]string{"cloud": "aws", "region": "us-west-9"},
			"region", "us-west-9", "not an AWS region pachdeploy knows (did you mean us-west-1 or us-west-2?); for a region newer than this release, set allowUnknownRegion: true"},
		{"malformed AWS region even when unknown ones are allowed", map[string]string{"cloud": "aws", "region": "us-west", "allowUnknownRegion": "true"},
			"region", "us-west", "AWS regions look like us-west-2"},
		{"unknown GCP region", map[string]string{"cloud": "gcp", "region": "us-central9"},
			"region", "us-central9", "not a GCP region pachdeploy knows (did you mean us-central1?)"},
		{"GCP zone in an unknown region", map[string]string{"cloud": "gcp", "region": "asia-mars1", "zone": "asia-mars1-a"},
			"zone", "asia-mars1-a", `its region "asia-mars1" is not a GCP region pachdeploy knows`},
		{"GCP zone outside the region", map[string]string{"cloud": "gcp", "zone": "europe-west1-b"},
			"zone", "europe-west1-b", `zone must lie in region "us-central1"`},
		{"unknown Azure location", map[string]string{"cloud": "azure", "location": "westeurope2"},
			"location", "westeurope2", "not an Azure location pachdeploy knows (did you mean westeurope?)"},
		{"Azure display name", map[string]string{"cloud": "azure", "location": "West Europe"},
			"location", "West Europe", "did you mean westeurope?"},

		// Machine types of another cloud.
		{"GCP machine type on AWS", map[string]string{"cloud": "aws", "nodeInstanceType": "n2-standard-4"},
			"nodeInstanceType", "n2-standard-4", `AWS instance types are FAMILY.SIZE, like m5.large ("n2-standard-4" is a GCP machine type)`},
		{"AWS instance type on GCP", map[string]string{"cloud": "gcp", "nodeInstanceType": "m5.large"},
			"nodeInstanceType", "m5.large", `like n2-standard-4 ("m5.large" is an AWS machine type)`},
		{"AWS instance type on Azure", map[string]string{"cloud": "azure", "nodeInstanceType": "m5.large"},
			"nodeInstanceType", "m5.large", `like Standard_DS4_v2 ("m5.large" is an AWS machine type)`},
		{"Azure VM size on GCP", map[string]string{"cloud": "gcp", "nodeInstanceType": "Standard_DS4_v2"},
			"nodeInstanceType", "Standard_DS4_v2", "is an Azure machine type"},
		{"made-up AWS instance size", map[string]string{"cloud": "aws", "nodeInstanceType": "m5.huge"},
			"nodeInstanceType", "m5.huge", "like m5.large"},

		// Kubernetes versions with leading zeros.
		{"EKS version with a leading zero", map[string]string{"cloud": "aws", "kubernetesVersion": "1.033"},
			"kubernetesVersion", "1.033", "no leading zeros"},
		{"GKE patch with a leading zero", map[string]string{"cloud": "gcp", "kubernetesVersion": "1.33.05"},
			"kubernetesVersion", "1.33.05", "no leading zeros"},
		{"version out of range", map[string]string{"cloud": "azure", "kubernetesVersion": "1.28"},
			"kubernetesVersion", "1.28", "supported Kubernetes versions are 1.29 to 1.35"},

		// Tags.
		{"AWS reserved tag prefix", map[string]string{"cloud": "aws", "tags": `{"AWS:team":"data"}`},
			"tags", "AWS:team=data", `must not start with "aws:"`},
		{"AWS tag character", map[string]string{"cloud": "aws", "tags": `{"team":"data, ml"}`},
			"tags", "team=data, ml", "only letters, digits, spaces and _ . : / = + - @"},
		{"AWS tag value too long", map[string]string{"cloud": "aws", "tags": `{"team":"` + strings.Repeat("d", 257) + `"}`},
			"tags", "", "values at most 256"},
		{"too many AWS tags", map[string]string{"cloud": "aws", "tags": tagsJSON(51)},
			"tags", "51 tags", "at most 50 AWS tags per resource"},
		{"Azure tag name with a slash", map[string]string{"cloud": "azure", "tags": `{"team/sub":"data"}`},
			"tags", "team/sub=data", "Azure tag names are 1-128 characters without"},
		{"too many Azure tags", map[string]string{"cloud": "azure", "tags": tagsJSON(51)},
			"tags", "51 tags", "at most 50 Azure tags per resource"},
		{"uppercase GCP label", map[string]string{"cloud": "gcp", "tags": `{"Team":"data"}`},
			"tags", "Team=data", "GCP label keys start with a lowercase letter"},
		{"too many GCP labels", map[string]string{"cloud": "gcp", "tags": tagsJSON(65)},
			"tags", "65 tags", "at most 64 GCP labels per resource"},

		// Policy waivers.
		{"waiver without a reason", map[string]string{"cloud": "aws", "policyWaivers": `{"PD-AWS-S3-LOGGING":" "}`},
			"policyWaivers", "PD-AWS-S3-LOGGING", "has no reason"},
		{"waiver of no rule id", map[string]string{"cloud": "aws", "policyWaivers": `{"CKV_AWS_18":"logs go elsewhere"}`},
			"policyWaivers", "CKV_AWS_18", "is not a rule id"},
		// Existing clusters.
		{"cluster settings with existingCluster", map[string]string{"cloud": "aws", "existingCluster": "team", "nodeCount": "3"},
			"nodeCount", "3", `with existingCluster "team" the cluster is used as it is`},
		{"kubeconfig without existingCluster", map[string]string{"cloud": "aws", "kubeconfig": "apiVersion: v1"},
			"kubeconfig", "[secret]", "applies only with existingCluster"},
		{"node-role on an existing EKS cluster", map[string]string{"cloud": "aws", "existingCluster": "team", "identity": "node-role"},
			"identity", "node-role", "use irsa (or static-keys) with existingCluster"},
		{"kubeconfig that is not one", map[string]string{"cloud": "aws", "existingCluster": "team", "kubeconfig": "x"},
			"kubeconfig", "[secret]", "is not a kubeconfig"},
		{"existing GKE cluster name", map[string]string{"cloud": "gcp", "existingCluster": "Team_1"},
			"existingCluster", "Team_1", ""},
		// GCP and Azure networks.
		{"GCP network without its subnetwork", map[string]string{"cloud": "gcp", "network": "shared"},
			"network", "shared", "network and subnetwork go together"},
		{"GCP subnetwork of another region", map[string]string{"cloud": "gcp", "network": "shared",
			"subnetwork": "projects/acme-data/regions/europe-west1/subnetworks/nodes"},
			"subnetwork", "projects/acme-data/regions/europe-west1/subnetworks/nodes", "projects/PROJECT/regions/us-central1/subnetworks/NAME"},
		{"GCP network name with capitals", map[string]string{"cloud": "gcp", "network": "Shared", "subnetwork": "nodes"},
			"network", "Shared", "must be a name"},
		{"Azure subnet given by name", map[string]string{"cloud": "azure", "nodeSubnetId": "nodes"},
			"nodeSubnetId", "nodes", "must be a subnet's resource id"},
		{"Azure subnet on GCP", map[string]string{"cloud": "gcp", "nodeSubnetId": azureSubnet},
			"nodeSubnetId", rules.ShownValue(azureSubnet), "applies only to cloud azure"},
		// AWS network.
		{"malformed VPC id", map[string]string{"cloud": "aws", "vpcId": "vpc-1", "subnetIds": goodSubnetA + "," + goodSubnetB},
			"vpcId", "vpc-1", "VPC ids are vpc- and 8 or 17 hex digits"},
		{"malformed subnet id", map[string]string{"cloud": "aws", "vpcId": goodVPC, "subnetIds": goodSubnetA + ",subnet-12"},
			"subnetIds[1]", "subnet-12", "subnet ids are subnet- and 8 or 17 hex digits"},
		{"repeated subnet id", map[string]string{"cloud": "aws", "vpcId": goodVPC, "subnetIds": goodSubnetA + "," + goodSubnetB + "," + goodSubnetA},
			"subnetIds[2]", goodSubnetA, "repeats subnetIds[0]"},
		{"one subnet", map[string]string{"cloud": "aws", "vpcId": goodVPC, "subnetIds": goodSubnetA},
			"subnetIds", goodSubnetA, "at least two availability zones"},

		// Node counts, each under the key that breaks the rule.
		{"min above max", map[string]string{"cloud": "aws", "nodeCount": "3", "nodeMinCount": "5", "nodeMaxCount": "3"},
			"nodeMinCount", "5", "must be at most nodeMaxCount (3)"},
		{"count above max", map[string]string{"cloud": "gcp", "nodeCount": "7", "nodeMaxCount": "5"},
			"nodeCount", "7", "must be at most nodeMaxCount (5)"},
		{"count below min", map[string]string{"cloud": "azure", "nodeCount": "2", "nodeMinCount": "3"},
			"nodeCount", "2", "must be at least nodeMinCount (3)"},
		{"default count below min", map[string]string{"cloud": "aws", "nodeMinCount": "4", "nodeMaxCount": "6"},
			"nodeCount", "2", "must be at least nodeMinCount (4)"},
		{"max above 100", map[string]string{"cloud": "aws", "nodeMaxCount": "150"},
			"nodeMaxCount", "", "at most 100"},

		// Database, endpoint and GPU settings.
		{"database mode", map[string]string{"cloud": "gcp", "database": "MANAGED"}, "database", "MANAGED", "must be in-cluster"},
		{"storage as text", map[string]string{"cloud": "gcp", "database": "managed", "databaseStorageGb": "lots"},
			"databaseStorageGb", "lots", "must be a whole number"},
		{"storage below 20", map[string]string{"cloud": "aws", "database": "managed", "databaseStorageGb": "5"},
			"databaseStorageGb", "5", "must be 20 to 16384"},
		{"backups below a week", map[string]string{"cloud": "aws", "database": "managed", "databaseBackupDays": "3"},
			"databaseBackupDays", "3", "must be 7 to 35"},
		{"database size without a managed database", map[string]string{"cloud": "aws", "databaseVersion": "16"},
			"databaseVersion", "16", "set database: managed"},
		{"GPU pool of no nodes", map[string]string{"cloud": "aws", "gpuNodeInstanceType": "g5.xlarge", "gpuNodeMaxCount": "0"},
			"gpuNodeMaxCount", "0", "must be at least 1"},
		{"GPU pool above 100", map[string]string{"cloud": "aws", "gpuNodeInstanceType": "g5.xlarge", "gpuNodeMaxCount": "101"},
			"gpuNodeMaxCount", "", "at most 100"},
		{"TLS endpoint without a name", map[string]string{"cloud": "aws", "endpoint": "tls", "endpointTlsSecret": "pach-tls"},
			"endpointHostname", "", "is required with endpoint: tls"},
		{"ACM ARN that is none", map[string]string{"cloud": "aws", "endpoint": "tls", "endpointHostname": "pach.example.com",
			"endpointCertificateArn": "nope"}, "endpointCertificateArn", "nope", "must be an ACM certificate ARN"},
		{"two certificates", map[string]string{"cloud": "aws", "endpoint": "tls", "endpointHostname": "pach.example.com",
			"endpointTlsSecret": "pach-tls", "endpointCertificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/0a1b"},
			"endpointTlsSecret", "pach-tls", "needs exactly one certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := targets.Resolve(c.raw, "proj", "dev")
			var verr *rules.Error
			if !errors.As(err, &verr) {
				t.Fatalf("targets.Resolve(%v) = %v, want a *rules.Error", c.raw, err)
			}
			for _, p := range verr.Problems {
				if p.Field == c.field && (c.value == "" || p.Value == c.value) && strings.Contains(p.Rule, c.rule) {
					return
				}
			}
			t.Fatalf("no problem %s = %q: ...%s...; got %v", c.field, c.value, c.rule, err)
		})
	}
}

// TestValuesTheCloudTakesAreAccepted checks the other side: values the clouds take,
// including regions newer than the lists when allowUnknownRegion is set.
func TestValuesTheCloudTakesAreAccepted(t *testing.T) {
	cases := []struct {
		name string
		raw  map[string]string
	}{
		{"unknown AWS region allowed", map[string]string{"cloud": "aws", "region": "us-west-9", "allowUnknownRegion": "true"}},
		{"unknown GCP region and zone allowed", map[string]string{"cloud": "gcp", "region": "asia-mars1", "zone": "asia-mars1-a", "allowUnknownRegion": "true"}},
		{"unknown Azure location allowed", map[string]string{"cloud": "azure", "location": "marsnorth", "allowUnknownRegion": "true"}},
		{"GovCloud", map[string]string{"cloud": "aws", "region": "us-gov-west-1"}},
		{"China", map[string]string{"cloud": "aws", "region": "cn-north-1"}},
		{"GCP zone of a known region", map[string]string{"cloud": "gcp", "region": "europe-west4", "zone": "europe-west4-a"}},
		{"Azure location", map[string]string{"cloud": "azure", "location": "uksouth"}},
		{"AWS instance types", map[string]string{"cloud": "aws", "nodeInstanceType": "u-6tb1.metal"}},
		{"GCP custom machine type", map[string]string{"cloud": "gcp", "nodeInstanceType": "n2-custom-4-16384"}},
		{"Azure constrained-vCPU size", map[string]string{"cloud": "azure", "nodeInstanceType": "Standard_E8-4ds_v5"}},
		{"GKE patch version", map[string]string{"cloud": "gcp", "kubernetesVersion": "1.33.0"}},
		{"AWS tags at the limit", map[string]string{"cloud": "aws", "tags": tagsJSON(50)}},
		{"AWS unicode tag", map[string]string{"cloud": "aws", "tags": `{"Équipe":"Données / ML"}`}},
		{"Azure tags at the limit", map[string]string{"cloud": "azure", "tags": tagsJSON(50)}},
		{"GCP labels at the limit", map[string]string{"cloud": "gcp", "tags": tagsJSON(64)}},
		{"existing network", map[string]string{"cloud": "aws", "vpcId": "vpc-0123abcd", "subnetIds": goodSubnetA + "," + goodSubnetB}},
		{"existing GCP network by name", map[string]string{"cloud": "gcp", "network": "shared", "subnetwork": "pachyderm-nodes"}},
		{"existing GCP network by self link", map[string]string{"cloud": "gcp", "region": "europe-west1",
			"network":    "https://www.googleapis.com/compute/v1/projects/acme-data/global/networks/shared",
			"subnetwork": "projects/acme-data/regions/europe-west1/subnetworks/nodes"}},
		{"existing Azure subnet", map[string]string{"cloud": "azure", "nodeSubnetId": azureSubnet}},
		{"AKS-managed VNet kept", map[string]string{"cloud": "azure", "nodeSubnetId": "aks-managed"}},
		{"existing clusters", map[string]string{"cloud": "gcp", "existingCluster": "team", "zone": "us-central1-a",
			"kubeconfig": "apiVersion: v1\nclusters: [{name: c}]\nusers: [{name: u}]\n"}},
		{"node counts at the bounds", map[string]string{"cloud": "aws", "nodeMinCount": "1", "nodeCount": "100", "nodeMaxCount": "100"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := targets.Resolve(c.raw, "proj", "dev"); err != nil {
				t.Fatalf("targets.Resolve(%v): %v", c.raw, err)
			}
		})
	}
}
