// Package settings holds the GCP target's settings: its defaults, identity modes and
// the rules of its keys. It imports no cloud SDK, so the settings can be checked (and
// tested) without linking one; components/gcp reads the same constants.
package settings

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// Defaults.
const (
	// DefaultRegion is the runbook's region.
	DefaultRegion = "us-central1"
	// DefaultMachineType is the runbook's node machine type.
	DefaultMachineType = "n2-standard-4"
	// DefaultNodeCount is the runbook's node count.
	DefaultNodeCount = 3
	// DefaultReleaseChannel is GKE's recommended channel for production.
	DefaultReleaseChannel = "REGULAR"
)

// Identity modes: how Pachyderm authenticates to its bucket.
const (
	// IdentityWorkloadIdentity maps both Pachyderm Kubernetes service accounts to a
	// Google service account: keyless, nothing to leak or rotate. The default.
	IdentityWorkloadIdentity = "workload-identity"
	// IdentityServiceAccountKey creates a key for the Google service account and passes
	// it to the chart as a secret, for clusters without Workload Identity.
	IdentityServiceAccountKey = "service-account-key"
)

// ReleaseChannels are GKE's release channels.
var ReleaseChannels = []string{"RAPID", "REGULAR", "STABLE", "EXTENDED"}

// ReleaseChannel checks a GKE release channel.
func ReleaseChannel(v string) error {
	if !slices.Contains(ReleaseChannels, v) {
		return fmt.Errorf("must be one of %s", strings.Join(ReleaseChannels, ", "))
	}
	return nil
}

// Managed database defaults: 2 vCPUs and 7.5 GB, dedicated (shared-core tiers have no SLA).
const (
	DefaultDatabaseInstanceType = "db-custom-2-7680"
	DefaultDatabaseStorageGB    = 20
)

// Target is the GCP part of the settings. An empty kubernetesVersion means the release
// channel's default.
var Target = config.Target{
	Cloud: config.GCP,
	Defaults: config.Defaults{Region: DefaultRegion, MachineType: DefaultMachineType, NodeCount: DefaultNodeCount,
		DatabaseInstanceType: DefaultDatabaseInstanceType, DatabaseStorageGB: DefaultDatabaseStorageGB},
	Identities: []string{IdentityWorkloadIdentity, IdentityServiceAccountKey},
	Complete: func(c *config.Config, _, _ string) {
		if c.Region == "" {
			c.Region = DefaultRegion
		}
		if c.GCP.ReleaseChannel == "" {
			c.GCP.ReleaseChannel = DefaultReleaseChannel
		}
		if c.GCP.BucketLocation == "" {
			c.GCP.BucketLocation = strings.ToUpper(c.Region)
		}
	},
	Validate: validate,
}

func validate(c *config.Config, p *rules.Problems) {
	p.Add("region", c.Region, rules.KnownGCPRegion(c.Region, c.AllowUnknownRegion))
	if c.GCP.Zone != "" {
		p.Add("zone", c.GCP.Zone, rules.KnownGCPZone(c.GCP.Zone, c.Region, c.AllowUnknownRegion))
	}
	if c.GCP.Project != "" {
		p.Add("project", c.GCP.Project, rules.GCPProjectID(c.GCP.Project))
	}
	p.Add(c.ClusterKey(), c.ClusterName, rules.GKEClusterName(c.ClusterName))
	if c.KubernetesVersion != "" {
		p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, false))
	}
	p.Add("nodeInstanceType", c.NodeInstanceType, rules.GCPMachineType(c.NodeInstanceType, DefaultMachineType))
	if c.GPUNodeInstanceType != "" {
		_, err := GPUAccelerator(c.GPUNodeInstanceType)
		p.Add("gpuNodeInstanceType", c.GPUNodeInstanceType, err)
	}
	p.Add("bucketName", c.BucketName, rules.GCSBucketName(c.BucketName))
	*p = append(*p, rules.GCPLabels("tags", c.Tags)...)
	p.Add("releaseChannel", c.GCP.ReleaseChannel, ReleaseChannel(c.GCP.ReleaseChannel))
	if (c.GCP.Network == "") != (c.GCP.Subnetwork == "") {
		p.Addf("network", c.GCP.Network, "network and subnetwork go together: set both to use an existing VPC, or neither")
	}
	if c.GCP.Network != "" {
		p.Add("network", c.GCP.Network, NetworkRef(c.GCP.Network, "global/networks"))
	}
	if c.GCP.Subnetwork != "" {
		p.Add("subnetwork", c.GCP.Subnetwork, NetworkRef(c.GCP.Subnetwork, "regions/"+c.Region+"/subnetworks"))
	}
	if c.ManagedDatabase() {
		p.Add("databaseInstanceType", c.DatabaseInstanceType, DatabaseTier(c.DatabaseInstanceType))
		// Cloud SQL's private IP needs private services access on the VPC: a reserved
		// range and a peering with Google's service network. pachdeploy sets that up on
		// its own network only; on yours it would claim a range and add a peering that
		// your network's owners have not planned for (and may already have, differently).
		if c.GCP.Network != "" {
			p.Addf("database", c.Database, "database: %s needs pachdeploy's network: private services access would change a VPC "+
				"of yours (a reserved range and a peering); leave network and subnetwork unset, or use database: %s",
				config.DatabaseManaged, config.DatabaseInCluster)
		}
	}
}

// PrivateNodes reports whether the nodes of a cluster pachdeploy makes get internal
// addresses only: the privateNodes setting when set, else whether pachdeploy makes
// the network too. Its Cloud NAT is the nodes' way to the internet (Pachyderm's images
// are on Docker Hub); a network the user names may have none, and private nodes
// without egress would leave every pod pulling images until the deploy times out.
func PrivateNodes(c *config.Config) bool {
	if c.GCP.PrivateNodes != nil {
		return *c.GCP.PrivateNodes
	}
	return c.GCP.Network == ""
}

var (
	gcpName = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	gcpPath = regexp.MustCompile(`^(https://www\.googleapis\.com/compute/v1/)?projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/(global/networks|regions/[a-z0-9-]+/subnetworks)/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
)

// NetworkRef checks a VPC or subnet given by name or by self link; collection is the
// self link's middle part (global/networks, regions/REGION/subnetworks).
func NetworkRef(v, collection string) error {
	if gcpName.MatchString(v) {
		return nil
	}
	if gcpPath.MatchString(v) && strings.Contains(v, "/"+collection+"/") {
		return nil
	}
	return fmt.Errorf("must be a name (lowercase letters, digits and '-', starting with a letter, at most 63) "+
		"or a self link projects/PROJECT/%s/NAME", collection)
}

// Accelerator is the GPUs a machine type comes with, as GKE's guestAccelerators name
// them.
type Accelerator struct {
	// Type is the accelerator type, such as nvidia-l4.
	Type string
	// Count is how many the machine has.
	Count int
}

// DefaultGPUMachineType names a GPU machine type in messages: one NVIDIA L4.
const DefaultGPUMachineType = "g2-standard-8"

// gpuSeries are the accelerator-optimized machine types whose GPUs come with the
// machine: the type's last part says how many (a2-highgpu-4g has four), except G2's,
// whose count follows the vCPUs (g2Counts). Source: Compute Engine's GPU machine types
// (A2: A100 40GB / 80GB, A3: H100 / H100 Mega / H200, G2: L4).
var (
	gpuSeries = []struct {
		prefix, accelerator string
	}{
		{"a2-highgpu-", "nvidia-tesla-a100"},
		{"a2-megagpu-", "nvidia-tesla-a100"},
		{"a2-ultragpu-", "nvidia-a100-80gb"},
		{"a3-highgpu-", "nvidia-h100-80gb"},
		{"a3-edgegpu-", "nvidia-h100-80gb"},
		{"a3-megagpu-", "nvidia-h100-mega-80gb"},
		{"a3-ultragpu-", "nvidia-h200-141gb"},
	}
	gpuCount = regexp.MustCompile(`^([0-9]+)g$`)
	g2Counts = map[string]int{"4": 1, "8": 1, "12": 1, "16": 1, "32": 1, "24": 2, "48": 4, "96": 8}
)

// GPUAccelerator is the accelerator a GPU machine type comes with: G2 (g2-standard-*),
// A2 (a2-highgpu-*, a2-megagpu-16g, a2-ultragpu-*) and A3 (a3-*gpu-*) types. Other
// machines (N1 with a separately attached T4 or V100) are refused: pachdeploy attaches
// no accelerators to a machine that does not come with them.
func GPUAccelerator(machineType string) (Accelerator, error) {
	if size, ok := strings.CutPrefix(machineType, "g2-standard-"); ok {
		if n, ok := g2Counts[size]; ok {
			return Accelerator{Type: "nvidia-l4", Count: n}, nil
		}
	}
	for _, s := range gpuSeries {
		if m := gpuCount.FindStringSubmatch(strings.TrimPrefix(machineType, s.prefix)); m != nil && strings.HasPrefix(machineType, s.prefix) {
			n, _ := strconv.Atoi(m[1]) // the pattern admits digits only
			return Accelerator{Type: s.accelerator, Count: n}, nil
		}
	}
	return Accelerator{}, fmt.Errorf("is not a GPU machine type pachdeploy supports: use a G2 (NVIDIA L4), A2 (A100) or A3 (H100, H200) "+
		"type, whose GPUs come with the machine, like %s, a2-highgpu-1g or a3-highgpu-8g (N1 machines with an attached "+
		"T4 or V100 are not supported)", DefaultGPUMachineType)
}
