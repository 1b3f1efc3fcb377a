package aws

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ExistingStorageClassName is the encrypted gp3 class pachdeploy adds to a cluster it
// did not make: named apart from a gp3 class the cluster may have already.
const ExistingStorageClassName = "pachyderm-gp3"

// oidcOwnerTag marks an IAM OIDC provider pachdeploy made for an existing cluster, so
// later runs keep managing it rather than mistaking it for the cluster's own.
const oidcOwnerTag = "pachdeploy:oidc-for"

// ExistingClusterArgs are the inputs of NewExistingCluster.
type ExistingClusterArgs struct {
	// Name is the running EKS cluster. Required.
	Name string
	// Region is the cluster's region, for the kubeconfig's token command. Required.
	Region string
	// Kubeconfig reaches the cluster instead of `aws eks get-token` with the deployer's
	// credentials. Default nil.
	Kubeconfig pulumi.StringInput
}

// NewExistingCluster describes a running EKS cluster with the accessors of Cluster, so
// the bucket, the identity and Pachyderm go onto it as onto one pachdeploy makes. It
// looks the cluster up (its OIDC issuer, endpoint and certificate), creates the IAM OIDC
// provider IRSA needs only when the cluster has none, refuses a cluster without the EBS
// CSI driver add-on (Pachyderm's volumes need it), and adds an encrypted gp3
// StorageClass. The cluster itself is never managed: destroy leaves it as it was.
func NewExistingCluster(ctx *pulumi.Context, name string, args *ExistingClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		return nil, fmt.Errorf("aws existing cluster %q: %w", name, rules.ErrNilArgs)
	}
	a := *args
	var p rules.Problems
	p.Add("Name", a.Name, rules.EKSClusterName(a.Name))
	p.Add("Region", a.Region, rules.AWSRegion(a.Region))
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("aws existing cluster %q: %w", name, err)
	}
	c := &Cluster{StorageClassName: ExistingStorageClassName}
	if err := ctx.RegisterComponentResource("pachdeploy:aws:ExistingCluster", name, c, opts...); err != nil {
		return nil, err
	}
	in := pulumi.Parent(c)
	invoke := []pulumi.InvokeOption{pulumi.Parent(c)}
	if p := c.GetProvider("aws::"); p != nil {
		invoke = append(invoke, pulumi.Provider(p))
	}

	eks, err := awseks.LookupCluster(ctx, &awseks.LookupClusterArgs{Name: a.Name}, invoke...)
	if err != nil {
		return nil, fmt.Errorf("existingCluster %q: no such EKS cluster in %s (or no permission to describe it): %w", a.Name, a.Region, err)
	}
	if len(eks.Identities) == 0 || len(eks.Identities[0].Oidcs) == 0 || len(eks.CertificateAuthorities) == 0 {
		return nil, fmt.Errorf("existingCluster %q: EKS reports no OIDC issuer or certificate: is the cluster still being created?", a.Name)
	}
	if _, err := awseks.LookupAddon(ctx, &awseks.LookupAddonArgs{ClusterName: a.Name, AddonName: ebsCSIAddon}, invoke...); err != nil {
		return nil, fmt.Errorf("existingCluster %q has no EBS CSI driver add-on, which Pachyderm's volumes need: add it "+
			"(`aws eks create-addon --cluster-name %s --addon-name %s --service-account-role-arn ROLE`, with a role "+
			"holding AmazonEBSCSIDriverPolicy) and run again: %w", a.Name, a.Name, ebsCSIAddon, err)
	}
	issuerURL := eks.Identities[0].Oidcs[0].Issuer
	issuer := strings.TrimPrefix(issuerURL, "https://")

	// IRSA needs an IAM OIDC provider for the issuer. Use the account's if it has one;
	// make one (tagged, so later runs know it is ours) only if it has none.
	providerArn := pulumi.String("").ToStringOutput()
	found, err := iam.LookupOpenIdConnectProvider(ctx, &iam.LookupOpenIdConnectProviderArgs{Url: &issuerURL}, invoke...)
	switch {
	case err == nil && found.Tags[oidcOwnerTag] != a.Name:
		providerArn = pulumi.String(found.Arn).ToStringOutput()
	case err == nil || notFound(err):
		oidc, err := iam.NewOpenIdConnectProvider(ctx, name+"-oidc", &iam.OpenIdConnectProviderArgs{
			Url:           pulumi.String(issuerURL),
			ClientIdLists: pulumi.StringArray{pulumi.String(irsaAudience)},
			Tags:          pulumi.StringMap{oidcOwnerTag: pulumi.String(a.Name)},
		}, in)
		if err != nil {
			return nil, err
		}
		providerArn = oidc.Arn
	default:
		return nil, fmt.Errorf("existingCluster %q: looking up the IAM OIDC provider of %s: %w", a.Name, issuerURL, err)
	}

	kubeconfig := a.Kubeconfig
	if kubeconfig == nil {
		kubeconfig = pulumi.String(eksKubeconfig(a.Name, a.Region, eks.Endpoint, eks.CertificateAuthorities[0].Data))
	}
	provider, err := pachyderm.NewKubernetesProvider(ctx, name, kubeconfig, in)
	if err != nil {
		return nil, err
	}
	class, err := storagev1.NewStorageClass(ctx, name+"-gp3", &storagev1.StorageClassArgs{
		Metadata:             &metav1.ObjectMetaArgs{Name: pulumi.String(ExistingStorageClassName)},
		Provisioner:          pulumi.String(ebsCSIProvisioner),
		Parameters:           pulumi.StringMap{"type": pulumi.String("gp3"), "encrypted": pulumi.String("true")},
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
		ReclaimPolicy:        pulumi.String("Delete"),
	}, in, pulumi.Provider(provider))
	if err != nil {
		return nil, err
	}

	c.Kubeconfig = pulumi.ToSecret(kubeconfig).(pulumi.StringOutput)
	c.OIDCProviderArn = providerArn
	c.OIDCProviderURL = pulumi.String(issuer).ToStringOutput()
	c.NodeRoleName = pulumi.String("").ToStringOutput()
	c.Provider = provider
	c.kubernetesDependencies = []pulumi.Resource{class}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"kubeconfig":      c.Kubeconfig,
		"oidcProviderArn": c.OIDCProviderArn,
		"oidcProviderUrl": c.OIDCProviderURL,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

var notFoundError = regexp.MustCompile(`(?i)not found|NoSuchEntity|no matching|couldn't find|did not find`)

// notFound reports whether a lookup failed because nothing matched.
func notFound(err error) bool { return notFoundError.MatchString(err.Error()) }

// eksKubeconfig is a kubeconfig for an EKS cluster whose user gets short-lived tokens
// from `aws eks get-token` with the deployer's AWS credentials: no static secret.
func eksKubeconfig(name, region, endpoint, caData string) string {
	return pachyderm.ExecKubeconfig(name, endpoint, caData, pachyderm.Exec{Command: "aws",
		Args: []string{"eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"}})
}
