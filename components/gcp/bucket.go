package gcp

import (
	"fmt"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NoncurrentVersionDays is how long overwritten or deleted objects stay recoverable.
const NoncurrentVersionDays = 30

// BucketArgs are the inputs of NewBucket.
type BucketArgs struct {
	// Name is the GCS bucket, created with this exact name. Required.
	Name string
	// Location is the bucket's location, such as US-CENTRAL1. Required: keep it in
	// the cluster's region so data never crosses regions.
	Location string
	// DeleteDataOnDestroy lets destroy delete the bucket with its objects. Default
	// false: the bucket outlives the stack and keeps Pachyderm's data.
	DeleteDataOnDestroy bool
	// Labels go on the bucket. Default none.
	Labels map[string]string
}

func (a BucketArgs) validate() error {
	var p rules.Problems
	p.Add("Name", a.Name, rules.GCSBucketName(a.Name))
	if strings.TrimSpace(a.Location) == "" {
		p.Addf("Location", a.Location, "is required: a GCS location such as US-CENTRAL1")
	}
	p = append(p, rules.GCPLabels("Labels", a.Labels)...)
	return p.Err()
}

// Bucket is Pachyderm's private, versioned GCS bucket.
type Bucket struct {
	pulumi.ResourceState

	// Name is the bucket's name.
	Name pulumi.StringOutput `pulumi:"name"`

	resources []pulumi.Resource
}

// Resources lists the bucket, for whatever must wait until Pachyderm can use it.
// Depend on these rather than on the component: the Go SDK adds a component's children
// asynchronously, so a dependency on the component itself may miss some of them.
func (b *Bucket) Resources() []pulumi.Resource { return append([]pulumi.Resource(nil), b.resources...) }

// NewBucket creates the bucket: uniform bucket-level access, public access prevented,
// versioned with noncurrent versions expiring, kept on destroy unless
// DeleteDataOnDestroy. The component answers to its former type pachdeploy:gcp:Storage,
// so stacks made before the split keep their bucket.
func NewBucket(ctx *pulumi.Context, name string, args *BucketArgs, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if args == nil {
		return nil, fmt.Errorf("gcp bucket %q: %w", name, rules.ErrNilArgs)
	}
	a := *args
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("gcp bucket %q: %w", name, err)
	}
	b := &Bucket{}
	opts = append(opts, pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String(storageType)}}))
	if err := ctx.RegisterComponentResource("pachdeploy:gcp:Bucket", name, b, opts...); err != nil {
		return nil, err
	}
	bucket, err := storage.NewBucket(ctx, name, &storage.BucketArgs{
		Name:                     pulumi.String(a.Name),
		Location:                 pulumi.String(a.Location),
		UniformBucketLevelAccess: pulumi.Bool(true),
		PublicAccessPrevention:   pulumi.String("enforced"),
		Versioning:               &storage.BucketVersioningArgs{Enabled: pulumi.Bool(true)},
		LifecycleRules: storage.BucketLifecycleRuleArray{&storage.BucketLifecycleRuleArgs{
			Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
			Condition: &storage.BucketLifecycleRuleConditionArgs{DaysSinceNoncurrentTime: pulumi.Int(NoncurrentVersionDays)},
		}},
		ForceDestroy: pulumi.Bool(a.DeleteDataOnDestroy),
		Labels:       pulumi.ToStringMap(a.Labels),
	}, pulumi.Parent(b), pulumi.RetainOnDelete(!a.DeleteDataOnDestroy))
	if err != nil {
		return nil, err
	}
	b.Name = bucket.Name
	b.resources = []pulumi.Resource{bucket}
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{"name": b.Name}); err != nil {
		return nil, err
	}
	return b, nil
}

// storageType is the type of the component that held the bucket and the identity
// before they were split.
const storageType = "pachdeploy:gcp:Storage"
