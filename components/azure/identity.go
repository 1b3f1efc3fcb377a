package azure

import (
	"errors"
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/azure/internal/native"
	"github.com/pachdeploy/pachdeploy/components/azure/settings"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// IdentityStorageKey is the only identity mode on Azure (see components/azure/settings).
const IdentityStorageKey = settings.IdentityStorageKey

// IdentityArgs are the inputs of NewIdentity.
type IdentityArgs struct {
	// Mode is how Pachyderm reaches its bucket. Default and only value
	// IdentityStorageKey: chart 2.11.6 has no keyless Azure mode.
	Mode string `pulumi:"mode,optional"`
	// ResourceGroupName holds the storage account. Required.
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	// AccountName is the storage account (Bucket.AccountName, so the key is read once
	// the account exists). Required.
	AccountName pulumi.StringInput `pulumi:"accountName"`
}

// Identity is how Pachyderm reaches its bucket on Azure: the storage account's key,
// read as a secret, since the chart signs requests with it.
type Identity struct {
	pulumi.ResourceState

	// Annotations go on both Pachyderm service accounts: none on Azure (the chart
	// has no workload identity mode for Azure storage).
	Annotations pulumi.StringMapOutput `pulumi:"annotations"`
	// Key is the account's first access key (secret).
	Key pulumi.StringOutput `pulumi:"key"`
}

func (a IdentityArgs) validate() error {
	var p rules.Problems
	if a.Mode != IdentityStorageKey {
		p.Addf("Mode", a.Mode, "must be %s: the chart has no keyless Azure mode", IdentityStorageKey)
	}
	if a.ResourceGroupName == nil {
		p.Addf("ResourceGroupName", "", "is required")
	}
	if a.AccountName == nil {
		p.Addf("AccountName", "", "is required: the Bucket's AccountName")
	}
	return p.Err()
}

// NewIdentity reads the storage account's key as a secret.
func NewIdentity(ctx *pulumi.Context, name string, args *IdentityArgs, opts ...pulumi.ResourceOption) (*Identity, error) {
	if args == nil {
		return nil, fmt.Errorf("azure identity %q: %w", name, rules.ErrNilArgs)
	}
	a := *args
	if a.Mode == "" {
		a.Mode = IdentityStorageKey
	}
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("azure identity %q: %w", name, err)
	}
	i := &Identity{}
	if err := ctx.RegisterComponentResource("pachdeploy:azure:Identity", name, i, opts...); err != nil {
		return nil, err
	}
	// Set after registering: registration replaces the component's output fields.
	i.Annotations = pulumi.StringMap{}.ToStringMapOutput()
	keys := native.ListStorageAccountKeysOutput(ctx, native.ListStorageAccountKeysOutputArgs{
		AccountName:       a.AccountName,
		ResourceGroupName: a.ResourceGroupName,
	}, pulumi.Parent(i))
	i.Key = pulumi.ToSecret(keys.ApplyT(func(r native.ListStorageAccountKeysResult) (string, error) {
		if len(r.Keys) == 0 {
			return "", errors.New("storage account has no access keys")
		}
		return r.Keys[0].Value, nil
	})).(pulumi.StringOutput)
	if err := ctx.RegisterResourceOutputs(i, pulumi.Map{"annotations": i.Annotations, "key": i.Key}); err != nil {
		return nil, err
	}
	return i, nil
}
