// Package settings holds the AWS target's settings: its defaults, identity modes and
// the rules of its keys. It imports no cloud SDK, so the settings can be checked (and
// tested) without linking one; components/aws reads the same constants.
package settings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// Defaults.
const (
	// DefaultRegion is the runbook's region.
	DefaultRegion = "us-west-2"
	// DefaultKubernetesVersion is the EKS version pachdeploy is tested on.
	DefaultKubernetesVersion = "1.33"
	// DefaultInstanceType is the runbook's node type.
	DefaultInstanceType = "m5.large"
	// DefaultNodeCount is the runbook's node count.
	DefaultNodeCount = 2
)

// Identity modes: how Pachyderm authenticates to its bucket.
const (
	// IdentityIRSA is IAM Roles for Service Accounts: keyless, scoped to Pachyderm's
	// two service accounts. The default.
	IdentityIRSA = "irsa"
	// IdentityNodeRole attaches the bucket policy to the node role, as the runbook
	// does: every pod on the nodes gets it.
	IdentityNodeRole = "node-role"
	// IdentityStaticKeys is an IAM user's access key, passed to the chart as secrets.
	IdentityStaticKeys = "static-keys"
)

// Managed database defaults: a Graviton burstable class (2 vCPUs, 4 GB) and RDS's
// smallest gp3 volume.
const (
	DefaultDatabaseInstanceType = "db.t4g.medium"
	DefaultDatabaseStorageGB    = 20
)

// Target is the AWS part of the settings.
var Target = config.Target{
	Cloud: config.AWS,
	Defaults: config.Defaults{
		Region: DefaultRegion, KubernetesVersion: DefaultKubernetesVersion,
		MachineType: DefaultInstanceType, NodeCount: DefaultNodeCount,
		DatabaseInstanceType: DefaultDatabaseInstanceType, DatabaseStorageGB: DefaultDatabaseStorageGB,
	},
	Identities: []string{IdentityIRSA, IdentityNodeRole, IdentityStaticKeys},
	Validate:   validate,
}

func validate(c *config.Config, p *rules.Problems) {
	p.Add("region", c.Region, rules.KnownAWSRegion(c.Region, c.AllowUnknownRegion))
	p.Add(c.ClusterKey(), c.ClusterName, rules.EKSClusterName(c.ClusterName))
	p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, true))
	p.Add("nodeInstanceType", c.NodeInstanceType, rules.AWSInstanceType(c.NodeInstanceType, DefaultInstanceType))
	if c.GPUNodeInstanceType != "" {
		p.Add("gpuNodeInstanceType", c.GPUNodeInstanceType, GPUInstanceType(c.GPUNodeInstanceType))
	}
	p.Add("bucketName", c.BucketName, rules.S3BucketName(c.BucketName))
	if c.ManagedDatabase() {
		p.Add("databaseInstanceType", c.DatabaseInstanceType, rules.RDSInstanceClass(c.DatabaseInstanceType, DefaultDatabaseInstanceType))
	}
	*p = append(*p, rules.AWSTags("tags", c.Tags)...)
	if c.ExistingCluster != "" && c.Identity == IdentityNodeRole {
		p.Addf("identity", c.Identity, "needs the node group's role, which pachdeploy knows only of a cluster it makes: "+
			"use %s (or %s) with existingCluster", IdentityIRSA, IdentityStaticKeys)
	}
	if (c.AWS.VPCID == "") != (len(c.AWS.SubnetIDs) == 0) {
		p.Addf("vpcId", c.AWS.VPCID, "vpcId and subnetIds go together: set both to use an existing network, or neither")
	}
	if c.AWS.VPCID != "" {
		p.Add("vpcId", c.AWS.VPCID, rules.AWSVPCID(c.AWS.VPCID))
	}
	if len(c.AWS.SubnetIDs) > 0 {
		*p = append(*p, rules.AWSSubnetIDs("subnetIds", c.AWS.SubnetIDs)...)
	}
}

// GPUInstanceFamilies are the x86 NVIDIA families the EKS-optimized AL2023 NVIDIA AMI
// (amiType AL2023_x86_64_NVIDIA) supports, per the EKS user guide's table "Use
// EKS-optimized accelerated AMIs for GPU instances". g5g is Arm (another AMI type);
// inf and trn are Neuron, not NVIDIA.
var GPUInstanceFamilies = []string{"g4dn", "g5", "g6", "g6e", "g6f", "gr6", "gr6f", "g7e",
	"p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "p6-b300"}

// DefaultGPUInstanceType names a GPU type in messages: one NVIDIA L4, the smallest
// current generation.
const DefaultGPUInstanceType = "g6.xlarge"

// GPUInstanceType checks that v is an EC2 instance type of a family GPUInstanceFamilies
// lists.
func GPUInstanceType(v string) error {
	if err := rules.AWSInstanceType(v, DefaultGPUInstanceType); err != nil {
		return err
	}
	if family, _, _ := strings.Cut(v, "."); !slices.Contains(GPUInstanceFamilies, family) {
		return fmt.Errorf("is not an NVIDIA GPU type the EKS AL2023 NVIDIA AMI supports: use one of the families %s, like %s or g4dn.xlarge",
			strings.Join(GPUInstanceFamilies, ", "), DefaultGPUInstanceType)
	}
	return nil
}
