package aws

import (
	"fmt"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BucketArgs are the inputs of NewBucket.
type BucketArgs struct {
	// Name is the bucket's globally unique name (rules.S3BucketName). Required: a
	// plain name, so the access policies show it and it survives a replaced stack.
	Name string `pulumi:"name"`
	// DeleteDataOnDestroy lets destroy delete the bucket with every object and version
	// in it. Default false: the bucket and its settings are retained on destroy, so
	// Pachyderm's data outlives the stack.
	DeleteDataOnDestroy bool `pulumi:"deleteDataOnDestroy,optional"`
	// AccessLogBucketName is the bucket that receives the data bucket's server access
	// logs (CKV_AWS_18). Default: Name with "-logs" appended (Name shortened to fit 63
	// characters), a bucket of its own made here, so the audit trail does not depend
	// on a bucket outside the stack.
	AccessLogBucketName string `pulumi:"accessLogBucketName,optional"`
}

// Bucket is a private, encrypted, versioned S3 bucket for Pachyderm's data: public
// access blocked (CKV_AWS_53-56), SSE-KMS default encryption with a customer-managed
// key of its own and the S3 bucket key (CKV_AWS_19, CKV_AWS_145), versioning
// (CKV_AWS_21), ACLs disabled, TLS-only access (CKV_AWS_379), incomplete multipart
// uploads aborted after 7 days (CKV_AWS_300) and server access logs (CKV_AWS_18) kept
// AccessLogRetentionDays in a hardened log bucket. The key and the log bucket are
// retained with the data bucket: objects are unreadable without their key.
type Bucket struct {
	pulumi.ResourceState

	// Name is the bucket's name.
	Name pulumi.StringOutput `pulumi:"name"`
	// Arn is the bucket's ARN.
	Arn pulumi.StringOutput `pulumi:"arn"`
	// KeyArn is the KMS key that encrypts the bucket's objects; whoever reads or
	// writes them needs kms:Decrypt and kms:GenerateDataKey on it (IdentityArgs.BucketKeyArn).
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
	// AccessLogBucketName is the bucket that holds the server access logs.
	AccessLogBucketName pulumi.StringOutput `pulumi:"accessLogBucketName"`

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

// AccessLogRetentionDays is how long server access logs are kept: a year, as for the
// cluster's other logs.
const AccessLogRetentionDays = 365

// accessLogSuffix names the default access-log bucket after the data bucket.
const accessLogSuffix = "-logs"

// accessLogBucketName is the default access-log bucket of the data bucket name: name
// plus accessLogSuffix, with name shortened (and stripped of a trailing '.' or '-')
// so the whole stays within S3's 63 characters.
func accessLogBucketName(name string) string {
	if limit := 63 - len(accessLogSuffix); len(name) > limit {
		name = strings.TrimRight(name[:limit], ".-")
	}
	return name + accessLogSuffix
}

// NewBucket creates the bucket, its key, its access-log bucket and their protections.
func NewBucket(ctx *pulumi.Context, name string, args *BucketArgs, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if args == nil {
		return nil, fmt.Errorf("aws bucket %q: %w", name, rules.ErrNilArgs)
	}
	logName := args.AccessLogBucketName
	if logName == "" {
		logName = accessLogBucketName(args.Name)
	}
	var p rules.Problems
	p.Add("Name", args.Name, rules.S3BucketName(args.Name))
	// The default log bucket's name is valid whenever Name is.
	if args.AccessLogBucketName != "" {
		p.Add("AccessLogBucketName", logName, rules.S3BucketName(logName))
		if logName == args.Name {
			p.Addf("AccessLogBucketName", logName, "must differ from Name: a bucket that logs into itself logs its own logging")
		}
	}
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("aws bucket %q: %w", name, err)
	}
	c := &Bucket{}
	if err := ctx.RegisterComponentResource("pachdeploy:aws:Bucket", name, c, opts...); err != nil {
		return nil, err
	}
	acct, err := accountOf(ctx, c)
	if err != nil {
		return nil, err
	}
	// The bucket's settings, key and logs are retained with it, so a retained bucket
	// stays private, encrypted, readable and TLS-only after destroy.
	keep := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.RetainOnDelete(!args.DeleteDataOnDestroy)}

	key, err := newKey(ctx, name, pulumi.Sprintf("Encryption of Pachyderm's data in S3 bucket %s", args.Name), keyPolicy(acct), keep...)
	if err != nil {
		return nil, err
	}
	data, err := newPrivateBucket(ctx, name, args.Name, args.DeleteDataOnDestroy, keep)
	if err != nil {
		return nil, err
	}
	bucket := data.bucket
	// Pachyderm's S3 client sends no encryption headers: the bucket's default applies
	// to every object, and pachd's identity may use the key (Identity). The S3 bucket
	// key makes one data key per bucket rather than per object: far fewer KMS requests
	// (and their cost and throttling).
	encryption, err := encryptByDefault(ctx, name, bucket, &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: key.Arn,
		},
		BucketKeyEnabled: pulumi.Bool(true),
	}, keep)
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
		Rules:  s3.BucketLifecycleConfigurationV2RuleArray{abortIncompleteUploads()},
	}, append(keep, pulumi.DependsOn([]pulumi.Resource{versioning}))...)
	if err != nil {
		return nil, err
	}
	policy, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: pulumi.String(tlsOnlyBucketPolicy(acct.Partition, args.Name).String()),
	}, append(keep, pulumi.DependsOn([]pulumi.Resource{data.block}))...)
	if err != nil {
		return nil, err
	}
	logs, err := newAccessLogBucket(ctx, name, logName, args, acct, keep)
	if err != nil {
		return nil, err
	}
	logging, err := s3.NewBucketLoggingV2(ctx, name, &s3.BucketLoggingV2Args{
		Bucket:       bucket.ID(),
		TargetBucket: logs.bucket.ID(),
		TargetPrefix: pulumi.String(accessLogPrefix(args.Name)),
	}, append(keep, pulumi.DependsOn(logs.resources))...)
	if err != nil {
		return nil, err
	}

	c.Name = bucket.Bucket
	c.Arn = bucket.Arn
	c.KeyArn = key.Arn
	c.AccessLogBucketName = logs.bucket.Bucket
	c.resources = append([]pulumi.Resource{key}, data.resources()...)
	c.resources = append(c.resources, encryption, versioning, lifecycle, policy, logging)
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name": c.Name, "arn": c.Arn, "keyArn": c.KeyArn, "accessLogBucketName": c.AccessLogBucketName,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// accessLogPrefix is where the logs of bucket go in the log bucket.
func accessLogPrefix(bucket string) string { return bucket + "/" }

// accessLogBucket is the bucket that receives server access logs, with the
// resources that must exist before logs are delivered.
type accessLogBucket struct {
	bucket    *s3.BucketV2
	resources []pulumi.Resource
}

// newAccessLogBucket creates the hardened bucket the data bucket logs into: public
// access blocked, ACLs disabled, TLS only, logs expired after AccessLogRetentionDays.
// It is encrypted with S3-managed keys because S3 cannot deliver access logs into a
// bucket whose default encryption is SSE-KMS; the logs hold request metadata, not
// Pachyderm's data. Only the S3 logging service may write, only the data bucket's
// logs, from this account.
func newAccessLogBucket(ctx *pulumi.Context, name, logName string, args *BucketArgs, acct account,
	keep []pulumi.ResourceOption,
) (*accessLogBucket, error) {
	name += "-access-logs"
	logs, err := newPrivateBucket(ctx, name, logName, args.DeleteDataOnDestroy, keep)
	if err != nil {
		return nil, err
	}
	bucket := logs.bucket
	encryption, err := encryptByDefault(ctx, name, bucket, &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm: pulumi.String("AES256"),
		},
	}, keep)
	if err != nil {
		return nil, err
	}
	lifecycle, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			abortIncompleteUploads(),
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:         pulumi.String("expire-access-logs"),
				Status:     pulumi.String("Enabled"),
				Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
				Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(AccessLogRetentionDays)},
			},
		},
	}, keep...)
	if err != nil {
		return nil, err
	}
	policy, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: pulumi.String(accessLogBucketPolicy(acct, logName, args.Name).String()),
	}, append(keep, pulumi.DependsOn([]pulumi.Resource{logs.block}))...)
	if err != nil {
		return nil, err
	}
	return &accessLogBucket{bucket: bucket, resources: append(logs.resources(), encryption, lifecycle, policy)}, nil
}

// privateBucket is an S3 bucket with every kind of public access blocked
// (CKV_AWS_53-56) and ACLs disabled: the bucket's owner owns every object, and only
// policies grant access.
type privateBucket struct {
	bucket    *s3.BucketV2
	block     *s3.BucketPublicAccessBlock
	ownership *s3.BucketOwnershipControls
}

func (b *privateBucket) resources() []pulumi.Resource {
	return []pulumi.Resource{b.bucket, b.block, b.ownership}
}

// newPrivateBucket creates the bucket bucketName and its protections; forceDestroy
// lets destroy delete it with its objects.
func newPrivateBucket(ctx *pulumi.Context, name, bucketName string, forceDestroy bool, keep []pulumi.ResourceOption) (*privateBucket, error) {
	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		Bucket:       pulumi.String(bucketName),
		ForceDestroy: pulumi.Bool(forceDestroy),
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
	return &privateBucket{bucket: bucket, block: block, ownership: ownership}, nil
}

// encryptByDefault sets the bucket's default encryption to rule.
func encryptByDefault(ctx *pulumi.Context, name string, bucket *s3.BucketV2,
	rule *s3.BucketServerSideEncryptionConfigurationV2RuleArgs, keep []pulumi.ResourceOption,
) (*s3.BucketServerSideEncryptionConfigurationV2, error) {
	return s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{rule},
	}, keep...)
}

// abortIncompleteUploads drops the parts of multipart uploads left unfinished for
// abortIncompleteUploadsDays (CKV_AWS_300).
func abortIncompleteUploads() *s3.BucketLifecycleConfigurationV2RuleArgs {
	return &s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String("abort-incomplete-multipart-uploads"),
		Status: pulumi.String("Enabled"),
		Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
		AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(abortIncompleteUploadsDays),
		},
	}
}
