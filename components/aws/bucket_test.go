package aws

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const testBucket = "pachdeploy-test-data"

func runBucket(t *testing.T, args *BucketArgs) *offline.Cloud {
	t.Helper()
	return run(t, func(ctx *pulumi.Context, withAWS pulumi.ResourceOption) error {
		_, err := NewBucket(ctx, "data", args, withAWS)
		return err
	})
}

const testLogBucket = testBucket + "-logs"

// bucketParts names the data bucket's resources and the log bucket's, as NewBucket
// "data" registers them.
var bucketParts = []struct{ resource, bucket string }{{"data", testBucket}, {"data-access-logs", testLogBucket}}

func TestBucket_CKV_AWS_53_to_56_PublicAccessBlocked(t *testing.T) {
	cloud := runBucket(t, &BucketArgs{Name: testBucket})
	for _, part := range bucketParts {
		block := mocktest.Named(t, cloud, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", part.resource)
		for _, tc := range []struct{ rule, flag string }{
			{"CKV_AWS_53", "blockPublicAcls"},
			{"CKV_AWS_54", "blockPublicPolicy"},
			{"CKV_AWS_55", "ignorePublicAcls"},
			{"CKV_AWS_56", "restrictPublicBuckets"},
		} {
			t.Run(part.bucket+"/"+tc.rule, func(t *testing.T) {
				if v := mocktest.Value(t, block.Inputs, tc.flag); !v.IsBool() || !v.BoolValue() {
					t.Errorf("%s = %v, want true", tc.flag, v)
				}
			})
		}
		if got := mocktest.String(t, block.Inputs, "bucket"); got != part.bucket {
			t.Errorf("public access block is on bucket %q, want %q", got, part.bucket)
		}
	}
}

func TestBucket_CKV_AWS_19_CKV_AWS_145_EncryptedWithItsOwnKey(t *testing.T) {
	cloud := runBucket(t, &BucketArgs{Name: testBucket})
	key := mocktest.Named(t, cloud, "aws:kms/key:Key", "data")
	rule := onlyRule(t, mocktest.Named(t, cloud, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "data"))
	if got := mocktest.String(t, rule, "applyServerSideEncryptionByDefault.sseAlgorithm"); got != "aws:kms" {
		t.Errorf("sseAlgorithm = %q, want aws:kms", got)
	}
	if got, want := mocktest.String(t, rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId"), mocktest.String(t, key.Outputs, "arn"); got != want || want == "" {
		t.Errorf("kmsMasterKeyId = %q, want the bucket's own key %q", got, want)
	}
	if v := mocktest.Value(t, rule, "bucketKeyEnabled"); !v.IsBool() || !v.BoolValue() {
		t.Errorf("bucketKeyEnabled = %v, want true", v)
	}
	if !mocktest.Bool(t, key.Inputs, "enableKeyRotation") {
		t.Error("the bucket's key does not rotate (CKV_AWS_7)")
	}
	if v := mocktest.Value(t, key.Inputs, "deletionWindowInDays"); v.NumberValue() != KeyDeletionWindowDays {
		t.Errorf("deletionWindowInDays = %v, want %d", v, KeyDeletionWindowDays)
	}
}

// TestBucket_CKV2_AWS_64_KeyPolicyLeavesUseToIAM: the key's explicit policy only lets
// the account administer it through IAM; no service, no other account.
func TestBucket_CKV2_AWS_64_KeyPolicyLeavesUseToIAM(t *testing.T) {
	key := mocktest.Named(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:kms/key:Key", "data")
	doc := parsePolicy(t, mocktest.Value(t, key.Inputs, "policy"))
	if len(doc.Statement) != 1 {
		t.Fatalf("want the one account statement, got %+v", doc.Statement)
	}
	s := doc.Statement[0]
	want := map[string]any{"AWS": "arn:aws:iam::" + standInAccountID + ":root"}
	if s.Effect != "Allow" || !reflect.DeepEqual(s.Principal, want) {
		t.Errorf("statement %+v, want Allow to %v", s, want)
	}
}

// TestBucket_CKV_AWS_18_AccessLogsToAHardenedLogBucket: the data bucket logs into a
// bucket of its own that is private, TLS-only, SSE-S3 (the only encryption S3 log
// delivery accepts), expires logs, and lets only S3's logging service write the data
// bucket's logs.
func TestBucket_CKV_AWS_18_AccessLogsToAHardenedLogBucket(t *testing.T) {
	cloud := runBucket(t, &BucketArgs{Name: testBucket})
	logging := mocktest.One(t, cloud, "aws:s3/bucketLoggingV2:BucketLoggingV2")
	if got := mocktest.MustString(t, logging, "bucket"); got != testBucket {
		t.Errorf("logging configured on %q, want %q", got, testBucket)
	}
	if got := mocktest.MustString(t, logging, "targetBucket"); got != testLogBucket {
		t.Errorf("logs go to %q, want %q", got, testLogBucket)
	}
	if got := mocktest.MustString(t, logging, "targetPrefix"); got != testBucket+"/" {
		t.Errorf("targetPrefix = %q, want %q", got, testBucket+"/")
	}
	logPolicy := mocktest.Named(t, cloud, "aws:s3/bucketPolicy:BucketPolicy", "data-access-logs")
	if !mocktest.DependsOn(logging, logPolicy.URN) {
		t.Error("logging is configured before the log bucket lets S3 write")
	}

	rule := onlyRule(t, mocktest.Named(t, cloud, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "data-access-logs"))
	if got := mocktest.String(t, rule, "applyServerSideEncryptionByDefault.sseAlgorithm"); got != "AES256" {
		t.Errorf("log bucket sseAlgorithm = %q, want AES256", got)
	}
	if got := mocktest.MustString(t, mocktest.Named(t, cloud, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "data-access-logs"),
		"rule.objectOwnership"); got != "BucketOwnerEnforced" {
		t.Errorf("log bucket objectOwnership = %q, want BucketOwnerEnforced", got)
	}
	lifecycle := mocktest.MustInput(t, mocktest.Named(t, cloud, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "data-access-logs"), "rules")
	var expires bool
	for _, r := range lifecycle.ArrayValue() {
		if v, ok := mocktest.Get(t, r.ObjectValue(), "expiration.days"); ok && v.NumberValue() == AccessLogRetentionDays {
			expires = true
		}
	}
	if !expires {
		t.Errorf("log bucket lifecycle %v does not expire logs after %d days", lifecycle, AccessLogRetentionDays)
	}

	doc := parsePolicy(t, mocktest.MustInput(t, logPolicy, "policy"))
	if len(doc.Statement) != 2 || doc.Statement[0].Sid != "DenyInsecureTransport" {
		t.Fatalf("log bucket policy %+v, want TLS-only plus log delivery", doc.Statement)
	}
	s := doc.Statement[1]
	if !reflect.DeepEqual(s.Principal, map[string]any{"Service": "logging.s3.amazonaws.com"}) ||
		!slices.Equal(s.Action, []string{"s3:PutObject"}) ||
		!slices.Equal(s.Resource, []string{"arn:aws:s3:::" + testLogBucket + "/" + testBucket + "/*"}) {
		t.Errorf("log delivery statement %+v, want s3:PutObject by logging.s3.amazonaws.com under the data bucket's prefix", s)
	}
	if s.Condition["ArnLike"]["aws:SourceArn"] != "arn:aws:s3:::"+testBucket || s.Condition["StringEquals"]["aws:SourceAccount"] != standInAccountID {
		t.Errorf("log delivery conditions %v, want the data bucket in this account only", s.Condition)
	}
}

func TestBucket_AccessLogBucketName(t *testing.T) {
	long := strings.Repeat("a", 57) + "-bc"
	for _, tc := range []struct{ name, logs, want string }{
		{testBucket, "", testLogBucket},
		{long, "", strings.Repeat("a", 57) + "-logs"}, // 60 characters: shortened to 58, the dangling "-" trimmed
		{testBucket, "central-access-logs", "central-access-logs"},
	} {
		cloud := runBucket(t, &BucketArgs{Name: tc.name, AccessLogBucketName: tc.logs})
		if got := mocktest.MustString(t, mocktest.Named(t, cloud, "aws:s3/bucketV2:BucketV2", "data-access-logs"), "bucket"); got != tc.want || len(got) > 63 {
			t.Errorf("%s: log bucket %q, want %q (at most 63 characters)", tc.name, got, tc.want)
		}
	}
}

func TestBucket_CKV_AWS_21_Versioned(t *testing.T) {
	v := mocktest.One(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketVersioningV2:BucketVersioningV2")
	if got := mocktest.String(t, v.Inputs, "versioningConfiguration.status"); got != "Enabled" {
		t.Errorf("versioning status = %q, want Enabled", got)
	}
}

func TestBucket_CKV_AWS_379_TLSOnly(t *testing.T) {
	cloud := runBucket(t, &BucketArgs{Name: testBucket})
	for _, part := range bucketParts {
		policy := parsePolicy(t, mocktest.Value(t, mocktest.Named(t, cloud, "aws:s3/bucketPolicy:BucketPolicy", part.resource).Inputs, "policy"))
		s := policy.Statement[0]
		if s.Effect != "Deny" || s.Principal != "*" || !slices.Equal(s.Action, []string{"s3:*"}) {
			t.Errorf("%s: statement = %+v, want Deny of s3:* to everyone", part.bucket, s)
		}
		want := []string{"arn:aws:s3:::" + part.bucket, "arn:aws:s3:::" + part.bucket + "/*"}
		if !slices.Equal(s.Resource, want) {
			t.Errorf("%s: resources = %v, want %v", part.bucket, s.Resource, want)
		}
		if got := s.Condition["Bool"]["aws:SecureTransport"]; got != "false" {
			t.Errorf(`%s: condition Bool aws:SecureTransport = %v, want "false"`, part.bucket, got)
		}
	}
}

func TestBucket_CKV_AWS_300_AbortsIncompleteUploads(t *testing.T) {
	cloud := runBucket(t, &BucketArgs{Name: testBucket})
	for _, part := range bucketParts {
		rules := mocktest.Value(t, mocktest.Named(t, cloud, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", part.resource).Inputs, "rules")
		rule := rules.ArrayValue()[0].ObjectValue()
		if mocktest.String(t, rule, "status") != "Enabled" {
			t.Errorf("%s: rule status = %q, want Enabled", part.bucket, mocktest.String(t, rule, "status"))
		}
		days := mocktest.Value(t, rule, "abortIncompleteMultipartUpload.daysAfterInitiation")
		if !days.IsNumber() || days.NumberValue() != abortIncompleteUploadsDays {
			t.Errorf("%s: daysAfterInitiation = %v, want %d", part.bucket, days, abortIncompleteUploadsDays)
		}
	}
}

func TestBucket_ACLsDisabled(t *testing.T) {
	oc := mocktest.Named(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "data")
	if got := mocktest.String(t, oc.Inputs, "rule.objectOwnership"); got != "BucketOwnerEnforced" {
		t.Errorf("objectOwnership = %q, want BucketOwnerEnforced", got)
	}
}

// TestBucket_RetainedUnlessDeleteDataOnDestroy: the bucket, its settings, its key (the
// data is unreadable without it) and its access logs are kept on destroy.
func TestBucket_RetainedUnlessDeleteDataOnDestroy(t *testing.T) {
	for _, tc := range []struct {
		name         string
		deleteData   bool
		wantRetained bool
	}{
		{"default keeps data", false, true},
		{"deleteDataOnDestroy", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud := runBucket(t, &BucketArgs{Name: testBucket, DeleteDataOnDestroy: tc.deleteData})
			for _, part := range bucketParts {
				bucket := mocktest.Named(t, cloud, "aws:s3/bucketV2:BucketV2", part.resource)
				if got := mocktest.String(t, bucket.Inputs, "bucket"); got != part.bucket {
					t.Errorf("bucket name = %q, want %q", got, part.bucket)
				}
				if v := mocktest.Value(t, bucket.Inputs, "forceDestroy"); !v.IsBool() || v.BoolValue() != tc.deleteData {
					t.Errorf("%s: forceDestroy = %v, want %v", part.bucket, v, tc.deleteData)
				}
			}
			n := 0
			for _, r := range cloud.Resources() {
				if r.Custom && r.Type != "pulumi:providers:aws" {
					n++
					if r.RetainOnDelete != tc.wantRetained {
						t.Errorf("%s %s: retainOnDelete = %v, want %v", r.Type, r.Name, r.RetainOnDelete, tc.wantRetained)
					}
				}
			}
			// data: key, bucket, 6 settings, logging; logs: bucket, 5 settings.
			if n != 15 {
				t.Errorf("want 15 bucket resources, got %d", n)
			}
		})
	}
}

func TestBucket_UsesGivenProvider(t *testing.T) {
	cloud := runBucket(t, &BucketArgs{Name: testBucket})
	aws := mocktest.One(t, cloud, "pulumi:providers:aws").URN
	for _, r := range cloud.Resources() {
		if r.Custom && r.Type != "pulumi:providers:aws" && !mocktest.UsesProvider(r, aws) {
			t.Errorf("%s %s: provider %q, want %s", r.Type, r.Name, r.Provider, aws)
		}
	}
}

func TestNewBucket_InvalidNames(t *testing.T) {
	for _, tc := range []struct {
		args BucketArgs
		want []string
	}{
		{BucketArgs{Name: "Not.A_Bucket"}, []string{"Name"}},
		{BucketArgs{Name: "Not.A_Bucket", AccessLogBucketName: "Logs_"}, []string{"Name", "AccessLogBucketName"}},
		{BucketArgs{Name: testBucket, AccessLogBucketName: testBucket}, []string{"AccessLogBucketName"}},
	} {
		cloud := offline.New("pachdeploy", "test", standIns)
		err := cloud.Run(func(ctx *pulumi.Context) error {
			_, err := NewBucket(ctx, "data", &tc.args)
			return err
		})
		if got := problemFields(t, err); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: problems on %v, want %v", tc.args, got, tc.want)
		}
		if len(cloud.Resources()) != 0 {
			t.Errorf("registered %d resources before validating", len(cloud.Resources()))
		}
	}
}

// onlyRule is the one rule of a bucket's encryption configuration.
func onlyRule(t *testing.T, sse offline.Resource) resource.PropertyMap {
	t.Helper()
	rules := mocktest.MustInput(t, sse, "rules")
	if !rules.IsArray() || len(rules.ArrayValue()) != 1 {
		t.Fatalf("want one encryption rule, got %v", rules)
	}
	return rules.ArrayValue()[0].ObjectValue()
}
