package azure

import (
	"errors"
	"fmt"
	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Storage is Pachyderm's storage account, its private blob container and the
// account key the chart authenticates with.
type Storage struct {
	pulumi.ResourceState

	// AccountName is the storage account's name.
	AccountName pulumi.StringOutput `pulumi:"accountName"`
	// ContainerName is the blob container's name.
	ContainerName pulumi.StringOutput `pulumi:"containerName"`
	// Key is the account's first access key (secret).
	Key pulumi.StringOutput `pulumi:"key"`

	resources []pulumi.Resource
}

// Resources lists the storage and access resources, for whatever must wait until
// Pachyderm can use its bucket. Depend on these rather than on the component: the Go
// SDK adds a component's children asynchronously, so a dependency on the component
// itself may miss some of them.
func (s *Storage) Resources() []pulumi.Resource {
	return append([]pulumi.Resource(nil), s.resources...)
}

// NewStorage creates a premium block-blob storage account as Pachyderm's docs require,
// hardened (HTTPS only, TLS 1.2, no anonymous access), a private container, and reads
// the account key as a secret.
func NewStorage(ctx *pulumi.Context, name string, args *StorageArgs, opts ...pulumi.ResourceOption) (*Storage, error) {
	if args == nil {
		return nil, fmt.Errorf("azure storage %q: %w", name, rules.ErrNilArgs)
	}
	a := *args
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("azure storage %q: %w", name, err)
	}
	s := &Storage{}
	if err := ctx.RegisterComponentResource("pachdeploy:azure:Storage", name, s, opts...); err != nil {
		return nil, err
	}
	keep := []pulumi.ResourceOption{pulumi.Parent(s), pulumi.RetainOnDelete(!a.DeleteDataOnDestroy)}

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
	keys := native.ListStorageAccountKeysOutput(ctx, native.ListStorageAccountKeysOutputArgs{
		AccountName:       account.Name,
		ResourceGroupName: a.ResourceGroupName,
	}, pulumi.Parent(s))

	s.resources = []pulumi.Resource{account, container}
	s.AccountName = account.Name
	s.ContainerName = container.Name
	s.Key = pulumi.ToSecret(keys.ApplyT(func(r native.ListStorageAccountKeysResult) (string, error) {
		if len(r.Keys) == 0 {
			return "", errors.New("storage account has no access keys")
		}
		return r.Keys[0].Value, nil
	})).(pulumi.StringOutput)

	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"accountName":   s.AccountName,
		"containerName": s.ContainerName,
		"key":           s.Key,
	}); err != nil {
		return nil, err
	}
	return s, nil
}
