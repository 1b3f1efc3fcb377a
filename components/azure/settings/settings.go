// Package settings holds the Azure target's settings: its defaults, identity mode and
// the rules of its keys. It imports no cloud SDK, so the settings can be checked (and
// tested) without linking one; components/azure reads the same constants.
package settings

import (
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

// IdentityStorageKey is the only identity mode: the storage account key passed to the
// chart, which has no keyless Azure mode.
const IdentityStorageKey = "storage-key"

// Target is the Azure part of the settings. An empty kubernetesVersion means AKS's
// default. The resource group and the storage account are named after the stack.
var Target = config.Target{
	Cloud:      config.Azure,
	Defaults:   config.Defaults{Region: DefaultLocation, MachineType: DefaultVMSize, NodeCount: DefaultNodeCount},
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
	p.Add("clusterName", c.ClusterName, rules.AKSClusterName(c.ClusterName))
	if c.KubernetesVersion != "" {
		p.Add("kubernetesVersion", c.KubernetesVersion, rules.KubernetesVersion(c.KubernetesVersion, false))
	}
	p.Add("nodeInstanceType", c.NodeInstanceType, rules.AzureVMSize(c.NodeInstanceType, DefaultVMSize))
	p.Add("containerName", c.BucketName, rules.AzureContainerName(c.BucketName))
	*p = append(*p, rules.AzureTags("tags", c.Tags)...)
	p.Add("storageAccountName", c.Azure.StorageAccountName, rules.AzureStorageAccountName(c.Azure.StorageAccountName))
	p.Add("resourceGroupName", c.Azure.ResourceGroupName, rules.AzureResourceGroupName(c.Azure.ResourceGroupName))
}
