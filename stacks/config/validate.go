package config

import (
	"fmt"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/internal/strictyaml"
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
		p.Add("region", c.Region, rules.KnownAWSRegion(c.Region, c.AllowUnknownRegion))
		p.Add("clusterName", c.ClusterName, rules.EKSClusterName(c.ClusterName))
		p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, true))
		p.Add("nodeInstanceType", c.NodeInstanceType, rules.AWSInstanceType(c.NodeInstanceType, cloudDefaults[AWS].instanceType))
		p.Add("bucketName", c.BucketName, rules.S3BucketName(c.BucketName))
		*p = append(*p, rules.AWSTags("tags", c.Tags)...)
		if (c.AWS.VPCID == "") != (len(c.AWS.SubnetIDs) == 0) {
			p.Addf("vpcId", c.AWS.VPCID, "vpcId and subnetIds go together: set both to use an existing network, or neither")
		}
		if c.AWS.VPCID != "" {
			p.Add("vpcId", c.AWS.VPCID, rules.AWSVPCID(c.AWS.VPCID))
		}
		if len(c.AWS.SubnetIDs) > 0 {
			*p = append(*p, rules.AWSSubnetIDs("subnetIds", c.AWS.SubnetIDs)...)
		}
	case GCP:
		p.Add("region", c.Region, rules.KnownGCPRegion(c.Region, c.AllowUnknownRegion))
		if c.GCP.Zone != "" {
			p.Add("zone", c.GCP.Zone, rules.KnownGCPZone(c.GCP.Zone, c.Region, c.AllowUnknownRegion))
		}
		if c.GCP.Project != "" {
			p.Add("project", c.GCP.Project, rules.GCPProjectID(c.GCP.Project))
		}
		p.Add("clusterName", c.ClusterName, rules.GKEClusterName(c.ClusterName))
		if c.KubernetesVersion != "" {
			p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, false))
		}
		p.Add("nodeInstanceType", c.NodeInstanceType, rules.GCPMachineType(c.NodeInstanceType, cloudDefaults[GCP].instanceType))
		p.Add("bucketName", c.BucketName, rules.GCSBucketName(c.BucketName))
		*p = append(*p, rules.GCPLabels("tags", c.Tags)...)
		switch c.GCP.ReleaseChannel {
		case "RAPID", "REGULAR", "STABLE", "EXTENDED":
		default:
			p.Addf("releaseChannel", c.GCP.ReleaseChannel, "must be one of RAPID, REGULAR, STABLE, EXTENDED")
		}
	case Azure:
		p.Add("location", c.Region, rules.KnownAzureLocation(c.Region, c.AllowUnknownRegion))
		p.Add("clusterName", c.ClusterName, rules.AKSClusterName(c.ClusterName))
		if c.KubernetesVersion != "" {
			p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, false))
		}
		p.Add("nodeInstanceType", c.NodeInstanceType, rules.AzureVMSize(c.NodeInstanceType, cloudDefaults[Azure].instanceType))
		p.Add("containerName", c.BucketName, rules.AzureContainerName(c.BucketName))
		*p = append(*p, rules.AzureTags("tags", c.Tags)...)
		p.Add("storageAccountName", c.Azure.StorageAccountName, rules.AzureStorageAccountName(c.Azure.StorageAccountName))
		p.Add("resourceGroupName", c.Azure.ResourceGroupName, rules.AzureResourceGroupName(c.Azure.ResourceGroupName))
	}
	c.validateCloudSpecificKeys(p)
	if !contains(ids, c.Identity) {
		p.Addf("identity", c.Identity, "must be one of %s for %s", strings.Join(ids, ", "), c.Cloud)
	}
	*p = append(*p, rules.NodeCountProblems(
		"nodeMinCount", c.NodeMinCount, "nodeCount", c.NodeCount, "nodeMaxCount", c.NodeMaxCount)...)
	p.Add("namespace", c.Namespace, rules.Namespace(c.Namespace))
	p.Add("chartVersion", c.ChartVersion, rules.Semver(c.ChartVersion))
	for i, cidr := range c.APIAllowedCIDRs {
		p.Add(fmt.Sprintf("apiAllowedCidrs[%d]", i), cidr, rules.CIDR(cidr))
	}
	if c.ValuesFile != "" {
		values, err := readValuesFile(c.ValuesFile)
		p.Add("valuesFile", c.ValuesFile, err)
		*p = append(*p, rules.ChartValues("valuesFile", values)...)
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

// readValuesFile loads a chart values file: a regular file of at most maxFile bytes,
// strict YAML (see internal/strictyaml) whose top level is a map.
func readValuesFile(path string) (map[string]any, error) {
	b, err := readLimited(path, "a values file")
	if err != nil {
		return nil, err
	}
	n, err := strictyaml.Parse(path, b)
	if err != nil {
		return nil, err
	}
	return strictyaml.Map(n)
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}
