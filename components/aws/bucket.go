package aws

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BucketArgs are the inputs of NewBucket.
type BucketArgs struct {
	// Name is the bucket's globally unique name (rules.S3BucketName). Required: a
	// plain name, so the access policies show it and it survives a replaced stack.
	Name string
	// DeleteDataOnDestroy lets destroy delete the bucket with every object and version
	// in it. Default false: the bucket and its settings are retained on destroy, so
	// Pachyderm's data outlives the stack.
	DeleteDataOnDestroy bool
}

// Bucket is a private, encrypted, versioned S3 bucket for Pachyderm's data: public
// access blocked (CKV_AWS_53-56), SSE-S3 default encryption with a bucket key
// (CKV_AWS_19), versioning (CKV_AWS_21), ACLs disabled, TLS-only access
// (CKV_AWS_379) and incomplete multipart uploads aborted after 7 days (CKV_AWS_300).
type Bucket struct {
	pulumi.ResourceState

	// Name is the bucket's name.
	Name pulumi.StringOutput `pulumi:"name"`
	// Arn is the bucket's ARN.
	Arn pulumi.StringOutput `pulumi:"arn"`

	resources []pulumi.Resource
}

// Resources lists the bucket and its settings, for whatever must wait until the
// bucket is usable. Depend on these rather than on the component: the Go SDK adds a
// component's children asynchronously, so a dependency on the component itself may
// miss some of them.
func (c *Bucket) Resources() []pulumi.Resource { return append([]pulumi.Resource(nil), c.resources...) }

// abortIncompleteUploadsDays bounds how long parts of an unfinished multipart upload
// are kept (and billed).
const abortIncompleteUploadsDays = 7

// NewBucket creates the bucket and its protections.
func NewBucket(ctx *pulumi.Context, name string, args *BucketArgs, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if args == nil {
		return nil, fmt.Errorf("aws bucket %q: %w", name, rules.ErrNilArgs)
	}
	var p rules.Problems
	p.Add("Name", args.Name, rules.S3BucketName(args.Name))
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("aws bucket %q: %w", name, err)
	}
	c := &Bucket{}
	if err := ctx.RegisterComponentResource("pachdeploy:aws:Bucket", name, c, opts...); err != nil {
		return nil, err
	}
	part, err := partitionOf(ctx, c)
	if err != nil {
		return nil, err
	}
	// The bucket's settings are retained with it, so a retained bucket stays private,
	// encrypted and TLS-only after destroy.
	keep := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.RetainOnDelete(!args.DeleteDataOnDestroy)}

	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		Bucket:       pulumi.String(args.Name),
		ForceDestroy: pulumi.Bool(args.DeleteDataOnDestroy),
	}, keep...)
	if err != nil {
		return nil, err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, keep...)
	if err != nil {
		return nil, err
	}
	ownership, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, keep...)
	if err != nil {
		return nil, err
	}
	// SSE-S3 rather than SSE-KMS: pachd then needs no KMS permissions and no key
	// policy to manage; objects are still encrypted at rest (CKV_AWS_19).
	encryption, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{
			&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
				ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
					SseAlgorithm: pulumi.String("AES256"),
				},
				BucketKeyEnabled: pulumi.Bool(true),
			},
		},
	}, keep...)
	if err != nil {
		return nil, err
	}
	versioning, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, keep...)
	if err != nil {
		return nil, err
	}
	lifecycle, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("abort-incomplete-multipart-uploads"),
				Status: pulumi.String("Enabled"),
				Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(abortIncompleteUploadsDays),
				},
			},
		},
	}, append(keep, pulumi.DependsOn([]pulumi.Resource{versioning}))...)
	if err != nil {
		return nil, err
	}
	policy, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: pulumi.String(tlsOnlyBucketPolicy(part.Partition, args.Name).String()),
	}, append(keep, pulumi.DependsOn([]pulumi.Resource{block}))...)
	if err != nil {
		return nil, err
	}

	c.Name = bucket.Bucket
	c.Arn = bucket.Arn
	c.resources = []pulumi.Resource{bucket, block, ownership, encryption, versioning, lifecycle, policy}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"name": c.Name, "arn": c.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}
