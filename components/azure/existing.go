package azure

import (
	"fmt"
	"strings"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ExistingClusterArgs are the inputs of NewExistingCluster.
type ExistingClusterArgs struct {
	// ResourceGroupName is the cluster's resource group. Required.
	ResourceGroupName string
	// Name is the running AKS cluster. Required.
	Name string
	// Location is where the stack puts the storage account: refused unless it is the
	// cluster's, so data stays beside the cluster. Default "": not checked.
	Location string
	// Kubeconfig reaches the cluster instead of its user credentials
	// (listManagedClusterUserCredentials). Default nil.
	Kubeconfig pulumi.StringInput
	// StorageClassName names the premium-disk StorageClass added for Pachyderm's
	// volumes. Default DefaultStorageClassName.
	StorageClassName string
}

// NewExistingCluster describes a running AKS cluster with the accessors of Cluster, so
// the bucket, the identity and Pachyderm go onto it as onto one pachdeploy makes. It
// looks the cluster up (a clear error names the group when it is not there), reads its
// user kubeconfig and adds a premium-disk StorageClass. The cluster itself is never
// managed: destroy leaves it as it was.
func NewExistingCluster(ctx *pulumi.Context, name string, args *ExistingClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("azure existing cluster %q: %w", name, rules.ErrNilArgs)
	}
	a := *args
	if a.StorageClassName == "" {
		a.StorageClassName = DefaultStorageClassName
	}
	var p rules.Problems
	p.Add("Name", a.Name, rules.AKSClusterName(a.Name))
	p.Add("ResourceGroupName", a.ResourceGroupName, rules.AzureResourceGroupName(a.ResourceGroupName))
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("azure existing cluster %q: %w", name, err)
	}
	c := &Cluster{StorageClassName: a.StorageClassName}
	if err := ctx.RegisterComponentResource("pachdeploy:azure:ExistingCluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	invoke := []pulumi.InvokeOption{parent}
	if p := c.GetProvider("azure-native::"); p != nil {
		invoke = append(invoke, pulumi.Provider(p))
	}
	aks, err := containerservice.LookupManagedCluster(ctx, &containerservice.LookupManagedClusterArgs{
		ResourceGroupName: a.ResourceGroupName, ResourceName: a.Name,
	}, invoke...)
	if err != nil {
		return nil, fmt.Errorf("existingCluster %q: no such AKS cluster in resource group %s (set resourceGroupName to the "+
			"cluster's group): %w", a.Name, a.ResourceGroupName, err)
	}
	if a.Location != "" && !strings.EqualFold(strings.ReplaceAll(aks.Location, " ", ""), a.Location) {
		return nil, fmt.Errorf("existingCluster %q is in %s, but the stack's location is %s: set location: %s so the "+
			"storage account goes beside the cluster", a.Name, aks.Location, a.Location, strings.ToLower(strings.ReplaceAll(aks.Location, " ", "")))
	}
	kubeconfig := a.Kubeconfig
	if kubeconfig == nil {
		kubeconfig = userKubeconfig(ctx, pulumi.String(a.ResourceGroupName), pulumi.String(aks.Name), parent)
	}
	c.Kubeconfig = pulumi.ToSecret(kubeconfig).(pulumi.StringOutput)
	issuer := ""
	if aks.OidcIssuerProfile != nil {
		issuer = aks.OidcIssuerProfile.IssuerURL
	}
	c.OIDCIssuerURL = pulumi.String(issuer).ToStringOutput()
	c.Provider, err = pachyderm.NewKubernetesProvider(ctx, name, c.Kubeconfig, parent)
	if err != nil {
		return nil, err
	}
	c.StorageClass, err = premiumStorageClass(ctx, name, a.StorageClassName, parent, pulumi.Provider(c.Provider))
	if err != nil {
		return nil, err
	}
	if err := c.registerOutputs(ctx); err != nil {
		return nil, err
	}
	return c, nil
}
