// Package settings holds the Azure target's settings: its defaults, identity mode and
// the rules of its keys. It imports no cloud SDK, so the settings can be checked (and
// tested) without linking one; components/azure reads the same constants.
package settings

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
)

// Defaults.
const (
	// DefaultLocation is the runbook's location.
	DefaultLocation = "centralus"
	// DefaultVMSize is the runbook's node size; it supports premium disks.
	DefaultVMSize = "Standard_DS4_v2"
	// DefaultNodeCount is the runbook's node count.
	DefaultNodeCount = 3
	// DefaultContainerName is the blob container Pachyderm keeps its data in.
	DefaultContainerName = "pachyderm"
)

// AKSManagedSubnet as nodeSubnetId keeps the VNet AKS makes in its node resource group,
// as stacks made before pachdeploy brought its own VNet have: changing a cluster's
// subnet replaces the cluster.
const AKSManagedSubnet = "aks-managed"

// IdentityStorageKey is the only identity mode: the storage account key passed to the
// chart, which has no keyless Azure mode.
const IdentityStorageKey = "storage-key"

// Managed database defaults: General Purpose, 2 vCores (Burstable has no HA); 32 GB is the smallest storage.
const (
	DefaultDatabaseInstanceType = "Standard_D2ds_v5"
	DefaultDatabaseStorageGB    = 32
)

// Target is the Azure part of the settings. An empty kubernetesVersion means AKS's
// default. The resource group and the storage account are named after the stack.
var Target = config.Target{
	Cloud: config.Azure,
	Defaults: config.Defaults{Region: DefaultLocation, MachineType: DefaultVMSize, NodeCount: DefaultNodeCount,
		DatabaseInstanceType: DefaultDatabaseInstanceType, DatabaseStorageGB: DefaultDatabaseStorageGB},
	Identities: []string{IdentityStorageKey},
	Complete: func(c *config.Config, project, stack string) {
		hash := config.Hash(project, stack)
		alnum := strings.ReplaceAll(config.Slug(stack), "-", "")
		if c.BucketName == "" {
			c.BucketName = DefaultContainerName
		}
		if c.Azure.StorageAccountName == "" {
			c.Azure.StorageAccountName = config.Trim("pach"+alnum, 24-len(hash)) + hash
		}
		if c.Azure.ResourceGroupName == "" {
			c.Azure.ResourceGroupName = config.Trim("pachdeploy-"+config.Slug(stack), 90)
		}
	},
	Validate: validate,
}

func validate(c *config.Config, p *rules.Problems) {
	p.Add("location", c.Region, rules.KnownAzureLocation(c.Region, c.AllowUnknownRegion))
	p.Add(c.ClusterKey(), c.ClusterName, rules.AKSClusterName(c.ClusterName))
	if c.KubernetesVersion != "" {
		p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, false))
	}
	p.Add("nodeInstanceType", c.NodeInstanceType, rules.AzureVMSize(c.NodeInstanceType, DefaultVMSize))
	if c.GPUNodeInstanceType != "" {
		p.Add("gpuNodeInstanceType", c.GPUNodeInstanceType, GPUVMSize(c.GPUNodeInstanceType))
	}
	p.Add("containerName", c.BucketName, rules.AzureContainerName(c.BucketName))
	*p = append(*p, rules.AzureTags("tags", c.Tags)...)
	p.Add("storageAccountName", c.Azure.StorageAccountName, rules.AzureStorageAccountName(c.Azure.StorageAccountName))
	p.Add("resourceGroupName", c.Azure.ResourceGroupName, rules.AzureResourceGroupName(c.Azure.ResourceGroupName))
	if c.Azure.NodeSubnetID != "" && c.Azure.NodeSubnetID != AKSManagedSubnet {
		p.Add("nodeSubnetId", c.Azure.NodeSubnetID, SubnetID(c.Azure.NodeSubnetID))
	}
	storageEndpointClaim(c, p)
	if c.ManagedDatabase() {
		validateDatabase(c, p)
	}
}

// validateDatabase checks what a flexible server takes beyond the rules every cloud
// shares (stacks/config).
func validateDatabase(c *config.Config, p *rules.Problems) {
	if c.Azure.NodeSubnetID != "" {
		p.Addf("nodeSubnetId", c.Azure.NodeSubnetID, "database: %s needs pachdeploy's VNet: the server needs a delegated "+
			"subnet and a private DNS zone link there; remove nodeSubnetId, or use database: %s",
			config.DatabaseManaged, config.DatabaseInCluster)
	}
	p.Add("databaseVersion", c.DatabaseVersion, DatabaseVersion(c.DatabaseVersion))
	tier, err := DatabaseTier(c.DatabaseInstanceType)
	p.Add("databaseInstanceType", c.DatabaseInstanceType, err)
	if tier == TierBurstable && c.DatabaseHighAvailability {
		p.Addf("databaseHighAvailability", "true", "Burstable servers (%s) have no high availability: use a General Purpose "+
			"size such as %s, or remove databaseHighAvailability", c.DatabaseInstanceType, DefaultDatabaseInstanceType)
	}
	p.Add("databaseStorageGb", fmt.Sprint(c.DatabaseStorageGB), DatabaseStorageGB(c.DatabaseStorageGB))
}

// Flexible server pricing tiers, by VM series.
const (
	TierBurstable       = "Burstable"
	TierGeneralPurpose  = "GeneralPurpose"
	TierMemoryOptimized = "MemoryOptimized"
)

var databaseSize = regexp.MustCompile(`^Standard_([BDE])[0-9]+[a-z]*(_v[0-9]+)?$`)

// DatabaseTier is the flexible server tier of a compute size: B-series are Burstable,
// D-series General Purpose, E-series Memory Optimized (Azure refuses a size in another
// tier's series).
func DatabaseTier(size string) (string, error) {
	m := databaseSize.FindStringSubmatch(size)
	if m == nil {
		return "", fmt.Errorf("flexible server sizes are Standard_ then a B (Burstable), D (General Purpose) or E "+
			"(Memory Optimized) series size, like %s", DefaultDatabaseInstanceType)
	}
	return map[string]string{"B": TierBurstable, "D": TierGeneralPurpose, "E": TierMemoryOptimized}[m[1]], nil
}

// DatabaseVersion checks a PostgreSQL major version against what the flexible server
// API pachdeploy uses (2024-08-01, the newest stable one in azure-native 2.81.0) offers.
func DatabaseVersion(v string) error {
	if v != "15" && v != "16" {
		return fmt.Errorf("Azure's flexible server API that pachdeploy uses (2024-08-01) offers PostgreSQL 15 or 16")
	}
	return nil
}

// databaseStorageSizes are the disk sizes (GB) a flexible server takes, up to the 16384
// every cloud allows.
var databaseStorageSizes = []int{32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384}

// DatabaseStorageGB checks a flexible server's disk size: Azure offers fixed sizes.
func DatabaseStorageGB(gb int) error {
	if !slices.Contains(databaseStorageSizes, gb) {
		return fmt.Errorf("flexible server disks are %s GB", strings.ReplaceAll(strings.Trim(fmt.Sprint(databaseStorageSizes), "[]"), " ", ", "))
	}
	return nil
}

// storageEndpointClaim checks that nodeSubnetHasStorageEndpoint speaks of a subnet of the
// user's (existingCluster refuses it, as every cluster setting, in stacks/config).
func storageEndpointClaim(c *config.Config, p *rules.Problems) {
	if c.Azure.NodeSubnetHasStorageEndpoint && c.ExistingCluster == "" &&
		(c.Azure.NodeSubnetID == "" || c.Azure.NodeSubnetID == AKSManagedSubnet) {
		p.Addf("nodeSubnetHasStorageEndpoint", "true", "speaks of the subnet nodeSubnetId names: pachdeploy's own VNet has the "+
			"Microsoft.Storage service endpoint without it, and with %s pachdeploy knows no subnet; remove it or set nodeSubnetId "+
			"to your subnet's resource id", AKSManagedSubnet)
	}
}

var subnetID = regexp.MustCompile(`(?i)^/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}` +
	`/resourceGroups/[-\w.()]{1,90}/providers/Microsoft\.Network/virtualNetworks/[-\w.]{2,64}/subnets/[-\w.]{1,80}$`)

// SubnetID checks an Azure subnet resource id.
func SubnetID(v string) error {
	if !subnetID.MatchString(v) {
		return fmt.Errorf("must be a subnet's resource id: /subscriptions/SUBSCRIPTION-ID/resourceGroups/GROUP/" +
			"providers/Microsoft.Network/virtualNetworks/VNET/subnets/SUBNET (az network vnet subnet show --query id), " +
			"or " + AKSManagedSubnet)
	}
	return nil
}

// DefaultGPUVMSize names a GPU size in messages: one NVIDIA T4, AKS's smallest GPU size.
const DefaultGPUVMSize = "Standard_NC4as_T4_v3"

// gpuVMSize matches Azure's NVIDIA GPU series on AKS: NC (T4, A100, H100) and ND
// (A100, H100). NV (partial or AMD GPUs, GRID drivers) is left out: AKS's GPU guide
// does not support NVv4, and NVadsA10 needs GRID drivers AKS does not install.
var gpuVMSize = regexp.MustCompile(`(?i)^standard_n[cd]`)

// GPUVMSize checks that v is a VM size of an NVIDIA GPU series AKS installs the driver
// for.
func GPUVMSize(v string) error {
	if err := rules.AzureVMSize(v, DefaultGPUVMSize); err != nil {
		return err
	}
	if !gpuVMSize.MatchString(v) {
		return fmt.Errorf("is not an NVIDIA GPU size: use an NC or ND series size, like %s or Standard_NC24ads_A100_v4",
			DefaultGPUVMSize)
	}
	return nil
}
