package config

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"sigs.k8s.io/yaml"
)

// identities lists the identity modes each cloud supports, its default first.
var identities = map[Cloud][]string{
	AWS:   {IdentityIRSA, IdentityNodeRole, IdentityStaticKeys},
	GCP:   {IdentityWorkloadIdentity, IdentityServiceAccountKey},
	Azure: {IdentityStorageKey},
}

// Validate checks every setting against its rule and reports all problems at once,
// each naming the key, the value and the rule. It reads ValuesFile into Values.
// Call it after Complete.
func (c *Config) Validate() error {
	var p rules.Problems
	c.validate(&p)
	return p.Err()
}

func (c *Config) validate(p *rules.Problems) {
	ids, ok := identities[c.Cloud]
	if !ok {
		p.Addf("cloud", string(c.Cloud), "must be one of aws, gcp, azure")
		return
	}
	switch c.Cloud {
	case AWS:
		p.Add("region", c.Region, rules.AWSRegion(c.Region))
		p.Add("clusterName", c.ClusterName, rules.EKSClusterName(c.ClusterName))
		p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, true))
		p.Add("bucketName", c.BucketName, rules.S3BucketName(c.BucketName))
		if (c.AWS.VPCID == "") != (len(c.AWS.SubnetIDs) == 0) {
			p.Addf("vpcId", c.AWS.VPCID, "vpcId and subnetIds go together: set both to use an existing network, or neither")
		}
		if len(c.AWS.SubnetIDs) == 1 {
			p.Addf("subnetIds", strings.Join(c.AWS.SubnetIDs, ","), "EKS needs subnets in at least two availability zones")
		}
	case GCP:
		p.Add("region", c.Region, rules.GCPRegion(c.Region))
		if c.GCP.Zone != "" {
			p.Add("zone", c.GCP.Zone, rules.GCPZone(c.GCP.Zone, c.Region))
		}
		if c.GCP.Project != "" {
			p.Add("project", c.GCP.Project, rules.GCPProjectID(c.GCP.Project))
		}
		p.Add("clusterName", c.ClusterName, rules.GKEClusterName(c.ClusterName))
		if c.KubernetesVersion != "" {
			p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, false))
		}
		p.Add("bucketName", c.BucketName, rules.GCSBucketName(c.BucketName))
		switch c.GCP.ReleaseChannel {
		case "RAPID", "REGULAR", "STABLE", "EXTENDED":
		default:
			p.Addf("releaseChannel", c.GCP.ReleaseChannel, "must be one of RAPID, REGULAR, STABLE, EXTENDED")
		}
	case Azure:
		p.Add("location", c.Region, rules.AzureLocation(c.Region))
		p.Add("clusterName", c.ClusterName, rules.AKSClusterName(c.ClusterName))
		if c.KubernetesVersion != "" {
			p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, false))
		}
		p.Add("containerName", c.BucketName, rules.AzureContainerName(c.BucketName))
		p.Add("storageAccountName", c.Azure.StorageAccountName, rules.AzureStorageAccountName(c.Azure.StorageAccountName))
		p.Add("resourceGroupName", c.Azure.ResourceGroupName, rules.AzureResourceGroupName(c.Azure.ResourceGroupName))
	}
	c.validateCloudSpecificKeys(p)
	if !contains(ids, c.Identity) {
		p.Addf("identity", c.Identity, "must be one of %s for %s", strings.Join(ids, ", "), c.Cloud)
	}
	p.Add("nodeInstanceType", c.NodeInstanceType, rules.MachineType(c.NodeInstanceType, cloudDefaults[c.Cloud].instanceType))
	p.Add("nodeCount", rules.NodeCountsValue(c.NodeMinCount, c.NodeCount, c.NodeMaxCount),
		rules.NodeCounts(c.NodeMinCount, c.NodeCount, c.NodeMaxCount))
	p.Add("namespace", c.Namespace, rules.Namespace(c.Namespace))
	p.Add("chartVersion", c.ChartVersion, rules.Semver(c.ChartVersion))
	for i, cidr := range c.APIAllowedCIDRs {
		p.Add(fmt.Sprintf("apiAllowedCidrs[%d]", i), cidr, rules.CIDR(cidr))
	}
	tagKeys := make([]string, 0, len(c.Tags))
	for k := range c.Tags {
		tagKeys = append(tagKeys, k)
	}
	sort.Strings(tagKeys)
	for _, k := range tagKeys {
		v := c.Tags[k]
		switch {
		case c.Cloud == GCP:
			p.Add("tags", k+"="+v, rules.GCPLabel(k, v))
		case k == "" || len(k) > 128 || len(v) > 256:
			p.Addf("tags", k+"="+v, "tag keys are 1-128 characters and values at most 256")
		}
	}
	if c.ValuesFile != "" {
		values, err := readValuesFile(c.ValuesFile)
		p.Add("valuesFile", c.ValuesFile, err)
		c.Values = values
	}
}

// validateCloudSpecificKeys reports settings of another cloud, which would be ignored.
func (c *Config) validateCloudSpecificKeys(p *rules.Problems) {
	other := func(name, value string, cloud Cloud) {
		if value != "" && c.Cloud != cloud {
			p.Addf(name, value, "applies only to cloud %s", cloud)
		}
	}
	other("vpcId", c.AWS.VPCID, AWS)
	other("subnetIds", strings.Join(c.AWS.SubnetIDs, ","), AWS)
	other("project", c.GCP.Project, GCP)
	other("zone", c.GCP.Zone, GCP)
	if c.GCP.DeletionProtection {
		other("deletionProtection", "true", GCP)
	}
	other("storageAccountName", c.Azure.StorageAccountName, Azure)
	other("resourceGroupName", c.Azure.ResourceGroupName, Azure)
	if c.Cloud != GCP {
		other("bucketLocation", c.GCP.BucketLocation, GCP)
		other("releaseChannel", c.GCP.ReleaseChannel, GCP)
	}
}

// readValuesFile loads a chart values file: it must be readable YAML whose top level
// is a map.
func readValuesFile(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("must be a readable file: %v", err)
	}
	var v map[string]any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("must be valid YAML with a map at the top: %v", err)
	}
	return v, nil
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}
