package aws

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const testRegion = "eu-central-1"

// run runs program under a fresh mock cloud with an explicit AWS provider for
// testRegion, and fails the test on error.
func run(t *testing.T, program func(ctx *pulumi.Context, withAWS pulumi.ResourceOption) error) *offline.Cloud {
	t.Helper()
	return mocktest.Run(t, func(ctx *pulumi.Context) error {
		p, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String(testRegion)})
		if err != nil {
			return err
		}
		return program(ctx, pulumi.Provider(p))
	}, standIns)
}

// parsePolicy decodes an IAM policy document recorded as a JSON string.
func parsePolicy(t *testing.T, v resource.PropertyValue) policyDocument {
	t.Helper()
	if !v.IsString() {
		t.Fatalf("policy is not a JSON string: %v", v)
	}
	var d policyDocument
	if err := json.Unmarshal([]byte(v.StringValue()), &d); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, v.StringValue())
	}
	return d
}

// problemFields lists the fields of a *rules.Error, or fails the test.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	var re *rules.Error
	if !errors.As(err, &re) {
		t.Fatalf("want a *rules.Error, got %v", err)
	}
	var fields []string
	for _, p := range re.Problems {
		fields = append(fields, p.Field)
	}
	return fields
}

// typeOf is the type token of a registered resource, read from its URN.
func typeOf(t *testing.T, r pulumi.Resource) string {
	t.Helper()
	urns := make(chan pulumi.URN, 1)
	r.URN().ApplyT(func(u pulumi.URN) pulumi.URN {
		urns <- u
		return u
	})
	return string(resource.URN(<-urns).Type())
}

func TestNilArgsAreRefused(t *testing.T) {
	mocktest.NilArgsRefused(t, map[string]func(*pulumi.Context) error{
		"NewNetwork":  func(ctx *pulumi.Context) error { _, err := NewNetwork(ctx, "net", nil); return err },
		"NewCluster":  func(ctx *pulumi.Context) error { _, err := NewCluster(ctx, "eks", nil); return err },
		"NewBucket":   func(ctx *pulumi.Context) error { _, err := NewBucket(ctx, "data", nil); return err },
		"NewIdentity": func(ctx *pulumi.Context) error { _, err := NewIdentity(ctx, "pachyderm", nil); return err },
		"NewDatabase": func(ctx *pulumi.Context) error { _, err := NewDatabase(ctx, "db", nil); return err },
	})
}

// assertLogGroupKey checks that the log group resource name is encrypted with the key
// of the same resource name, whose policy lets CloudWatch Logs in testRegion use it
// for that one group (CKV_AWS_158, CKV2_AWS_64).
func assertLogGroupKey(t *testing.T, cloud *offline.Cloud, name, group string) {
	t.Helper()
	lg := mocktest.Named(t, cloud, "aws:cloudwatch/logGroup:LogGroup", name)
	key := mocktest.Named(t, cloud, "aws:kms/key:Key", name)
	if got, want := mocktest.MustString(t, lg, "kmsKeyId"), mocktest.String(t, key.Outputs, "arn"); got != want || want == "" {
		t.Errorf("log group %s: kmsKeyId = %q, want its key %q", group, got, want)
	}
	if !mocktest.Bool(t, key.Inputs, "enableKeyRotation") {
		t.Errorf("log group %s: its key does not rotate", group)
	}
	doc := parsePolicy(t, mocktest.MustInput(t, key, "policy"))
	if len(doc.Statement) != 2 {
		t.Fatalf("log group %s: key policy %+v, want the account's and CloudWatch Logs' statements", group, doc.Statement)
	}
	s := doc.Statement[1]
	wantARN := "arn:aws:logs:" + testRegion + ":" + standInAccountID + ":log-group:" + group
	if !reflect.DeepEqual(s.Principal, map[string]any{"Service": "logs." + testRegion + ".amazonaws.com"}) ||
		s.Condition["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] != wantARN {
		t.Errorf("log group %s: logs statement %+v, want CloudWatch Logs of %s limited to %s", group, s, testRegion, wantARN)
	}
}
