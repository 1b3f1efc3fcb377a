package azure

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/gpu"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"sigs.k8s.io/yaml"
)

// Cluster is an AKS cluster with one autoscaled system node pool (and, with
// ClusterArgs.GPUVMSize, a GPU user pool scaling from zero), a Kubernetes provider for
// it, a premium-disk StorageClass for Pachyderm's volumes and Container Insights
// sending to a Log Analytics workspace of its own.
//
// Local accounts stay enabled unless ClusterArgs.EntraIDAuth: without them the
// kubeconfig needs Entra ID integration, kubelogin on the deploying machine and an
// Azure RBAC role assignment for the deployer, which EntraIDAuth brings.
type Cluster struct {
	pulumi.ResourceState

	// Kubeconfig is the cluster user's kubeconfig (secret).
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// OIDCIssuerURL is the cluster's OIDC issuer, for workload identity federation.
	OIDCIssuerURL pulumi.StringOutput `pulumi:"oidcIssuerUrl"`
	// StorageClassName names the premium-disk StorageClass.
	StorageClassName string `pulumi:"storageClassName"`

	// Provider deploys Kubernetes objects into this cluster.
	Provider *kubernetes.Provider
	// ManagedCluster is the cluster with its node pool.
	ManagedCluster *containerservice.ManagedCluster
	// StorageClass is the premium-disk class, for Kubernetes objects to wait for.
	StorageClass *storagev1.StorageClass
	// GPUNodePool is the GPU node pool, nil without ClusterArgs.GPUVMSize.
	GPUNodePool *containerservice.AgentPool

	kubernetesDependencies []pulumi.Resource
}

// KubernetesDependencies lists what Kubernetes objects in the cluster must wait for:
// the cluster with its node pool, its rights on the node subnet, the deployer's role in
// it under EntraIDAuth, and the storage class.
func (c *Cluster) KubernetesDependencies() []pulumi.Resource {
	return append(append([]pulumi.Resource(nil), c.kubernetesDependencies...), c.StorageClass)
}

// NetworkContributorRole is the built-in role AKS needs on a subnet it does not own.
const NetworkContributorRole = "4d97b98b-1d4f-4787-a291-c67834d212e7"

// AKSRBACClusterAdminRole is the built-in role Azure Kubernetes Service RBAC Cluster
// Admin: every Kubernetes action in the cluster, under Azure RBAC.
const AKSRBACClusterAdminRole = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"

// AKSServerAppID is the Entra application of AKS's managed Entra ID integration: the
// audience of the tokens kubelogin gets for any such cluster.
const AKSServerAppID = "6dae42f8-4368-4678-94ff-3960e28e3630"

// roleDefinition is the full id of built-in role in the subscription of resource id.
func roleDefinition(id pulumi.StringInput, role string) pulumi.StringOutput {
	return id.ToStringOutput().ApplyT(func(id string) string {
		sub := "<subscription of " + id + ">" // only a stand-in id lacks one
		if parts := strings.Split(id, "/"); len(parts) > 2 && strings.EqualFold(parts[1], "subscriptions") {
			sub = parts[2]
		}
		return "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + role
	}).(pulumi.StringOutput)
}

// NewCluster creates the AKS cluster, a Kubernetes provider from its user credentials
// and a premium-disk StorageClass.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("azure cluster %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("azure cluster %q: %w", name, err)
	}
	c := &Cluster{StorageClassName: a.StorageClassName}
	if err := ctx.RegisterComponentResource("pachdeploy:azure:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	if warning := rules.OpenAPIWarning(a.Name, a.APIAllowedCIDRs, "CKV_AZURE_6"); warning != "" {
		if err := ctx.Log.Warn(warning, &pulumi.LogArgs{Resource: c}); err != nil {
			return nil, err
		}
	}

	// A cluster in a subnet it does not own needs Network Contributor there before it is
	// created: its control plane then runs as an identity of its own, known up front, so
	// the grant never waits on (nor is replaced with) the cluster. Otherwise AKS's
	// system-assigned identity, as before.
	identity := &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned}
	var subnetGrant []pulumi.Resource
	if a.NodeSubnetID != nil {
		controlPlane, err := native.NewUserAssignedIdentity(ctx, name+"-control-plane", &native.UserAssignedIdentityArgs{
			ResourceGroupName: a.ResourceGroupName,
			ResourceName:      pulumi.String(a.Name + "-control-plane"),
			Location:          pulumi.String(a.Location),
			Tags:              pulumi.ToStringMap(a.Tags),
		}, parent)
		if err != nil {
			return nil, err
		}
		joins, err := native.NewRoleAssignment(ctx, name+"-subnet", &native.RoleAssignmentArgs{
			Scope:            a.NodeSubnetID,
			PrincipalID:      controlPlane.PrincipalID,
			PrincipalType:    pulumi.String("ServicePrincipal"),
			RoleDefinitionID: roleDefinition(a.NodeSubnetID, NetworkContributorRole),
		}, parent)
		if err != nil {
			return nil, err
		}
		identity = &containerservice.ManagedClusterIdentityArgs{
			Type:                   containerservice.ResourceIdentityTypeUserAssigned,
			UserAssignedIdentities: pulumi.StringArray{controlPlane.ID().ToStringOutput()},
		}
		subnetGrant = []pulumi.Resource{joins}
	}
	monitoring, err := newInsights(ctx, name, a, parent)
	if err != nil {
		return nil, err
	}
	cluster, err := containerservice.NewManagedCluster(ctx, name, &containerservice.ManagedClusterArgs{
		ResourceGroupName:    a.ResourceGroupName,
		ResourceName:         pulumi.String(a.Name),
		Location:             pulumi.String(a.Location),
		DnsPrefix:            pulumi.String(dnsPrefix(a.Name)),
		KubernetesVersion:    optional(a.KubernetesVersion),
		Identity:             identity,
		EnableRBAC:           pulumi.Bool(true),
		AadProfile:           entraID(a.EntraIDAuth),
		DisableLocalAccounts: pulumi.Bool(a.EntraIDAuth),
		AddonProfiles:        monitoring.addons(),
		OidcIssuerProfile:    &containerservice.ManagedClusterOIDCIssuerProfileArgs{Enabled: pulumi.Bool(true)},
		SecurityProfile: &containerservice.ManagedClusterSecurityProfileArgs{
			WorkloadIdentity: &containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs{Enabled: pulumi.Bool(true)},
		},
		NetworkProfile: &containerservice.ContainerServiceNetworkProfileArgs{
			// Azure CNI Overlay: pod IPs outside the VNet, no subnet sizing needed.
			NetworkPlugin:     pulumi.String("azure"),
			NetworkPluginMode: pulumi.String("overlay"),
			NetworkPolicy:     pulumi.String(a.NetworkPolicy),
			LoadBalancerSku:   pulumi.String("standard"),
		},
		ApiServerAccessProfile: apiServerAccess(a.APIAllowedCIDRs),
		AutoUpgradeProfile:     &containerservice.ManagedClusterAutoUpgradeProfileArgs{UpgradeChannel: pulumi.String("patch")},
		AgentPoolProfiles: containerservice.ManagedClusterAgentPoolProfileArray{&containerservice.ManagedClusterAgentPoolProfileArgs{
			Name:              pulumi.String(a.NodePoolName),
			Mode:              pulumi.String("System"),
			OsType:            pulumi.String("Linux"),
			Type:              pulumi.String("VirtualMachineScaleSets"),
			VmSize:            pulumi.String(a.VMSize),
			Count:             pulumi.Int(a.NodeCount),
			EnableAutoScaling: pulumi.Bool(true),
			MinCount:          pulumi.Int(a.NodeMinCount),
			MaxCount:          pulumi.Int(a.NodeMaxCount),
			VnetSubnetID:      a.NodeSubnetID,
			// Unset rather than false when off, so stacks made before the setting
			// see no change to their node pool.
			EnableEncryptionAtHost: onlyTrue(a.HostEncryption),
		}},
		Tags: pulumi.ToStringMap(a.Tags),
	}, parent,
		// The autoscaler owns the node count after creation.
		pulumi.IgnoreChanges([]string{"agentPoolProfiles[0].count"}), pulumi.DependsOn(subnetGrant))
	if err != nil {
		return nil, err
	}
	c.ManagedCluster = cluster
	c.OIDCIssuerURL = cluster.OidcIssuerProfile.IssuerURL().Elem()
	c.kubernetesDependencies = []pulumi.Resource{cluster}
	if _, err := monitoring.associate(ctx, name, cluster, parent); err != nil {
		return nil, err
	}

	if a.EntraIDAuth {
		// The deployer's own right to the cluster: Kubernetes objects wait for it.
		admin, err := native.NewRoleAssignment(ctx, name+"-deployer-admin", &native.RoleAssignmentArgs{
			Scope:            cluster.ID().ToStringOutput(),
			PrincipalID:      native.GetClientConfigOutput(ctx, parent).ObjectId(),
			RoleDefinitionID: roleDefinition(cluster.ID().ToStringOutput(), AKSRBACClusterAdminRole),
		}, parent)
		if err != nil {
			return nil, err
		}
		c.kubernetesDependencies = append(c.kubernetesDependencies, admin)
		c.Kubeconfig = entraKubeconfig(ctx, a.ResourceGroupName, cluster.Name, parent)
	} else {
		c.Kubeconfig = userKubeconfig(ctx, a.ResourceGroupName, cluster.Name, parent)
	}
	c.Provider, err = pachyderm.NewKubernetesProvider(ctx, name, c.Kubeconfig, parent)
	if err != nil {
		return nil, err
	}
	c.StorageClass, err = premiumStorageClass(ctx, name, a.StorageClassName, parent, pulumi.Provider(c.Provider),
		pulumi.DependsOn(c.kubernetesDependencies))
	if err != nil {
		return nil, err
	}
	if a.GPUVMSize != "" {
		if c.GPUNodePool, err = newGPUNodePool(ctx, name, a, cluster, parent); err != nil {
			return nil, err
		}
		if _, err := gpu.NewDevicePlugin(ctx, name+"-nvidia-device-plugin", parent, pulumi.Provider(c.Provider),
			pulumi.DependsOn(append(c.KubernetesDependencies(), c.GPUNodePool))); err != nil {
			return nil, err
		}
	}

	if err := c.registerOutputs(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// newGPUNodePool creates the GPU node pool as its own AgentPool (AKS refuses a pool
// added to a running cluster through the cluster's agentPoolProfiles): a User pool of
// GPUVMSize that AKS's cluster autoscaler scales from zero to GPUMaxCount, tainted and
// labelled for GPU pods only, in the node subnet, with host encryption as the system
// pool. AKS installs the NVIDIA driver on GPU node images unless told to skip it
// (gpuProfile.driver None, which API 2023-04-01 of azure-native's default
// containerservice module does not even have); the device plugin is NewCluster's.
func newGPUNodePool(ctx *pulumi.Context, name string, a ClusterArgs, cluster *containerservice.ManagedCluster,
	parent pulumi.ResourceOption) (*containerservice.AgentPool, error) {
	return containerservice.NewAgentPool(ctx, name+"-gpu", &containerservice.AgentPoolArgs{
		ResourceGroupName: a.ResourceGroupName,
		ResourceName:      cluster.Name,
		AgentPoolName:     pulumi.String(GPUNodePoolName),
		Mode:              pulumi.String("User"),
		OsType:            pulumi.String("Linux"),
		Type:              pulumi.String("VirtualMachineScaleSets"),
		VmSize:            pulumi.String(a.GPUVMSize),
		Count:             pulumi.Int(0),
		EnableAutoScaling: pulumi.Bool(true),
		MinCount:          pulumi.Int(0),
		MaxCount:          pulumi.Int(a.GPUMaxCount),
		NodeTaints:        pulumi.StringArray{pulumi.String(gpu.Taint)},
		NodeLabels:        pulumi.ToStringMap(gpu.Labels()),
		VnetSubnetID:      a.NodeSubnetID,
		// As the system pool: unset rather than false when off.
		EnableEncryptionAtHost: onlyTrue(a.HostEncryption),
		Tags:                   pulumi.ToStringMap(a.Tags),
	}, parent,
		// The autoscaler owns the node count after creation.
		pulumi.IgnoreChanges([]string{"count"}))
}

// apiServerAccess limits the API server to cidrs; nil (no restriction) without.
func apiServerAccess(cidrs []string) containerservice.ManagedClusterAPIServerAccessProfilePtrInput {
	if len(cidrs) == 0 {
		return nil
	}
	return &containerservice.ManagedClusterAPIServerAccessProfileArgs{
		AuthorizedIPRanges: pulumi.ToStringArray(cidrs),
	}
}

var notDNSChar = regexp.MustCompile(`[^a-zA-Z0-9-]+`)

// dnsPrefix derives the API server's DNS prefix from the cluster name: 1-54 letters,
// digits and '-', starting and ending alphanumeric.
func dnsPrefix(clusterName string) string {
	s := strings.Trim(notDNSChar.ReplaceAllString(clusterName, "-"), "-")
	if len(s) > 54 {
		s = strings.TrimRight(s[:54], "-")
	}
	return s
}

// entraID is managed Entra ID integration with Azure RBAC in the cluster's own tenant;
// nil when off.
func entraID(on bool) containerservice.ManagedClusterAADProfilePtrInput {
	if !on {
		return nil
	}
	return &containerservice.ManagedClusterAADProfileArgs{
		Managed:         pulumi.Bool(true),
		EnableAzureRBAC: pulumi.Bool(true),
	}
}

// onlyTrue is true when on, else nil, so the service applies its default (off).
func onlyTrue(on bool) pulumi.BoolPtrInput {
	if !on {
		return nil
	}
	return pulumi.Bool(true)
}

// optional is nil for "", so the service applies its default.
func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}

// entraKubeconfig is a kubeconfig for an Entra ID cluster whose user gets short-lived
// tokens from `kubelogin get-token --login azurecli` with the deployer's Azure CLI
// sign-in: no static secret, and unlike the devicecode login AKS's own kubeconfig
// names, it runs unattended. The server and CA come from the cluster user's
// kubeconfig (secret, like every kubeconfig pachdeploy hands out).
func entraKubeconfig(ctx *pulumi.Context, group, cluster pulumi.StringInput, parent pulumi.ResourceOrInvokeOption) pulumi.StringOutput {
	user := userKubeconfig(ctx, group, cluster, parent)
	return pulumi.ToSecret(pulumi.All(cluster, user).ApplyT(func(v []any) (string, error) {
		return kubeloginKubeconfig(v[0].(string), v[1].(string))
	})).(pulumi.StringOutput)
}

// kubeloginKubeconfig rewrites the AKS kubeconfig config of the cluster name to get its
// tokens from kubelogin with the Azure CLI's sign-in.
func kubeloginKubeconfig(name, config string) (string, error) {
	var kc struct {
		Clusters []struct {
			Cluster struct {
				Server string `json:"server"`
				CAData string `json:"certificate-authority-data"`
			} `json:"cluster"`
		} `json:"clusters"`
	}
	if err := yaml.Unmarshal([]byte(config), &kc); err != nil {
		return "", fmt.Errorf("reading the AKS kubeconfig: %w", err)
	}
	if len(kc.Clusters) == 0 || kc.Clusters[0].Cluster.Server == "" {
		return "", errors.New("the AKS kubeconfig names no API server")
	}
	return pachyderm.ExecKubeconfig(name, kc.Clusters[0].Cluster.Server, kc.Clusters[0].Cluster.CAData, pachyderm.Exec{
		Command:     "kubelogin",
		Args:        []string{"get-token", "--login", "azurecli", "--server-id", AKSServerAppID},
		InstallHint: "Install kubelogin (az aks install-cli) and sign in with az login",
	}), nil
}

// userKubeconfig is the cluster user's kubeconfig, read with
// listManagedClusterUserCredentials (secret).
func userKubeconfig(ctx *pulumi.Context, group, cluster pulumi.StringInput, parent pulumi.ResourceOrInvokeOption) pulumi.StringOutput {
	creds := containerservice.ListManagedClusterUserCredentialsOutput(ctx, containerservice.ListManagedClusterUserCredentialsOutputArgs{
		ResourceGroupName: group,
		ResourceName:      cluster,
	}, parent)
	return pulumi.ToSecret(creds.Kubeconfigs().ApplyT(func(list []containerservice.CredentialResultResponse) (string, error) {
		if len(list) == 0 {
			return "", errors.New("AKS returned no user kubeconfig")
		}
		config, err := base64.StdEncoding.DecodeString(list[0].Value)
		if err != nil {
			return "", fmt.Errorf("decoding the AKS kubeconfig: %w", err)
		}
		return string(config), nil
	})).(pulumi.StringOutput)
}

// premiumStorageClass is the premium-disk class for Pachyderm's volumes.
func premiumStorageClass(ctx *pulumi.Context, name, className string, opts ...pulumi.ResourceOption) (*storagev1.StorageClass, error) {
	return storagev1.NewStorageClass(ctx, name+"-premium", &storagev1.StorageClassArgs{
		Metadata:             &metav1.ObjectMetaArgs{Name: pulumi.String(className)},
		Provisioner:          pulumi.String("disk.csi.azure.com"),
		Parameters:           pulumi.StringMap{"skuName": pulumi.String("Premium_LRS")},
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Delete"),
	}, opts...)
}

// registerOutputs ends the component: what a stack exports of a cluster.
func (c *Cluster) registerOutputs(ctx *pulumi.Context) error {
	return ctx.RegisterResourceOutputs(c, pulumi.Map{
		"kubeconfig":       c.Kubeconfig,
		"oidcIssuerUrl":    c.OIDCIssuerURL,
		"storageClassName": pulumi.String(c.StorageClassName),
	})
}
