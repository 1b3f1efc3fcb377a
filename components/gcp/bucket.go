package gcp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NoncurrentVersionDays is how long overwritten or deleted objects stay recoverable.
const NoncurrentVersionDays = 30

// Access logs (CKV_GCP_62): Cloud Storage writes the data bucket's hourly usage logs
// and daily storage logs into a log bucket as the group AccessLogWriter, which needs
// AccessLogWriterRole on it (cloud.google.com/storage/docs/access-logs; Google's own
// Node.js client's Bucket.enableLogging grants exactly that).
const (
	AccessLogWriter     = "group:cloud-storage-analytics@google.com"
	AccessLogWriterRole = "roles/storage.objectCreator"
	// AccessLogRetentionDays is how long access logs are kept: a year, long enough
	// to look back on an incident.
	AccessLogRetentionDays = 365
)

// logSuffix names the log bucket after the data bucket.
const logSuffix = "-logs"

// logBucketName is the log bucket of the data bucket name: name plus logSuffix. A name
// too long for that is cut to fit GCS's 63 characters and keeps a hash of the whole,
// so two long names sharing a prefix (pachdeploy's default names end in a hash) still
// get different log buckets.
func logBucketName(name string) string {
	if len(name)+len(logSuffix) <= 63 {
		return name + logSuffix
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:63-len(logSuffix)-7], "-_") + "-" + hex.EncodeToString(sum[:])[:6] + logSuffix
}

// BucketArgs are the inputs of NewBucket.
type BucketArgs struct {
	// Name is the GCS bucket, created with this exact name. Required.
	Name string `pulumi:"name"`
	// Location is the bucket's location, such as US-CENTRAL1. Required: keep it in
	// the cluster's region so data never crosses regions.
	Location string `pulumi:"location"`
	// DeleteDataOnDestroy lets destroy delete the bucket with its objects. Default
	// false: the bucket outlives the stack and keeps Pachyderm's data.
	DeleteDataOnDestroy bool `pulumi:"deleteDataOnDestroy,optional"`
	// Labels go on the bucket. Default none.
	Labels map[string]string `pulumi:"labels,optional"`
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

// Bucket is Pachyderm's private, versioned GCS bucket, with access logging into a
// log bucket of its own.
type Bucket struct {
	pulumi.ResourceState

	// Name is the bucket's name.
	Name pulumi.StringOutput `pulumi:"name"`

	resources []pulumi.Resource
}

// Resources lists the data bucket, for whatever must wait until Pachyderm can use it.
// Depend on these rather than on the component: the Go SDK adds a component's children
// asynchronously, so a dependency on the component itself may miss some of them.
func (b *Bucket) Resources() []pulumi.Resource { return append([]pulumi.Resource(nil), b.resources...) }

// NewBucket creates the bucket: uniform bucket-level access, public access prevented,
// versioned with noncurrent versions expiring, its usage and storage logs written to a
// log bucket (the name plus "-logs") hardened the same way, whose logs expire after
// AccessLogRetentionDays. Both buckets are kept on destroy unless DeleteDataOnDestroy.
// The component answers to its former type pachdeploy:gcp:Storage, so stacks made
// before the split keep their bucket.
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
	// The log bucket and its writer are kept with the data bucket: a retained bucket
	// still logs into them after destroy.
	keep := []pulumi.ResourceOption{pulumi.Parent(b), pulumi.RetainOnDelete(!a.DeleteDataOnDestroy)}
	logName := logBucketName(a.Name)
	logs, err := storage.NewBucket(ctx, name+"-logs", &storage.BucketArgs{
		Name:                     pulumi.String(logName),
		Location:                 pulumi.String(a.Location),
		UniformBucketLevelAccess: pulumi.Bool(true),
		PublicAccessPrevention:   pulumi.String("enforced"),
		// A deleted or overwritten log stays recoverable for NoncurrentVersionDays, so
		// the trail cannot be erased quietly.
		Versioning: &storage.BucketVersioningArgs{Enabled: pulumi.Bool(true)},
		LifecycleRules: storage.BucketLifecycleRuleArray{
			&storage.BucketLifecycleRuleArgs{
				Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
				Condition: &storage.BucketLifecycleRuleConditionArgs{Age: pulumi.Int(AccessLogRetentionDays)},
			},
			&storage.BucketLifecycleRuleArgs{
				Action:    &storage.BucketLifecycleRuleActionArgs{Type: pulumi.String("Delete")},
				Condition: &storage.BucketLifecycleRuleConditionArgs{DaysSinceNoncurrentTime: pulumi.Int(NoncurrentVersionDays)},
			},
		},
		// No logging of its own: logging the log bucket would log every log delivery.
		ForceDestroy: pulumi.Bool(a.DeleteDataOnDestroy),
		Labels:       pulumi.ToStringMap(a.Labels),
	}, keep...)
	if err != nil {
		return nil, err
	}
	writer, err := storage.NewBucketIAMMember(ctx, name+"-log-writer", &storage.BucketIAMMemberArgs{
		Bucket: logs.Name,
		Role:   pulumi.String(AccessLogWriterRole),
		Member: pulumi.String(AccessLogWriter),
	}, keep...)
	if err != nil {
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
		// The log bucket's name, known before it exists, so a preview's policy check
		// sees where the logs go; the dependency waits for the bucket and its writer.
		Logging:      &storage.BucketLoggingArgs{LogBucket: pulumi.String(logName)},
		ForceDestroy: pulumi.Bool(a.DeleteDataOnDestroy),
		Labels:       pulumi.ToStringMap(a.Labels),
	}, append(keep, pulumi.DependsOn([]pulumi.Resource{logs, writer}))...)
	if err != nil {
		return nil, err
	}
	b.Name = bucket.Name
	b.resources = []pulumi.Resource{bucket}
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{"name": b.Name, "logBucket": logs.Name}); err != nil {
		return nil, err
	}
	return b, nil
}

// storageType is the type of the component that held the bucket and the identity
// before they were split.
const storageType = "pachdeploy:gcp:Storage"
