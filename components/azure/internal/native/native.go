// Package native holds typed stand-ins for the azure-native SDK modules resources/v2,
// storage/v2, operationalinsights/v2, insights/v2 and dbforpostgresql/v2, which this
// module cannot depend on yet (the module proxy does not serve them). They register the
// same type tokens, pinned to the same provider release as the SDK modules in go.mod
// (2.81.0), so a real `pulumi up` drives the real azure-native plugin. Names and shapes
// mirror the SDK's: replace this package with github.com/pulumi/pulumi-azure-native-sdk/
// {resources,storage,operationalinsights,insights,dbforpostgresql}/v2 when those modules
// are available.

package native

import (
	"errors"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Version is the azure-native release the SDK modules in go.mod are built for (a test
// ties the two).
const Version = "2.81.0"

// nativeOpts pins the provider release ahead of the caller's options, as the SDK does.
func nativeOpts(opts []pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Version(Version)}, opts...)
}

// inputs collects the set (non-nil) arguments into a property map.
func inputs(kv map[string]pulumi.Input) pulumi.Map {
	m := pulumi.Map{}
	for k, v := range kv {
		if v != nil {
			m[k] = v
		}
	}
	return m
}

// ResourceGroup mirrors resources.ResourceGroup.
type ResourceGroup struct {
	pulumi.CustomResourceState

	// Location of the group.
	Location pulumi.StringOutput `pulumi:"location"`
	// Name of the group.
	Name pulumi.StringOutput `pulumi:"name"`
}

// ResourceGroupArgs mirrors resources.ResourceGroupArgs.
type ResourceGroupArgs struct {
	// Location is where the group's metadata lives.
	Location pulumi.StringPtrInput
	// ResourceGroupName is the group's name.
	ResourceGroupName pulumi.StringPtrInput
	// Tags go on the group.
	Tags pulumi.StringMapInput
}

// NewResourceGroup mirrors resources.NewResourceGroup.
func NewResourceGroup(ctx *pulumi.Context, name string, args *ResourceGroupArgs, opts ...pulumi.ResourceOption) (*ResourceGroup, error) {
	if args == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r ResourceGroup
	err := ctx.RegisterResource("azure-native:resources:ResourceGroup", name, inputs(map[string]pulumi.Input{
		"location":          args.Location,
		"resourceGroupName": args.ResourceGroupName,
		"tags":              args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// StorageAccount mirrors storage.StorageAccount.
type StorageAccount struct {
	pulumi.CustomResourceState

	// Name of the account.
	Name pulumi.StringOutput `pulumi:"name"`
}

// SkuArgs mirrors storage.SkuArgs.
type SkuArgs struct {
	// Name is the SKU, such as Premium_LRS.
	Name pulumi.StringInput
}

// StorageAccountArgs mirrors the storage.StorageAccountArgs pachdeploy sets.
type StorageAccountArgs struct {
	// AccountName is the globally unique account name.
	AccountName pulumi.StringPtrInput
	// AllowBlobPublicAccess permits anonymous access to containers that ask for it.
	AllowBlobPublicAccess pulumi.BoolPtrInput
	// AllowSharedKeyAccess permits requests signed with an account key.
	AllowSharedKeyAccess pulumi.BoolPtrInput
	// EnableHttpsTrafficOnly refuses plain HTTP.
	EnableHttpsTrafficOnly pulumi.BoolPtrInput
	// Kind is the account kind, such as BlockBlobStorage.
	Kind pulumi.StringInput
	// Location of the account.
	Location pulumi.StringPtrInput
	// MinimumTlsVersion is the oldest TLS version accepted, such as TLS1_2.
	MinimumTlsVersion pulumi.StringPtrInput
	// NetworkRuleSet limits the networks the account's data plane answers. Default
	// nil: every network.
	NetworkRuleSet *NetworkRuleSetArgs
	// ResourceGroupName holds the account.
	ResourceGroupName pulumi.StringInput
	// Sku is the account's performance and replication tier.
	Sku *SkuArgs
	// Tags go on the account.
	Tags pulumi.StringMapInput
}

// NewStorageAccount mirrors storage.NewStorageAccount.
func NewStorageAccount(ctx *pulumi.Context, name string, args *StorageAccountArgs, opts ...pulumi.ResourceOption) (*StorageAccount, error) {
	if args == nil || args.Kind == nil || args.ResourceGroupName == nil || args.Sku == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r StorageAccount
	err := ctx.RegisterResource("azure-native:storage:StorageAccount", name, inputs(map[string]pulumi.Input{
		"accountName":            args.AccountName,
		"allowBlobPublicAccess":  args.AllowBlobPublicAccess,
		"allowSharedKeyAccess":   args.AllowSharedKeyAccess,
		"enableHttpsTrafficOnly": args.EnableHttpsTrafficOnly,
		"kind":                   args.Kind,
		"location":               args.Location,
		"minimumTlsVersion":      args.MinimumTlsVersion,
		"networkRuleSet":         args.NetworkRuleSet.toMap(),
		"resourceGroupName":      args.ResourceGroupName,
		"sku":                    pulumi.Map{"name": args.Sku.Name},
		"tags":                   args.Tags,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// NetworkRuleSetArgs mirrors the storage.NetworkRuleSetArgs pachdeploy sets.
type NetworkRuleSetArgs struct {
	// Bypass lets trusted traffic past the rules: AzureServices, Logging, Metrics
	// (comma-separated) or None.
	Bypass pulumi.StringPtrInput
	// DefaultAction is Allow or Deny, for requests no rule matches.
	DefaultAction pulumi.StringInput
	// VirtualNetworkRules admit subnets (through their Microsoft.Storage service
	// endpoint).
	VirtualNetworkRules []VirtualNetworkRuleArgs
}

// VirtualNetworkRuleArgs mirrors storage.VirtualNetworkRuleArgs.
type VirtualNetworkRuleArgs struct {
	// VirtualNetworkResourceId is the subnet's resource id.
	VirtualNetworkResourceId pulumi.StringInput
	// Action is Allow.
	Action pulumi.StringPtrInput
}

// toMap is the rule set as the provider takes it; nil for a nil set, so the input
// stays unset.
func (n *NetworkRuleSetArgs) toMap() pulumi.Input {
	if n == nil {
		return nil
	}
	rules := pulumi.Array{}
	for _, r := range n.VirtualNetworkRules {
		rules = append(rules, inputs(map[string]pulumi.Input{
			"virtualNetworkResourceId": r.VirtualNetworkResourceId,
			"action":                   r.Action,
		}))
	}
	return inputs(map[string]pulumi.Input{
		"bypass":              n.Bypass,
		"defaultAction":       n.DefaultAction,
		"virtualNetworkRules": rules,
	})
}

// BlobContainer mirrors storage.BlobContainer.
type BlobContainer struct {
	pulumi.CustomResourceState

	// Name of the container.
	Name pulumi.StringOutput `pulumi:"name"`
}

// BlobContainerArgs mirrors the storage.BlobContainerArgs pachdeploy sets.
type BlobContainerArgs struct {
	// AccountName is the storage account holding the container.
	AccountName pulumi.StringInput
	// ContainerName is the container's name.
	ContainerName pulumi.StringPtrInput
	// PublicAccess is None, Blob or Container.
	PublicAccess pulumi.StringPtrInput
	// ResourceGroupName holds the storage account.
	ResourceGroupName pulumi.StringInput
}

// NewBlobContainer mirrors storage.NewBlobContainer.
func NewBlobContainer(ctx *pulumi.Context, name string, args *BlobContainerArgs, opts ...pulumi.ResourceOption) (*BlobContainer, error) {
	if args == nil || args.AccountName == nil || args.ResourceGroupName == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	var r BlobContainer
	err := ctx.RegisterResource("azure-native:storage:BlobContainer", name, inputs(map[string]pulumi.Input{
		"accountName":       args.AccountName,
		"containerName":     args.ContainerName,
		"publicAccess":      args.PublicAccess,
		"resourceGroupName": args.ResourceGroupName,
	}), &r, nativeOpts(opts)...)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ListStorageAccountKeysOutputArgs mirrors storage.ListStorageAccountKeysOutputArgs.
type ListStorageAccountKeysOutputArgs struct {
	// AccountName is the storage account.
	AccountName pulumi.StringInput
	// ResourceGroupName holds the storage account.
	ResourceGroupName pulumi.StringInput
}

// ListStorageAccountKeysResult mirrors storage.ListStorageAccountKeysResult.
type ListStorageAccountKeysResult struct {
	// Keys are the account's access keys.
	Keys []StorageAccountKeyResponse `pulumi:"keys"`
}

// StorageAccountKeyResponse mirrors storage.StorageAccountKeyResponse.
type StorageAccountKeyResponse struct {
	// KeyName is key1 or key2.
	KeyName string `pulumi:"keyName"`
	// Permissions is Read or Full.
	Permissions string `pulumi:"permissions"`
	// Value is the key itself.
	Value string `pulumi:"value"`
}

// ListStorageAccountKeysResultOutput mirrors storage.ListStorageAccountKeysResultOutput.
type ListStorageAccountKeysResultOutput struct{ *pulumi.OutputState }

// ElementType is the result's Go type.
func (ListStorageAccountKeysResultOutput) ElementType() reflect.Type {
	return reflect.TypeFor[ListStorageAccountKeysResult]()
}

// ListStorageAccountKeysOutput mirrors storage.ListStorageAccountKeysOutput: it
// invokes once both arguments are known.
func ListStorageAccountKeysOutput(ctx *pulumi.Context, args ListStorageAccountKeysOutputArgs, opts ...pulumi.InvokeOption) ListStorageAccountKeysResultOutput {
	options := pulumi.InvokeOutputOptions{InvokeOptions: append([]pulumi.InvokeOption{pulumi.Version(Version)}, opts...)}
	return ctx.InvokeOutput("azure-native:storage:listStorageAccountKeys", pulumi.Map{
		"accountName":       args.AccountName,
		"resourceGroupName": args.ResourceGroupName,
	}, ListStorageAccountKeysResultOutput{}, options).(ListStorageAccountKeysResultOutput)
}
