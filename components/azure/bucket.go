package azure

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Bucket is Pachyderm's storage account and its private blob container: Azure's
// bucket.
type Bucket struct {
	pulumi.ResourceState

	// AccountName is the storage account's name.
	AccountName pulumi.StringOutput `pulumi:"accountName"`
	// ContainerName is the blob container's name.
	ContainerName pulumi.StringOutput `pulumi:"containerName"`

	resources []pulumi.Resource
}

// Resources lists the account and the container, for whatever must wait until
// Pachyderm can use its bucket. Depend on these rather than on the component: the Go
// SDK adds a component's children asynchronously, so a dependency on the component
// itself may miss some of them.
func (b *Bucket) Resources() []pulumi.Resource {
	return append([]pulumi.Resource(nil), b.resources...)
}

// NewBucket creates a premium block-blob storage account as Pachyderm's docs require,
// hardened (HTTPS only, TLS 1.2, no anonymous access, and with AllowedSubnetID only that
// subnet's traffic), and a private container. Both
// are kept on destroy unless DeleteDataOnDestroy. The component answers to its former
// type pachdeploy:azure:Storage, so stacks made before the split keep their account.
func NewBucket(ctx *pulumi.Context, name string, args *BucketArgs, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if args == nil {
		return nil, fmt.Errorf("azure bucket %q: %w", name, rules.ErrNilArgs)
	}
	a := *args
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("azure bucket %q: %w", name, err)
	}
	b := &Bucket{}
	opts = append(opts, pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("pachdeploy:azure:Storage")}}))
	if err := ctx.RegisterComponentResource("pachdeploy:azure:Bucket", name, b, opts...); err != nil {
		return nil, err
	}
	keep := []pulumi.ResourceOption{pulumi.Parent(b), pulumi.RetainOnDelete(!a.DeleteDataOnDestroy)}

	account, err := native.NewStorageAccount(ctx, name, &native.StorageAccountArgs{
		AccountName:            pulumi.String(a.AccountName),
		ResourceGroupName:      a.ResourceGroupName,
		Location:               pulumi.String(a.Location),
		Kind:                   pulumi.String("BlockBlobStorage"),
		Sku:                    &native.SkuArgs{Name: pulumi.String("Premium_LRS")},
		EnableHttpsTrafficOnly: pulumi.Bool(true),
		MinimumTlsVersion:      pulumi.String("TLS1_2"),
		AllowBlobPublicAccess:  pulumi.Bool(false),
		// The chart has no keyless Azure mode: it signs requests with the account key.
		AllowSharedKeyAccess: pulumi.Bool(true),
		NetworkRuleSet:       networkRules(a.AllowedSubnetID),
		Tags:                 pulumi.ToStringMap(a.Tags),
	}, keep...)
	if err != nil {
		return nil, err
	}
	container, err := native.NewBlobContainer(ctx, name, &native.BlobContainerArgs{
		AccountName:       account.Name,
		ResourceGroupName: a.ResourceGroupName,
		ContainerName:     pulumi.String(a.ContainerName),
		PublicAccess:      pulumi.String("None"),
	}, keep...)
	if err != nil {
		return nil, err
	}
	b.resources = []pulumi.Resource{account, container}
	b.AccountName = account.Name
	b.ContainerName = container.Name
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{
		"accountName":   b.AccountName,
		"containerName": b.ContainerName,
	}); err != nil {
		return nil, err
	}
	return b, nil
}

// networkRules denies every network but subnet (CKV_AZURE_35) and lets trusted Azure
// services through (CKV_AZURE_36); nil without a subnet, so the account stays open.
func networkRules(subnet pulumi.StringInput) *native.NetworkRuleSetArgs {
	if subnet == nil {
		return nil
	}
	return &native.NetworkRuleSetArgs{
		DefaultAction: pulumi.String("Deny"),
		Bypass:        pulumi.String("AzureServices"),
		VirtualNetworkRules: []native.VirtualNetworkRuleArgs{{
			VirtualNetworkResourceId: subnet,
			Action:                   pulumi.String("Allow"),
		}},
	}
}
