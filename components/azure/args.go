// Package azure provisions Pachyderm's Azure infrastructure: an AKS cluster with RBAC,
// a network policy and workload identity enabled, and a private premium block-blob
// storage account whose key reaches Pachyderm only as a secret.
package azure

import (
	"fmt"
	"regexp"

	"github.com/pachdeploy/pachdeploy/components/azure/settings"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults.
const (
	// DefaultVMSize is the runbook's node size; it supports premium disks.
	DefaultVMSize = settings.DefaultVMSize
	// DefaultNodeCount is the runbook's node count.
	DefaultNodeCount = settings.DefaultNodeCount
	// DefaultNodePoolName names the system node pool.
	DefaultNodePoolName = "system"
	// DefaultNetworkPolicy enforces Kubernetes NetworkPolicy with Calico, which works
	// with Azure CNI Overlay.
	DefaultNetworkPolicy = "calico"
	// DefaultStorageClassName names the premium-disk class for etcd, postgresql and Loki.
	DefaultStorageClassName = "pachyderm-premium"
)

// ClusterArgs are the inputs of NewCluster.
type ClusterArgs struct {
	// ResourceGroupName holds the cluster. Required; pass the group's output so the
	// cluster waits for it.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Location is the Azure location, such as centralus. Required.
	Location string `pulumi:"location"`
	// Name is the AKS cluster name. Required.
	Name string `pulumi:"name"`
	// KubernetesVersion is MAJOR.MINOR or MAJOR.MINOR.PATCH. Default "": AKS's default
	// version, kept patched by the patch upgrade channel.
	KubernetesVersion string `pulumi:"kubernetesVersion,optional"`
	// VMSize is the node size. Default Standard_DS4_v2 (the runbook's).
	VMSize string `pulumi:"vmSize,optional"`
	// NodeCount is the initial node count. Default 3.
	NodeCount int `pulumi:"nodeCount,optional"`
	// NodeMinCount is the fewest nodes the autoscaler keeps. Default 1.
	NodeMinCount int `pulumi:"nodeMinCount,optional"`
	// NodeMaxCount is the most nodes the autoscaler adds up to. Default NodeCount.
	NodeMaxCount int `pulumi:"nodeMaxCount,optional"`
	// NodePoolName names the system pool: 1-12 lowercase letters and digits, starting
	// with a letter. Default "system".
	NodePoolName string `pulumi:"nodePoolName,optional"`
	// NetworkPolicy is the NetworkPolicy engine, azure or calico. Default calico.
	NetworkPolicy string `pulumi:"networkPolicy,optional"`
	// APIAllowedCIDRs are the only networks that reach the Kubernetes API. Default
	// none: any address; the machine running the deploy must be inside the list when
	// set.
	APIAllowedCIDRs []string `pulumi:"apiAllowedCidrs,optional"`
	// StorageClassName names the premium-disk StorageClass created for Pachyderm's
	// volumes. Default "pachyderm-premium".
	StorageClassName string `pulumi:"storageClassName,optional"`
	// NodeSubnetID is the subnet the nodes join (a Network's, or an existing one's).
	// The cluster's identity is made Network Contributor on it, as AKS needs to manage
	// load balancers there. Default nil: AKS makes a VNet of its own in the node
	// resource group (pachdeploy's program always brings a network).
	NodeSubnetID pulumi.StringInput `pulumi:"nodeSubnetId,optional"`
	// HostEncryption encrypts the nodes' temporary disks, caches and ephemeral OS disks
	// at the VM host (enableEncryptionAtHost, CKV_AZURE_227). The subscription must have
	// the feature Microsoft.Compute/EncryptionAtHost registered, and the VM size must
	// support it. Default false.
	HostEncryption bool `pulumi:"hostEncryption,optional"`
	// EntraIDAuth signs people in to the Kubernetes API with Microsoft Entra ID,
	// authorizes them with Azure RBAC and turns local accounts off (CKV_AZURE_141): no
	// static admin credential exists. The principal the azure-native provider deploys as
	// is made Azure Kubernetes Service RBAC Cluster Admin on the cluster, and the
	// kubeconfig gets short-lived tokens from kubelogin with the Azure CLI's sign-in, so
	// the machine running the deploy needs `az login` as that principal and kubelogin on
	// PATH. Default false: local accounts and Kubernetes RBAC, no helper needed.
	EntraIDAuth bool `pulumi:"entraIdAuth,optional"`
	// DeleteLogsOnDestroy lets destroy delete the Log Analytics workspace with the
	// cluster's logs. Default false: the workspace outlives the stack like the storage
	// account, as its logs are the record of what happened to the data.
	DeleteLogsOnDestroy bool `pulumi:"deleteLogsOnDestroy,optional"`
	// Tags go on the cluster, its workspace and its data collection rule. Default none.
	Tags map[string]string `pulumi:"tags,optional"`
	// GPUVMSize adds a user node pool (GPUNodePoolName) of this NVIDIA GPU size
	// (settings.GPUVMSize: NC or ND series), autoscaled from zero, tainted
	// nvidia.com/gpu=present:NoSchedule, with the NVIDIA driver AKS installs on GPU node
	// images and NVIDIA's device plugin. HostEncryption and the node subnet apply to it
	// too. Default "": no GPU nodes.
	GPUVMSize string `pulumi:"gpuVmSize,optional"`
	// GPUMaxCount bounds the GPU pool. Default config.DefaultGPUNodeMaxCount (2) with
	// GPUVMSize.
	GPUMaxCount int `pulumi:"gpuMaxCount,optional"`
}

// GPUNodePoolName names the GPU node pool.
const GPUNodePoolName = "gpu"

func (a ClusterArgs) withDefaults() ClusterArgs {
	if a.VMSize == "" {
		a.VMSize = DefaultVMSize
	}
	rules.DefaultNodeCounts(&a.NodeMinCount, &a.NodeCount, &a.NodeMaxCount, DefaultNodeCount)
	if a.NodePoolName == "" {
		a.NodePoolName = DefaultNodePoolName
	}
	if a.NetworkPolicy == "" {
		a.NetworkPolicy = DefaultNetworkPolicy
	}
	if a.StorageClassName == "" {
		a.StorageClassName = DefaultStorageClassName
	}
	if a.GPUVMSize != "" && a.GPUMaxCount == 0 {
		a.GPUMaxCount = config.DefaultGPUNodeMaxCount
	}
	return a
}

var nodePoolName = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)

func (a ClusterArgs) validate() error {
	var p rules.Problems
	if a.ResourceGroupName == nil {
		p.Addf("ResourceGroupName", "", "is required")
	}
	p.Add("Location", a.Location, rules.AzureLocation(a.Location))
	p.Add("Name", a.Name, rules.AKSClusterName(a.Name))
	if a.KubernetesVersion != "" {
		p.Add("KubernetesVersion", a.KubernetesVersion, rules.KubernetesVersion(a.KubernetesVersion, false))
	}
	p.Add("VMSize", a.VMSize, rules.AzureVMSize(a.VMSize, DefaultVMSize))
	p = append(p, rules.NodeCountProblems("NodeMinCount", a.NodeMinCount, "NodeCount", a.NodeCount, "NodeMaxCount", a.NodeMaxCount)...)
	if !nodePoolName.MatchString(a.NodePoolName) {
		p.Addf("NodePoolName", a.NodePoolName, "AKS Linux node pool names are 1-12 lowercase letters and digits, starting with a letter")
	}
	if a.NetworkPolicy != "azure" && a.NetworkPolicy != "calico" {
		p.Addf("NetworkPolicy", a.NetworkPolicy, "must be azure or calico")
	}
	for i, cidr := range a.APIAllowedCIDRs {
		p.Add(fmt.Sprintf("APIAllowedCIDRs[%d]", i), cidr, rules.CIDR(cidr))
	}
	p.Add("StorageClassName", a.StorageClassName, rules.DNS1123Subdomain(a.StorageClassName))
	p = append(p, rules.AzureTags("Tags", a.Tags)...)
	if a.GPUVMSize != "" {
		p.Add("GPUVMSize", a.GPUVMSize, settings.GPUVMSize(a.GPUVMSize))
		if a.GPUMaxCount < 1 || a.GPUMaxCount > rules.MaxNodes {
			p.Addf("GPUMaxCount", fmt.Sprint(a.GPUMaxCount), "must be 1 to %d", rules.MaxNodes)
		}
		if a.NodePoolName == GPUNodePoolName {
			p.Addf("NodePoolName", a.NodePoolName, "is the GPU pool's name: choose another")
		}
	}
	return p.Err()
}

// BucketArgs are the inputs of NewBucket.
type BucketArgs struct {
	// ResourceGroupName holds the storage account. Required; pass the group's output
	// so the account waits for it.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// Location is the Azure location; keep it the cluster's. Required.
	Location string `pulumi:"location"`
	// AccountName is the globally unique storage account name. Required.
	AccountName string `pulumi:"accountName"`
	// ContainerName is the blob container Pachyderm writes to. Required.
	ContainerName string `pulumi:"containerName"`
	// DeleteDataOnDestroy lets destroy delete the account and container with their
	// data. Default false: both outlive the stack and keep Pachyderm's data.
	DeleteDataOnDestroy bool `pulumi:"deleteDataOnDestroy,optional"`
	// AllowedSubnetID is the one network the account's data plane answers (besides
	// trusted Azure services): the nodes' subnet, which must have the Microsoft.Storage
	// service endpoint before the rule is made (pass Network.NodeSubnetID, which waits
	// for it). The account is managed, and its container made, through Azure Resource
	// Manager, which the rule does not limit. Default nil: every network, requests
	// authenticated by the account key (PD-AZURE-STORAGE-NETWORK reports it).
	AllowedSubnetID pulumi.StringInput `pulumi:"allowedSubnetId,optional"`
	// Tags go on the account. Default none.
	Tags map[string]string `pulumi:"tags,optional"`
}

func (a BucketArgs) validate() error {
	var p rules.Problems
	if a.ResourceGroupName == nil {
		p.Addf("ResourceGroupName", "", "is required")
	}
	p.Add("Location", a.Location, rules.AzureLocation(a.Location))
	p.Add("AccountName", a.AccountName, rules.AzureStorageAccountName(a.AccountName))
	p.Add("ContainerName", a.ContainerName, rules.AzureContainerName(a.ContainerName))
	p = append(p, rules.AzureTags("Tags", a.Tags)...)
	return p.Err()
}
