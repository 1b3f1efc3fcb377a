// Package gcp provisions Pachyderm's Google Cloud infrastructure: a hardened GKE
// cluster with a dedicated node service account and Workload Identity, and a private
// GCS bucket with an identity scoped to that one bucket.
package gcp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/stacks/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IdentityMode is how Pachyderm authenticates to its bucket.
type IdentityMode string

// The identity modes.
const (
	// WorkloadIdentity maps both Pachyderm Kubernetes service accounts to a Google
	// service account: keyless, nothing to leak or rotate.
	WorkloadIdentity IdentityMode = settings.IdentityWorkloadIdentity
	// ServiceAccountKey creates a key for the Google service account and passes it to
	// the chart as a secret, for clusters without Workload Identity.
	ServiceAccountKey IdentityMode = settings.IdentityServiceAccountKey
)

// Defaults.
const (
	// DefaultMachineType is the runbook's node machine type.
	DefaultMachineType = settings.DefaultMachineType
	// DefaultNodeCount is the runbook's node count.
	DefaultNodeCount = settings.DefaultNodeCount
	// DefaultReleaseChannel is GKE's recommended channel for production.
	DefaultReleaseChannel = settings.DefaultReleaseChannel
	// DefaultStorageClassName names the SSD class for etcd, postgresql and Loki.
	DefaultStorageClassName = "pachyderm-ssd"
	// regionalZones is how many zones GKE spreads a regional node pool over by default.
	regionalZones = 3
)

// ClusterArgs are the inputs of NewCluster.
type ClusterArgs struct {
	// Project is the Google Cloud project. Default "": the provider's project, read
	// with getClientConfig, so the workload pool and IAM bindings name the project the
	// cluster is really created in.
	Project string `pulumi:"project,optional"`
	// Region holds the cluster. Required.
	Region string `pulumi:"region"`
	// Zone makes a zonal cluster in that zone of Region. Default "": a regional
	// cluster, whose control plane and nodes survive the loss of a zone.
	Zone string `pulumi:"zone,optional"`
	// Name is the GKE cluster name. Required.
	Name string `pulumi:"name"`
	// KubernetesVersion is the minimum control-plane version. Default "": the release
	// channel's default, which GKE keeps patched.
	KubernetesVersion string `pulumi:"kubernetesVersion,optional"`
	// ReleaseChannel is RAPID, REGULAR, STABLE or EXTENDED. Default REGULAR: versions
	// proven on RAPID, automatic security patches.
	ReleaseChannel string `pulumi:"releaseChannel,optional"`
	// MachineType is the node machine type. Default n2-standard-4 (the runbook's).
	MachineType string `pulumi:"machineType,optional"`
	// NodeCount is the initial number of nodes in total. Default 3. A regional pool
	// starts with NodeCount/3 (at least one) nodes in each of its three zones.
	NodeCount int `pulumi:"nodeCount,optional"`
	// NodeMinCount is the fewest nodes the autoscaler keeps, in total over all zones.
	// Default 1.
	NodeMinCount int `pulumi:"nodeMinCount,optional"`
	// NodeMaxCount is the most nodes the autoscaler adds up to, in total over all
	// zones. Default NodeCount.
	NodeMaxCount int `pulumi:"nodeMaxCount,optional"`
	// APIAllowedCIDRs are the only networks that reach the Kubernetes API (master
	// authorized networks). Default none: any address, still authenticated by Google
	// identity; the machine running the deploy must be inside the list when set.
	APIAllowedCIDRs []string `pulumi:"apiAllowedCidrs,optional"`
	// DeletionProtection refuses to delete the cluster. Default false, so destroy
	// works; turn it on for production clusters.
	DeletionProtection bool `pulumi:"deletionProtection,optional"`
	// StorageClassName names the SSD StorageClass created for Pachyderm's volumes.
	// Default "pachyderm-ssd".
	StorageClassName string `pulumi:"storageClassName,optional"`
	// Network attaches the cluster to a VPC (a Network's, or an existing one's self
	// link or name). Default nil: the project's `default` network, which pachdeploy's
	// program never uses (it always brings a network).
	Network pulumi.StringInput `pulumi:"network,optional"`
	// Subnetwork is the subnetwork of Network the nodes live in (self link or name).
	// Default nil: the network's subnetwork in Region.
	Subnetwork pulumi.StringInput `pulumi:"subnetwork,optional"`
	// PodsRangeName is Subnetwork's secondary range for pods. Default "": GKE creates
	// a range of its own in the subnetwork.
	PodsRangeName string `pulumi:"podsRangeName,optional"`
	// ServicesRangeName is Subnetwork's secondary range for services. Default "": GKE
	// creates a range of its own in the subnetwork.
	ServicesRangeName string `pulumi:"servicesRangeName,optional"`
	// PrivateNodes gives the nodes internal addresses only (CKV_GCP_25, CKV_GCP_64); the
	// API endpoint stays public, limited by APIAllowedCIDRs. Set it only when the
	// network gives the nodes a way out (a Network's Cloud NAT does): Pachyderm's images
	// are on Docker Hub. Default false: the cluster cannot see its network's egress.
	PrivateNodes bool `pulumi:"privateNodes,optional"`
	// Labels go on the cluster. Default none.
	Labels map[string]string `pulumi:"labels,optional"`
	// GPUMachineType adds a second, autoscaled node pool of this GPU machine type
	// (settings.GPUAccelerator: G2, A2 or A3, whose GPUs come with the machine), from
	// zero nodes, with GKE's default NVIDIA driver installed by GKE. GKE taints its
	// nodes nvidia.com/gpu=present:NoSchedule and runs the device plugin itself.
	// Default "": no GPU nodes.
	GPUMachineType string `pulumi:"gpuMachineType,optional"`
	// GPUMaxCount bounds the GPU pool, in total over its zones. Default
	// config.DefaultGPUNodeMaxCount (2) with GPUMachineType.
	GPUMaxCount int `pulumi:"gpuMaxCount,optional"`
}

func (a ClusterArgs) withDefaults() ClusterArgs {
	if a.ReleaseChannel == "" {
		a.ReleaseChannel = DefaultReleaseChannel
	}
	if a.MachineType == "" {
		a.MachineType = DefaultMachineType
	}
	rules.DefaultNodeCounts(&a.NodeMinCount, &a.NodeCount, &a.NodeMaxCount, DefaultNodeCount)
	if a.StorageClassName == "" {
		a.StorageClassName = DefaultStorageClassName
	}
	if a.GPUMachineType != "" && a.GPUMaxCount == 0 {
		a.GPUMaxCount = config.DefaultGPUNodeMaxCount
	}
	return a
}

// zonal reports whether the cluster lives in a single zone.
func (a ClusterArgs) zonal() bool { return a.Zone != "" }

// initialNodesPerZone is how many nodes each zone of the pool starts with.
func (a ClusterArgs) initialNodesPerZone() int {
	if a.zonal() {
		return a.NodeCount
	}
	return max(1, a.NodeCount/regionalZones)
}

func (a ClusterArgs) validate() error {
	var p rules.Problems
	if a.Project != "" {
		p.Add("Project", a.Project, rules.GCPProjectID(a.Project))
	}
	p.Add("Region", a.Region, rules.GCPRegion(a.Region))
	if a.Zone != "" {
		p.Add("Zone", a.Zone, rules.GCPZone(a.Zone, a.Region))
	}
	p.Add("Name", a.Name, rules.GKEClusterName(a.Name))
	if a.KubernetesVersion != "" {
		p.Add("KubernetesVersion", a.KubernetesVersion, rules.KubernetesVersion(a.KubernetesVersion, false))
	}
	p.Add("ReleaseChannel", a.ReleaseChannel, settings.ReleaseChannel(a.ReleaseChannel))
	p.Add("MachineType", a.MachineType, rules.GCPMachineType(a.MachineType, DefaultMachineType))
	p = append(p, rules.NodeCountProblems("NodeMinCount", a.NodeMinCount, "NodeCount", a.NodeCount, "NodeMaxCount", a.NodeMaxCount)...)
	if !a.zonal() && a.NodeMaxCount < regionalZones {
		p.Addf("NodeMaxCount", fmt.Sprint(a.NodeMaxCount),
			"a regional node pool starts with a node in each of its %d zones: allow at least %d, or set Zone", regionalZones, regionalZones)
	}
	for i, cidr := range a.APIAllowedCIDRs {
		p.Add(fmt.Sprintf("APIAllowedCIDRs[%d]", i), cidr, rules.CIDR(cidr))
	}
	p.Add("StorageClassName", a.StorageClassName, rules.DNS1123Subdomain(a.StorageClassName))
	p = append(p, rules.GCPLabels("Labels", a.Labels)...)
	if a.GPUMachineType != "" {
		_, err := settings.GPUAccelerator(a.GPUMachineType)
		p.Add("GPUMachineType", a.GPUMachineType, err)
		if a.GPUMaxCount < 1 || a.GPUMaxCount > rules.MaxNodes {
			p.Addf("GPUMaxCount", fmt.Sprint(a.GPUMaxCount), "must be 1 to %d", rules.MaxNodes)
		}
	}
	return p.Err()
}

var notIDChar = regexp.MustCompile(`[^a-z0-9-]+`)

// accountID derives a service account id from base and suffix, shortening base with
// a hash of it when the id would exceed 30 characters.
func accountID(base, suffix string) string {
	s := strings.Trim(notIDChar.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "p" + s
	}
	if len(s)+len(suffix) > 30 {
		sum := sha256.Sum256([]byte(base))
		s = strings.TrimRight(s[:30-len(suffix)-7], "-") + "-" + hex.EncodeToString(sum[:])[:6]
	}
	return s + suffix
}
