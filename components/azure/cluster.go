package azure

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Cluster is an AKS cluster with one autoscaled system node pool, a Kubernetes
// provider for it and a premium-disk StorageClass for Pachyderm's volumes.
//
// Local accounts stay enabled: the kubeconfig comes from
// listManagedClusterUserCredentials, which without local accounts needs Entra ID
// integration, kubelogin on the deploying machine and an Azure RBAC role assignment
// for the deployer.
type Cluster struct {
	pulumi.ResourceState

	// Kubeconfig is the cluster user's kubeconfig (secret).
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// OIDCIssuerURL is the cluster's OIDC issuer, for workload identity federation.
	OIDCIssuerURL pulumi.StringOutput `pulumi:"oidcIssuerUrl"`
	// StorageClassName names the premium-disk StorageClass.
	StorageClassName string

	// Provider deploys Kubernetes objects into this cluster.
	Provider *kubernetes.Provider
	// ManagedCluster is the cluster with its node pool.
	ManagedCluster *containerservice.ManagedCluster
	// StorageClass is the premium-disk class, for Kubernetes objects to wait for.
	StorageClass *storagev1.StorageClass

	kubernetesDependencies []pulumi.Resource
}

// KubernetesDependencies lists what Kubernetes objects in the cluster must wait for:
// the cluster with its node pool, its rights on the node subnet and the storage class.
func (c *Cluster) KubernetesDependencies() []pulumi.Resource {
	return append(append([]pulumi.Resource(nil), c.kubernetesDependencies...), c.StorageClass)
}

// NetworkContributorRole is the built-in role AKS needs on a subnet it does not own.
const NetworkContributorRole = "4d97b98b-1d4f-4787-a291-c67834d212e7"

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
	cluster, err := containerservice.NewManagedCluster(ctx, name, &containerservice.ManagedClusterArgs{
		ResourceGroupName:    a.ResourceGroupName,
		ResourceName:         pulumi.String(a.Name),
		Location:             pulumi.String(a.Location),
		DnsPrefix:            pulumi.String(dnsPrefix(a.Name)),
		KubernetesVersion:    optional(a.KubernetesVersion),
		Identity:             identity,
		EnableRBAC:           pulumi.Bool(true),
		DisableLocalAccounts: pulumi.Bool(false),
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

	c.Kubeconfig = userKubeconfig(ctx, a.ResourceGroupName, cluster.Name, parent)
	c.Provider, err = pachyderm.NewKubernetesProvider(ctx, name, c.Kubeconfig, parent)
	if err != nil {
		return nil, err
	}
	c.StorageClass, err = premiumStorageClass(ctx, name, a.StorageClassName, parent, pulumi.Provider(c.Provider),
		pulumi.DependsOn([]pulumi.Resource{cluster}))
	if err != nil {
		return nil, err
	}

	if err := c.registerOutputs(ctx); err != nil {
		return nil, err
	}
	return c, nil
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

// optional is nil for "", so the service applies its default.
func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
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
