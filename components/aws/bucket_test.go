package aws

import (
	"slices"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
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

func TestBucket_CKV_AWS_53_to_56_PublicAccessBlocked(t *testing.T) {
	block := mocktest.One(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
	for _, tc := range []struct{ rule, flag string }{
		{"CKV_AWS_53", "blockPublicAcls"},
		{"CKV_AWS_54", "blockPublicPolicy"},
		{"CKV_AWS_55", "ignorePublicAcls"},
		{"CKV_AWS_56", "restrictPublicBuckets"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if v := mocktest.Value(t, block.Inputs, tc.flag); !v.IsBool() || !v.BoolValue() {
				t.Errorf("%s = %v, want true", tc.flag, v)
			}
		})
	}
	if got := mocktest.String(t, block.Inputs, "bucket"); got != testBucket {
		t.Errorf("public access block is on bucket %q, want %q", got, testBucket)
	}
}

func TestBucket_CKV_AWS_19_EncryptedAtRest(t *testing.T) {
	sse := mocktest.One(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
	rules := mocktest.Value(t, sse.Inputs, "rules")
	if !rules.IsArray() || len(rules.ArrayValue()) != 1 {
		t.Fatalf("want one encryption rule, got %v", rules)
	}
	rule := rules.ArrayValue()[0].ObjectValue()
	if got := mocktest.String(t, rule, "applyServerSideEncryptionByDefault.sseAlgorithm"); got != "AES256" {
		t.Errorf("sseAlgorithm = %q, want AES256", got)
	}
	if v := mocktest.Value(t, rule, "bucketKeyEnabled"); !v.IsBool() || !v.BoolValue() {
		t.Errorf("bucketKeyEnabled = %v, want true", v)
	}
}

func TestBucket_CKV_AWS_21_Versioned(t *testing.T) {
	v := mocktest.One(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketVersioningV2:BucketVersioningV2")
	if got := mocktest.String(t, v.Inputs, "versioningConfiguration.status"); got != "Enabled" {
		t.Errorf("versioning status = %q, want Enabled", got)
	}
}

func TestBucket_CKV_AWS_379_TLSOnly(t *testing.T) {
	policy := parsePolicy(t, mocktest.Value(t, mocktest.One(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketPolicy:BucketPolicy").Inputs, "policy"))
	if len(policy.Statement) != 1 {
		t.Fatalf("want one statement, got %+v", policy.Statement)
	}
	s := policy.Statement[0]
	if s.Effect != "Deny" || s.Principal != "*" || !slices.Equal(s.Action, []string{"s3:*"}) {
		t.Errorf("statement = %+v, want Deny of s3:* to everyone", s)
	}
	want := []string{"arn:aws:s3:::" + testBucket, "arn:aws:s3:::" + testBucket + "/*"}
	if !slices.Equal(s.Resource, want) {
		t.Errorf("resources = %v, want %v", s.Resource, want)
	}
	if got := s.Condition["Bool"]["aws:SecureTransport"]; got != "false" {
		t.Errorf(`condition Bool aws:SecureTransport = %v, want "false"`, got)
	}
}

func TestBucket_CKV_AWS_300_AbortsIncompleteUploads(t *testing.T) {
	rules := mocktest.Value(t, mocktest.One(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2").Inputs, "rules")
	if !rules.IsArray() || len(rules.ArrayValue()) != 1 {
		t.Fatalf("want one lifecycle rule, got %v", rules)
	}
	rule := rules.ArrayValue()[0].ObjectValue()
	if mocktest.String(t, rule, "status") != "Enabled" {
		t.Errorf("rule status = %q, want Enabled", mocktest.String(t, rule, "status"))
	}
	days := mocktest.Value(t, rule, "abortIncompleteMultipartUpload.daysAfterInitiation")
	if !days.IsNumber() || days.NumberValue() != abortIncompleteUploadsDays {
		t.Errorf("daysAfterInitiation = %v, want %d", days, abortIncompleteUploadsDays)
	}
}

func TestBucket_ACLsDisabled(t *testing.T) {
	oc := mocktest.One(t, runBucket(t, &BucketArgs{Name: testBucket}), "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
	if got := mocktest.String(t, oc.Inputs, "rule.objectOwnership"); got != "BucketOwnerEnforced" {
		t.Errorf("objectOwnership = %q, want BucketOwnerEnforced", got)
	}
}

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
			bucket := mocktest.One(t, cloud, "aws:s3/bucketV2:BucketV2")
			if got := mocktest.String(t, bucket.Inputs, "bucket"); got != testBucket {
				t.Errorf("bucket name = %q, want %q", got, testBucket)
			}
			if v := mocktest.Value(t, bucket.Inputs, "forceDestroy"); !v.IsBool() || v.BoolValue() != tc.deleteData {
				t.Errorf("forceDestroy = %v, want %v", v, tc.deleteData)
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
			if n != 7 {
				t.Errorf("want 7 bucket resources, got %d", n)
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

func TestNewBucket_InvalidName(t *testing.T) {
	cloud := offline.New("pachdeploy", "test", standIns)
	err := cloud.Run(func(ctx *pulumi.Context) error {
		_, err := NewBucket(ctx, "data", &BucketArgs{Name: "Not.A_Bucket"})
		return err
	})
	if got := problemFields(t, err); !slices.Equal(got, []string{"Name"}) {
		t.Errorf("problems on %v, want [Name]", got)
	}
	if len(cloud.Resources()) != 0 {
		t.Errorf("registered %d resources before validating", len(cloud.Resources()))
	}
}
