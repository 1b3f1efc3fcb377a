package gcp

import (
	"fmt"
	"strings"

	"github.com/pachdeploy/pachdeploy/components/gcp/settings"
	"github.com/pachdeploy/pachdeploy/components/gpu"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/container"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/organizations"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NodeRoles are the only project roles the node service account gets: write logs and
// metrics, read monitoring, pull images. Never the default compute account's Editor.
var NodeRoles = []string{
	"roles/logging.logWriter",
	"roles/monitoring.metricWriter",
	"roles/monitoring.viewer",
	"roles/artifactregistry.reader",
}

// Cluster is a GKE cluster with one autoscaled node pool (and, with
// ClusterArgs.GPUMachineType, a GPU pool scaling from zero), a Kubernetes provider for
// it and an SSD StorageClass for Pachyderm's volumes.
type Cluster struct {
	pulumi.ResourceState

	// Kubeconfig reaches the cluster through gke-gcloud-auth-plugin (secret).
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// WorkloadPool is the cluster's Workload Identity pool, <project>.svc.id.goog.
	WorkloadPool pulumi.StringOutput `pulumi:"workloadPool"`
	// NodeServiceAccount is the email of the nodes' dedicated service account.
	NodeServiceAccount pulumi.StringOutput `pulumi:"nodeServiceAccount"`
	// StorageClassName names the SSD StorageClass.
	StorageClassName string `pulumi:"storageClassName"`

	// Provider deploys Kubernetes objects into this cluster.
	Provider *kubernetes.Provider
	// NodePool is what Kubernetes workloads must wait for (KubernetesDependencies).
	NodePool *container.NodePool
	// GPUNodePool is the GPU pool, nil without ClusterArgs.GPUMachineType.
	GPUNodePool *container.NodePool
	// StorageClass is the SSD class, for Kubernetes objects to wait for.
	StorageClass *storagev1.StorageClass
}

// NewCluster creates the GKE API enablement, the node service account and its roles,
// the cluster without its default node pool, a separately managed node pool, a
// Kubernetes provider and an SSD StorageClass.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("gcp cluster %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("gcp cluster %q: %w", name, err)
	}
	c := &Cluster{StorageClassName: a.StorageClassName}
	if err := ctx.RegisterComponentResource("pachdeploy:gcp:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	if warning := rules.OpenAPIWarning(a.Name, a.APIAllowedCIDRs, "CKV_GCP_20"); warning != "" {
		if err := ctx.Log.Warn(warning, &pulumi.LogArgs{Resource: c}); err != nil {
			return nil, err
		}
	}

	project := pulumi.String(a.Project).ToStringOutput()
	if a.Project == "" {
		project = organizations.GetClientConfigOutput(ctx, parent).Project()
	}

	api, err := projects.NewService(ctx, name+"-container-api", &projects.ServiceArgs{
		Project:          project,
		Service:          pulumi.String("container.googleapis.com"),
		DisableOnDestroy: pulumi.Bool(false),
	}, parent)
	if err != nil {
		return nil, err
	}

	nodeSA, err := serviceaccount.NewAccount(ctx, name+"-nodes", &serviceaccount.AccountArgs{
		Project:     project,
		AccountId:   pulumi.String(accountID(a.Name, "-nodes")),
		DisplayName: pulumi.String(fmt.Sprintf("GKE nodes of %s (pachdeploy)", a.Name)),
	}, parent)
	if err != nil {
		return nil, err
	}
	var roles []pulumi.Resource
	for _, role := range NodeRoles {
		m, err := projects.NewIAMMember(ctx, fmt.Sprintf("%s-nodes-%s", name, roleSuffix(role)), &projects.IAMMemberArgs{
			Project: project,
			Role:    pulumi.String(role),
			Member:  nodeSA.Member,
		}, parent)
		if err != nil {
			return nil, err
		}
		roles = append(roles, m)
	}

	location := a.Region
	if a.zonal() {
		location = a.Zone
	}
	cluster, err := container.NewCluster(ctx, name, &container.ClusterArgs{
		Project:               project,
		Name:                  pulumi.String(a.Name),
		Location:              pulumi.String(location),
		RemoveDefaultNodePool: pulumi.Bool(true),
		InitialNodeCount:      pulumi.Int(1),
		// The transient default pool runs as the dedicated account too, so projects
		// that disable the default compute account work (ignored after creation below).
		NodeConfig:       clusterNodeConfig(nodeSA.Email),
		MinMasterVersion: optional(a.KubernetesVersion),
		ReleaseChannel:   &container.ClusterReleaseChannelArgs{Channel: pulumi.String(a.ReleaseChannel)},
		WorkloadIdentityConfig: &container.ClusterWorkloadIdentityConfigArgs{
			WorkloadPool: pulumi.Sprintf("%s.svc.id.goog", project),
		},
		EnableShieldedNodes: pulumi.Bool(true),
		// Dataplane V2 enforces NetworkPolicy itself; it needs a VPC-native cluster
		// (alias IPs: the subnetwork's secondary ranges, or ranges GKE chooses).
		DatapathProvider: pulumi.String("ADVANCED_DATAPATH"),
		IpAllocationPolicy: &container.ClusterIpAllocationPolicyArgs{
			ClusterSecondaryRangeName:  optional(a.PodsRangeName),
			ServicesSecondaryRangeName: optional(a.ServicesRangeName),
		},
		Network:                        a.Network,
		Subnetwork:                     a.Subnetwork,
		PrivateClusterConfig:           privateNodes(a.PrivateNodes),
		MasterAuthorizedNetworksConfig: authorizedNetworks(a.APIAllowedCIDRs),
		DeletionProtection:             pulumi.Bool(a.DeletionProtection),
		ResourceLabels:                 pulumi.ToStringMap(a.Labels),
		// CKV_GCP_61: pod-to-pod traffic on one node goes through the VPC too, so the
		// subnet's flow logs and firewall rules see it. Dataplane V2 supports it. On a
		// running cluster it is an update, not a replacement (enable_intranode_visibility
		// has an update path and no ForceNew in terraform-provider-google-beta v7.12.0,
		// which pulumi-gcp v9.6.0 builds on), though GKE may restart nodes to apply it.
		EnableIntranodeVisibility: pulumi.Bool(true),
		// CKV_GCP_13: no client certificates, only Google identity, stated explicitly.
		// The field is ForceNew, but GKE issues none by default since 1.12 and the
		// provider (terraform-provider-google-beta v7.12.0, flattenMasterAuth) reads a
		// cluster back as issue_client_certificate = whether the API returned one: for
		// every cluster pachdeploy made that is false already, so no diff and no
		// replacement (only a cluster that has a certificate would be replaced).
		MasterAuth: &container.ClusterMasterAuthArgs{
			ClientCertificateConfig: &container.ClusterMasterAuthClientCertificateConfigArgs{
				IssueClientCertificate: pulumi.Bool(false),
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{api}),
		// The API reports the cluster's nodeConfig differently once the default pool is
		// gone; without this every update would replace the cluster
		// (hashicorp/terraform-provider-google#12070).
		pulumi.IgnoreChanges([]string{"nodeConfig"}))
	if err != nil {
		return nil, err
	}

	pool, err := container.NewNodePool(ctx, name+"-nodes", &container.NodePoolArgs{
		Project:          project,
		Cluster:          cluster.Name,
		Location:         cluster.Location,
		InitialNodeCount: pulumi.Int(a.initialNodesPerZone()),
		Autoscaling: &container.NodePoolAutoscalingArgs{
			TotalMinNodeCount: pulumi.Int(a.NodeMinCount),
			TotalMaxNodeCount: pulumi.Int(a.NodeMaxCount),
			LocationPolicy:    pulumi.String("BALANCED"),
		},
		Management: &container.NodePoolManagementArgs{
			AutoRepair:  pulumi.Bool(true),
			AutoUpgrade: pulumi.Bool(true),
		},
		NodeConfig: poolNodeConfig(a.MachineType, nodeSA.Email, a.Labels),
	}, parent, pulumi.DependsOn(roles),
		// The autoscaler owns the size after creation; a new initial count would
		// replace the pool.
		pulumi.IgnoreChanges([]string{"initialNodeCount"}))
	if err != nil {
		return nil, err
	}
	if a.GPUMachineType != "" {
		if c.GPUNodePool, err = newGPUNodePool(ctx, name, a, project, cluster, nodeSA.Email, append(roles, pool), parent); err != nil {
			return nil, err
		}
	}

	c.Kubeconfig = pulumi.ToSecret(pulumi.All(cluster.Name, cluster.Endpoint, cluster.MasterAuth.ClusterCaCertificate().Elem()).ApplyT(
		func(v []any) string { return kubeconfig(v[0].(string), v[1].(string), v[2].(string)) },
	)).(pulumi.StringOutput)
	c.WorkloadPool = cluster.WorkloadIdentityConfig.WorkloadPool().Elem()
	c.NodeServiceAccount = nodeSA.Email

	c.Provider, err = pachyderm.NewKubernetesProvider(ctx, name, c.Kubeconfig, parent)
	if err != nil {
		return nil, err
	}
	c.NodePool = pool
	c.StorageClass, err = storagev1.NewStorageClass(ctx, name+"-ssd", &storagev1.StorageClassArgs{
		Metadata:             &metav1.ObjectMetaArgs{Name: pulumi.String(a.StorageClassName)},
		Provisioner:          pulumi.String("pd.csi.storage.gke.io"),
		Parameters:           pulumi.StringMap{"type": pulumi.String("pd-ssd")},
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Delete"),
	}, parent, pulumi.Provider(c.Provider), pulumi.DependsOn([]pulumi.Resource{pool}))
	if err != nil {
		return nil, err
	}

	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"kubeconfig":         c.Kubeconfig,
		"workloadPool":       c.WorkloadPool,
		"nodeServiceAccount": c.NodeServiceAccount,
		"storageClassName":   pulumi.String(c.StorageClassName),
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// KubernetesDependencies lists what Kubernetes objects in the cluster must wait for:
// the node pool (of a cluster pachdeploy makes) and the storage class.
func (c *Cluster) KubernetesDependencies() []pulumi.Resource {
	if c.NodePool == nil {
		return []pulumi.Resource{c.StorageClass}
	}
	return []pulumi.Resource{c.NodePool, c.StorageClass}
}

// cloudPlatformScope lets IAM alone decide what the nodes may do, as Google advises
// for nodes with a least-privilege service account.
const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// clusterNodeConfig is the node config of the cluster's transient default pool.
func clusterNodeConfig(serviceAccount pulumi.StringInput) *container.ClusterNodeConfigArgs {
	return &container.ClusterNodeConfigArgs{
		ServiceAccount: serviceAccount,
		OauthScopes:    pulumi.StringArray{pulumi.String(cloudPlatformScope)},
		ShieldedInstanceConfig: &container.ClusterNodeConfigShieldedInstanceConfigArgs{
			EnableSecureBoot:          pulumi.Bool(true),
			EnableIntegrityMonitoring: pulumi.Bool(true),
		},
		WorkloadMetadataConfig: &container.ClusterNodeConfigWorkloadMetadataConfigArgs{
			Mode: pulumi.String("GKE_METADATA"),
		},
	}
}

// poolNodeConfig is the node config of every node pool: the dedicated service account
// with IAM alone deciding its rights, shielded nodes with secure boot, GKE_METADATA for
// Workload Identity, and the cluster's labels on the VMs.
func poolNodeConfig(machineType string, serviceAccount pulumi.StringInput, labels map[string]string) *container.NodePoolNodeConfigArgs {
	return &container.NodePoolNodeConfigArgs{
		MachineType:    pulumi.String(machineType),
		ImageType:      pulumi.String("COS_CONTAINERD"),
		ServiceAccount: serviceAccount,
		OauthScopes:    pulumi.StringArray{pulumi.String(cloudPlatformScope)},
		ShieldedInstanceConfig: &container.NodePoolNodeConfigShieldedInstanceConfigArgs{
			EnableSecureBoot:          pulumi.Bool(true),
			EnableIntegrityMonitoring: pulumi.Bool(true),
		},
		WorkloadMetadataConfig: &container.NodePoolNodeConfigWorkloadMetadataConfigArgs{
			Mode: pulumi.String("GKE_METADATA"),
		},
		ResourceLabels: pulumi.ToStringMap(labels),
	}
}

// newGPUNodePool creates the GPU pool: the main pool's node config (poolNodeConfig)
// with the machine's own accelerators declared, so GKE installs its default NVIDIA
// driver (gpuDriverInstallationConfig DEFAULT) and runs the device plugin, and the GPU
// label. The cluster autoscaler GKE runs scales it from zero to GPUMaxCount; location
// policy ANY takes GPUs in whichever zone has them. No taint is set: GKE taints GPU
// nodes nvidia.com/gpu=present:NoSchedule itself when the cluster has a non-GPU pool,
// which the pool waits for, and adds the toleration to pods that request GPUs.
func newGPUNodePool(ctx *pulumi.Context, name string, a ClusterArgs, project pulumi.StringInput, cluster *container.Cluster,
	serviceAccount pulumi.StringInput, after []pulumi.Resource, parent pulumi.ResourceOption) (*container.NodePool, error) {
	accel, err := settings.GPUAccelerator(a.GPUMachineType)
	if err != nil {
		return nil, err // validate refused it already
	}
	nodeConfig := poolNodeConfig(a.GPUMachineType, serviceAccount, a.Labels)
	nodeConfig.Labels = pulumi.ToStringMap(gpu.Labels())
	nodeConfig.GuestAccelerators = container.NodePoolNodeConfigGuestAcceleratorArray{&container.NodePoolNodeConfigGuestAcceleratorArgs{
		Type:  pulumi.String(accel.Type),
		Count: pulumi.Int(accel.Count),
		GpuDriverInstallationConfig: &container.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs{
			GpuDriverVersion: pulumi.String("DEFAULT"),
		},
	}}
	return container.NewNodePool(ctx, name+"-gpu", &container.NodePoolArgs{
		Project:          project,
		Cluster:          cluster.Name,
		Location:         cluster.Location,
		InitialNodeCount: pulumi.Int(0),
		Autoscaling: &container.NodePoolAutoscalingArgs{
			TotalMinNodeCount: pulumi.Int(0),
			TotalMaxNodeCount: pulumi.Int(a.GPUMaxCount),
			LocationPolicy:    pulumi.String("ANY"),
		},
		Management: &container.NodePoolManagementArgs{
			AutoRepair:  pulumi.Bool(true),
			AutoUpgrade: pulumi.Bool(true),
		},
		NodeConfig: nodeConfig,
	}, parent, pulumi.DependsOn(after), pulumi.IgnoreChanges([]string{"initialNodeCount"}))
}

// authorizedNetworks limits the API endpoint to cidrs; nil (no restriction) without.
func authorizedNetworks(cidrs []string) container.ClusterMasterAuthorizedNetworksConfigPtrInput {
	if len(cidrs) == 0 {
		return nil
	}
	blocks := container.ClusterMasterAuthorizedNetworksConfigCidrBlockArray{}
	for _, cidr := range cidrs {
		blocks = append(blocks, &container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs{
			CidrBlock:   pulumi.String(cidr),
			DisplayName: pulumi.String("apiAllowedCidrs"),
		})
	}
	return &container.ClusterMasterAuthorizedNetworksConfigArgs{CidrBlocks: blocks}
}

// privateNodes is the private cluster config that gives the nodes internal addresses
// only, or nil for public nodes: the provider advises leaving the block out rather
// than sending enablePrivateNodes=false.
//
// No masterIpv4CidrBlock: a cluster created on GKE 1.29 or later without one uses
// Private Service Connect, whose control-plane endpoint needs no /28 of the VPC (that
// range is for the older VPC-peering private clusters). The provider then sends only
// networkConfig.defaultEnablePrivateNodes, and a privateClusterConfig only when a
// masterIpv4CidrBlock is set. The public endpoint stays (no enablePrivateEndpoint):
// the deploy reaches it from apiAllowedCidrs, and the nodes reach the control plane
// privately.
//
// Replacement: in terraform-provider-google-beta v7.12.0, which pulumi-gcp v9.6.0 builds
// on, enable_private_nodes is ForceNew, so turning it on for a running cluster replaces
// the cluster. v7.13.0 dropped the ForceNew ("Remove ForceNew for enablePrivateNodes",
// magic-modules #15747) and updates it in place through
// desiredDefaultEnablePrivateNodes; pulumi-gcp v9.7.0 builds on v7.14.1. Until then
// the privateNodes setting keeps an older cluster as it is.
func privateNodes(enabled bool) container.ClusterPrivateClusterConfigPtrInput {
	if !enabled {
		return nil
	}
	return &container.ClusterPrivateClusterConfigArgs{EnablePrivateNodes: pulumi.Bool(true)}
}

// optional is nil for "", so the provider applies its default.
func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}

// roleSuffix turns roles/logging.logWriter into logging-logWriter for resource names.
func roleSuffix(role string) string {
	return strings.ReplaceAll(strings.TrimPrefix(role, "roles/"), ".", "-")
}
