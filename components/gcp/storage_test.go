package gcp

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/internal/offline"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestBucket_CKV_GCP_29_114_78_Hardening(t *testing.T) {
	bucket := mocktest.One(t, runStorage(t, validStorageArgs()), tBucket)
	tests := []struct {
		rule, path string
		want       any
	}{
		{"CKV_GCP_29 uniform bucket-level access", "uniformBucketLevelAccess", true},
		{"CKV_GCP_114 public access prevention", "publicAccessPrevention", "enforced"},
		{"CKV_GCP_78 versioning", "versioning.enabled", true},
		{"noncurrent versions expire", "lifecycleRules[0].condition.daysSinceNoncurrentTime", float64(NoncurrentVersionDays)},
		{"bucket name", "name", "acme-pachyderm-data"},
		{"location", "location", "US-CENTRAL1"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if v, ok := mocktest.Input(t, bucket, tt.path); !ok || v.V != tt.want {
				t.Errorf("%s = %v, want %v", tt.path, v, tt.want)
			}
		})
	}
}

func TestBucket_RetainedUnlessDeleteDataOnDestroy(t *testing.T) {
	for _, deleteData := range []bool{false, true} {
		t.Run(fmt.Sprintf("deleteDataOnDestroy=%v", deleteData), func(t *testing.T) {
			args := validStorageArgs()
			args.bucket.DeleteDataOnDestroy = deleteData
			bucket := mocktest.One(t, runStorage(t, args), tBucket)
			if bucket.RetainOnDelete == deleteData {
				t.Errorf("retainOnDelete = %v, want %v", bucket.RetainOnDelete, !deleteData)
			}
			if got := mocktest.Bool(t, bucket.Inputs, "forceDestroy"); got != deleteData {
				t.Errorf("forceDestroy = %v, want %v", got, deleteData)
			}
		})
	}
}

// iamTypes are every GCP resource type that grants a role.
var iamTypes = []string{tProjectMember, tAccountMember, tBucketMember,
	"gcp:projects/iAMBinding:IAMBinding", "gcp:projects/iAMPolicy:IAMPolicy",
	"gcp:storage/bucketIAMBinding:BucketIAMBinding", "gcp:storage/bucketIAMPolicy:BucketIAMPolicy"}

func TestIAM_CKV_GCP_117_BucketScopedStorageAccessOnlyNeverOwner(t *testing.T) {
	for _, identity := range []IdentityMode{WorkloadIdentity, ServiceAccountKey} {
		t.Run(string(identity), func(t *testing.T) {
			cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
				c, err := NewCluster(ctx, "gke", validClusterArgs())
				if err != nil {
					return err
				}
				args := validStorageArgs()
				args.identity.Mode, args.identity.WorkloadPool = identity, c.WorkloadPool
				_, err = newStorage(ctx, args)
				return err
			}, standIns)
			var grants int
			for _, r := range cloud.Resources() {
				if !slices.Contains(iamTypes, r.Type) {
					continue
				}
				grants++
				role := mocktest.MustString(t, r, "role")
				if role == "roles/owner" || role == "roles/editor" {
					t.Errorf("%s %s grants %s", r.Type, r.Name, role)
				}
				if r.Type != tBucketMember && strings.HasPrefix(role, "roles/storage.") {
					t.Errorf("%s %s grants %s outside the bucket", r.Type, r.Name, role)
				}
			}
			if grants == 0 {
				t.Fatal("no IAM grants recorded")
			}
			grant := mocktest.One(t, cloud, tBucketMember)
			pachSA, _ := cloud.Named(tAccount, "storage-pachyderm")
			bucket := mocktest.One(t, cloud, tBucket)
			if mocktest.MustString(t, grant, "role") != BucketRole || mocktest.MustString(t, grant, "bucket") != mocktest.MustString(t, bucket, "name") ||
				mocktest.MustString(t, grant, "member") != pachSA.Outputs["member"].StringValue() {
				t.Errorf("bucket grant = %v, want %s on the bucket for Pachyderm's account", grant.Inputs, BucketRole)
			}
		})
	}
}

func TestWorkloadIdentity_MembersAreExactlyBothPachydermServiceAccounts(t *testing.T) {
	var annotations map[string]string
	var credentialsSecret bool
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		args := validStorageArgs()
		args.identity.Namespace = "pach"
		s, err := newStorage(ctx, args)
		if err != nil {
			return err
		}
		s.Annotations.ApplyT(func(m map[string]string) map[string]string { annotations = m; return m })
		credentialsSecret = pulumi.IsSecret(s.Credentials)
		return nil
	}, standIns)
	pachSA, _ := cloud.Named(tAccount, "storage-pachyderm")
	var members []string
	for _, m := range cloud.OfType(tAccountMember) {
		if mocktest.MustString(t, m, "role") != WorkloadIdentityRole || mocktest.MustString(t, m, "serviceAccountId") != pachSA.Outputs["name"].StringValue() {
			t.Errorf("unexpected service account grant %v", m.Inputs)
		}
		members = append(members, mocktest.MustString(t, m, "member"))
	}
	slices.Sort(members)
	want := []string{
		"serviceAccount:acme-data.svc.id.goog[pach/pachyderm]",
		"serviceAccount:acme-data.svc.id.goog[pach/pachyderm-worker]",
	}
	slices.Sort(want)
	if !slices.Equal(members, want) {
		t.Errorf("workload identity members = %v, want %v", members, want)
	}
	if got := annotations[AnnotationKey]; got != pachSA.Outputs["email"].StringValue() {
		t.Errorf("annotation %s = %q, want %q", AnnotationKey, got, pachSA.Outputs["email"].StringValue())
	}
	if n := len(cloud.OfType(tKey)); n != 0 {
		t.Errorf("%d service account keys created under workload identity, want none", n)
	}
	if !credentialsSecret {
		t.Error("Credentials output is not secret")
	}
}

func TestServiceAccountKey_CredentialsAreDecodedSecretJSON(t *testing.T) {
	var secret bool
	var creds string
	var annotations map[string]string
	cloud := mocktest.Run(t, func(ctx *pulumi.Context) error {
		args := validStorageArgs()
		args.identity.Mode, args.identity.WorkloadPool = ServiceAccountKey, nil
		s, err := newStorage(ctx, args)
		if err != nil {
			return err
		}
		secret = pulumi.IsSecret(s.Credentials)
		s.Credentials.ApplyT(func(c string) string { creds = c; return c })
		s.Annotations.ApplyT(func(m map[string]string) map[string]string { annotations = m; return m })
		return nil
	}, standIns)
	if !secret {
		t.Error("Credentials output is not secret")
	}
	var key map[string]any
	if err := json.Unmarshal([]byte(creds), &key); err != nil || key["type"] != "service_account" {
		t.Errorf("Credentials = %q, want the decoded key JSON (%v)", creds, err)
	}
	pachSA, _ := cloud.Named(tAccount, "storage-pachyderm")
	if got := mocktest.MustString(t, mocktest.One(t, cloud, tKey), "serviceAccountId"); got != pachSA.Outputs["name"].StringValue() {
		t.Errorf("key for %q, want Pachyderm's account", got)
	}
	if n := len(cloud.OfType(tAccountMember)); n != 0 {
		t.Errorf("%d workload identity members with a key, want none", n)
	}
	if len(annotations) != 0 {
		t.Errorf("annotations = %v, want none with a key", annotations)
	}
}

func TestAccountID(t *testing.T) {
	tests := []struct{ base, suffix, want string }{
		{"pachdeploy-dev", "-nodes", "pachdeploy-dev-nodes"},
		{"9lives", "-pachd", "p9lives-pachd"},
		{"acme_data_bucket", "-pachd", "acme-data-bucket-pachd"},
	}
	for _, tt := range tests {
		if got := accountID(tt.base, tt.suffix); got != tt.want {
			t.Errorf("accountID(%q, %q) = %q, want %q", tt.base, tt.suffix, got, tt.want)
		}
	}
	long := accountID("pachdeploy-production-pachyderm-0a1b2c", "-pachd")
	if !serviceAccountID.MatchString(long) || !strings.HasPrefix(long, "pachdeploy-produc") {
		t.Errorf("accountID of a long base = %q, want a valid id of at most 30 characters", long)
	}
	if accountID("pachdeploy-production-pachyderm-0a1b2c", "-pachd") == accountID("pachdeploy-production-pachyderm-ffffff", "-pachd") {
		t.Error("shortened ids of different bases collide")
	}
}

func TestNewBucketAndIdentity_InvalidArgsListEveryProblem(t *testing.T) {
	tests := []struct {
		name   string
		run    func(ctx *pulumi.Context) error
		fields []string
	}{
		{"bucket: everything wrong", func(ctx *pulumi.Context) error {
			_, err := NewBucket(ctx, "b", &BucketArgs{Name: "My.Bucket", Labels: map[string]string{"env": "Prod"}})
			return err
		}, []string{"Name", "Location", "Labels"}},
		{"identity: everything wrong", func(ctx *pulumi.Context) error {
			_, err := NewIdentity(ctx, "i", &IdentityArgs{BucketName: "My.Bucket", Mode: "node-role", Namespace: "default", ServiceAccountID: "x"})
			return err
		}, []string{"BucketName", "Mode", "Namespace", "ServiceAccountID"}},
		{"workload identity without a pool", func(ctx *pulumi.Context) error {
			_, err := NewIdentity(ctx, "i", &IdentityArgs{BucketName: "acme-data"})
			return err
		}, []string{"WorkloadPool"}},
		{"network: bad ranges", func(ctx *pulumi.Context) error {
			_, err := NewNetwork(ctx, "n", &NetworkArgs{Region: "us-central1", Name: "Bad_Name", PodsCIDR: "10.4.0.0"})
			return err
		}, []string{"Name", "PodsCIDR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := offline.New("p", "s", standIns)
			mocktest.WantProblems(t, cloud.Run(tt.run), tt.fields...)
			if n := len(cloud.Resources()); n != 0 {
				t.Errorf("%d resources registered before validation failed", n)
			}
		})
	}
}

// TestIdentity_ResourcesKeepTheirFormerURNs: the bucket and the account answer to the
// URNs they had under the former Storage component, so an update after the split
// neither replaces the bucket nor recreates the account. The engine resolves alias
// specs (and a child's inherited alias from its parent's); the test checks the specs
// the program sends: the Bucket component's former type, and the identity's children's
// former parent.
func TestIdentity_ResourcesKeepTheirFormerURNs(t *testing.T) {
	mocks := &aliasRecorder{Cloud: offline.New(mocktest.Project, mocktest.Stack, standIns), aliases: map[string][]string{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := newStorage(ctx, validStorageArgs())
		return err
	}, pulumi.WithMocks(mocktest.Project, mocktest.Stack, mocks))
	if err != nil {
		t.Fatal(err)
	}
	former := "parent=urn:pulumi:test::pachdeploy::pachdeploy:gcp:Storage::storage"
	for name, want := range map[string]string{
		"pachdeploy:gcp:Bucket::storage":                                    "type=pachdeploy:gcp:Storage",
		"gcp:serviceaccount/account:Account::storage-pachyderm":             former,
		"gcp:storage/bucketIAMMember:BucketIAMMember::storage-object-admin": former,
		"gcp:serviceaccount/iAMMember:IAMMember::storage-wi-pachyderm":      former,
	} {
		if !slices.Contains(mocks.aliases[name], want) {
			t.Errorf("%s: aliases %v, want %s", name, mocks.aliases[name], want)
		}
	}
}

// aliasRecorder is the offline engine that also records each resource's alias specs.
type aliasRecorder struct {
	*offline.Cloud
	mu      sync.Mutex
	aliases map[string][]string // type::name -> "type=T" / "parent=URN"
}

func (m *aliasRecorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if rpc := args.RegisterRPC; rpc != nil {
		for _, a := range rpc.GetAliases() {
			spec := a.GetSpec()
			if spec == nil {
				continue
			}
			var d []string
			if spec.GetType() != "" {
				d = append(d, "type="+spec.GetType())
			}
			if spec.GetParentUrn() != "" {
				d = append(d, "parent="+spec.GetParentUrn())
			}
			m.mu.Lock()
			key := args.TypeToken + "::" + args.Name
			m.aliases[key] = append(m.aliases[key], strings.Join(d, ","))
			m.mu.Unlock()
		}
	}
	return m.Cloud.NewResource(args)
}
