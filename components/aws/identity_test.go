package aws

import (
	"slices"
	"strings"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	testOIDCArn    = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC"
	testOIDCIssuer = "oidc.eks.eu-central-1.amazonaws.com/id/ABC"
)

// identityResult is what a program learned about an Identity's outputs.
type identityResult struct {
	cloud                        *offline.Cloud
	identity                     *Identity
	keyIDSecret, keySecretSecret bool
}

func runIdentity(t *testing.T, mode string) identityResult {
	t.Helper()
	return runIdentityWithKey(t, mode, nil)
}

// runIdentityWithKey is runIdentity for a bucket encrypted with key (nil: SSE-S3).
func runIdentityWithKey(t *testing.T, mode string, key pulumi.StringInput) identityResult {
	t.Helper()
	var res identityResult
	res.cloud = run(t, func(ctx *pulumi.Context, withAWS pulumi.ResourceOption) error {
		id, err := NewIdentity(ctx, "pachyderm", &IdentityArgs{
			Mode:            mode,
			BucketName:      testBucket,
			Namespace:       "pach",
			OIDCProviderArn: pulumi.String(testOIDCArn),
			OIDCIssuer:      pulumi.String(testOIDCIssuer),
			NodeRoleName:    pulumi.String("test-node-role"),
			BucketKeyArn:    key,
		}, withAWS)
		if err != nil {
			return err
		}
		res.identity = id
		if id.AccessKey != nil {
			res.keyIDSecret = pulumi.IsSecret(id.AccessKey.ID.ToStringOutput())
			res.keySecretSecret = pulumi.IsSecret(id.AccessKey.Secret.ToStringOutput())
		}
		return nil
	})
	return res
}

// recordedPolicies returns every IAM or bucket policy document the program recorded,
// keyed by resource type and name.
func recordedPolicies(t *testing.T, cloud *offline.Cloud) map[string]policyDocument {
	t.Helper()
	out := map[string]policyDocument{}
	for _, r := range cloud.Resources() {
		for _, key := range []string{"policy", "assumeRolePolicy"} {
			if v := mocktest.Value(t, r.Inputs, key); v.IsString() {
				out[r.Type+" "+r.Name+" "+key] = parsePolicy(t, v)
			}
		}
	}
	return out
}

func TestIdentity_CKV_AWS_355_CKV_AWS_63_NoWildcardsInAnyMode(t *testing.T) {
	for _, mode := range []string{IdentityIRSA, IdentityNodeRole, IdentityStaticKeys} {
		t.Run(mode, func(t *testing.T) {
			policies := recordedPolicies(t, runIdentity(t, mode).cloud)
			bucketPolicies := 0
			for where, doc := range policies {
				for _, s := range doc.Statement {
					if s.Effect != "Allow" {
						continue
					}
					for _, a := range s.Action {
						if strings.Contains(a, "*") {
							t.Errorf("%s: wildcard action %q (CKV_AWS_63)", where, a)
						}
					}
					for _, r := range s.Resource {
						if r != "arn:aws:s3:::"+testBucket && r != "arn:aws:s3:::"+testBucket+"/*" {
							t.Errorf("%s: resource %q is not the bucket or its objects (CKV_AWS_355)", where, r)
						}
					}
					if len(s.Resource) > 0 {
						bucketPolicies++
					}
				}
			}
			if bucketPolicies != 2 {
				t.Errorf("want the 2 bucket statements, found %d in %v", bucketPolicies, policies)
			}
		})
	}
}

func TestIdentity_BucketPolicyGrantsExactlyPachydermsActions(t *testing.T) {
	doc := parsePolicy(t, mocktest.Value(t, mocktest.One(t, runIdentity(t, IdentityIRSA).cloud, "aws:iam/rolePolicy:RolePolicy").Inputs, "policy"))
	got := map[string][]string{}
	for _, s := range doc.Statement {
		for _, r := range s.Resource {
			got[r] = append(got[r], s.Action...)
		}
	}
	want := map[string][]string{
		"arn:aws:s3:::" + testBucket:        {"s3:GetBucketLocation", "s3:ListBucket"},
		"arn:aws:s3:::" + testBucket + "/*": {"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
	}
	for r, actions := range want {
		if !slices.Equal(got[r], actions) {
			t.Errorf("actions on %s = %v, want %v", r, got[r], actions)
		}
	}
	if len(got) != len(want) {
		t.Errorf("policy names resources %v, want only %v", got, want)
	}
}

// TestIdentity_BucketKeyUsableThroughS3Only: with a KMS-encrypted bucket, every mode's
// policy lets Pachyderm encrypt and decrypt with that one key, only through S3 in the
// provider's region; nothing else changes.
func TestIdentity_BucketKeyUsableThroughS3Only(t *testing.T) {
	const key = "arn:aws:kms:eu-central-1:123456789012:key/0a1b"
	for _, mode := range []string{IdentityIRSA, IdentityNodeRole, IdentityStaticKeys} {
		t.Run(mode, func(t *testing.T) {
			cloud := runIdentityWithKey(t, mode, pulumi.String(key)).cloud
			var grants []statement
			for where, doc := range recordedPolicies(t, cloud) {
				if strings.Contains(where, "assumeRolePolicy") {
					continue
				}
				if len(doc.Statement) != 3 {
					t.Errorf("%s: %d statements, want the 2 bucket ones and the key's", where, len(doc.Statement))
				}
				for _, s := range doc.Statement {
					if slices.Contains(s.Resource, key) {
						grants = append(grants, s)
					}
				}
			}
			if len(grants) != 1 {
				t.Fatalf("want one statement on the key, got %+v", grants)
			}
			g := grants[0]
			if !slices.Equal(g.Action, []string{"kms:Decrypt", "kms:GenerateDataKey"}) || !slices.Equal(g.Resource, []string{key}) {
				t.Errorf("key statement %+v, want kms:Decrypt and kms:GenerateDataKey on the key only", g)
			}
			if g.Condition["StringEquals"]["kms:ViaService"] != "s3."+testRegion+".amazonaws.com" {
				t.Errorf("key statement condition %v, want kms:ViaService s3.%s.amazonaws.com", g.Condition, testRegion)
			}
		})
	}
}

func TestIdentity_IRSATrustScopedToBothServiceAccounts(t *testing.T) {
	role := mocktest.One(t, runIdentity(t, IdentityIRSA).cloud, "aws:iam/role:Role")
	doc := parsePolicy(t, mocktest.Value(t, role.Inputs, "assumeRolePolicy"))
	if len(doc.Statement) != 1 {
		t.Fatalf("want one trust statement, got %+v", doc.Statement)
	}
	s := doc.Statement[0]
	principal, _ := s.Principal.(map[string]any)
	if s.Effect != "Allow" || principal["Federated"] != testOIDCArn || len(principal) != 1 {
		t.Errorf("principal = %v, want only the OIDC provider %s", s.Principal, testOIDCArn)
	}
	if !slices.Equal(s.Action, []string{"sts:AssumeRoleWithWebIdentity"}) {
		t.Errorf("actions = %v, want only sts:AssumeRoleWithWebIdentity", s.Action)
	}
	if len(s.Condition) != 1 || len(s.Condition["StringEquals"]) != 2 {
		t.Fatalf("conditions = %v, want StringEquals on aud and sub only", s.Condition)
	}
	eq := s.Condition["StringEquals"]
	if eq[testOIDCIssuer+":aud"] != "sts.amazonaws.com" {
		t.Errorf("aud = %v, want sts.amazonaws.com", eq[testOIDCIssuer+":aud"])
	}
	subs, _ := eq[testOIDCIssuer+":sub"].([]any)
	want := []any{"system:serviceaccount:pach:pachyderm", "system:serviceaccount:pach:pachyderm-worker"}
	if !slices.Equal(subs, want) {
		t.Errorf("sub = %v, want %v", eq[testOIDCIssuer+":sub"], want)
	}
}

func TestIdentity_Annotations(t *testing.T) {
	for _, tc := range []struct {
		mode    string
		wantARN bool
	}{
		{IdentityIRSA, true},
		{IdentityNodeRole, false},
		{IdentityStaticKeys, false},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res := runIdentity(t, tc.mode)
			var got map[string]string
			done := make(chan struct{})
			res.identity.Annotations.ApplyT(func(m map[string]string) map[string]string {
				got = m
				close(done)
				return m
			})
			<-done
			if !tc.wantARN {
				if len(got) != 0 {
					t.Errorf("annotations = %v, want none", got)
				}
				return
			}
			role := mocktest.One(t, res.cloud, "aws:iam/role:Role")
			if want := mocktest.String(t, role.Outputs, "arn"); got[RoleARNAnnotation] != want || want == "" {
				t.Errorf("annotations = %v, want %s = %s", got, RoleARNAnnotation, want)
			}
		})
	}
}

func TestIdentity_NodeRolePolicyOnNodeRole(t *testing.T) {
	cloud := runIdentity(t, IdentityNodeRole).cloud
	if got := mocktest.String(t, mocktest.One(t, cloud, "aws:iam/rolePolicy:RolePolicy").Inputs, "role"); got != "test-node-role" {
		t.Errorf("policy attached to role %q, want test-node-role", got)
	}
	if n := len(cloud.OfType("aws:iam/role:Role")) + len(cloud.OfType("aws:iam/user:User")); n != 0 {
		t.Errorf("node-role mode created %d roles or users, want none", n)
	}
}

func TestIdentity_StaticKeysAreSecrets(t *testing.T) {
	res := runIdentity(t, IdentityStaticKeys)
	if res.identity.AccessKey == nil {
		t.Fatal("static-keys mode returned no access key")
	}
	if !res.keyIDSecret || !res.keySecretSecret {
		t.Errorf("access key id secret = %v, secret secret = %v; want both secret", res.keyIDSecret, res.keySecretSecret)
	}
	user := mocktest.One(t, res.cloud, "aws:iam/user:User")
	if got, want := mocktest.String(t, mocktest.One(t, res.cloud, "aws:iam/accessKey:AccessKey").Inputs, "user"), mocktest.String(t, user.Outputs, "name"); got != want {
		t.Errorf("access key for user %q, want %q", got, want)
	}
	for _, mode := range []string{IdentityIRSA, IdentityNodeRole} {
		if runIdentity(t, mode).identity.AccessKey != nil {
			t.Errorf("%s mode returned an access key", mode)
		}
	}
}

func TestNewIdentity_InvalidArgsListsAllProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		args IdentityArgs
		want []string
	}{
		{"everything wrong", IdentityArgs{Mode: "keys", BucketName: "B", Namespace: "default"},
			[]string{"Mode", "BucketName", "Namespace"}},
		{"irsa without OIDC provider", IdentityArgs{BucketName: testBucket}, []string{"OIDCProviderArn"}},
		{"node-role without node role", IdentityArgs{Mode: IdentityNodeRole, BucketName: testBucket}, []string{"NodeRoleName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := offline.New("pachdeploy", "test", standIns).Run(func(ctx *pulumi.Context) error {
				_, err := NewIdentity(ctx, "pachyderm", &tc.args)
				return err
			})
			if got := problemFields(t, err); !slices.Equal(got, tc.want) {
				t.Errorf("problems on %v, want %v", got, tc.want)
			}
		})
	}
}
