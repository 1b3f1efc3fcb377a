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
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The resources newStorage's Bucket component makes, by logical name.
const (
	dataBucketRes = "storage"
	logBucketRes  = "storage-logs"
	logWriterRes  = "storage-log-writer"
)

func TestBucket_CKV_GCP_29_114_78_Hardening(t *testing.T) {
	cloud := runStorage(t, validStorageArgs())
	data, logs := mocktest.Named(t, cloud, tBucket, dataBucketRes), mocktest.Named(t, cloud, tBucket, logBucketRes)
	tests := []struct {
		rule   string
		bucket offline.Resource
		path   string
		want   any
	}{
		{"CKV_GCP_29 uniform bucket-level access", data, "uniformBucketLevelAccess", true},
		{"CKV_GCP_114 public access prevention", data, "publicAccessPrevention", "enforced"},
		{"CKV_GCP_78 versioning", data, "versioning.enabled", true},
		{"noncurrent versions expire", data, "lifecycleRules[0].condition.daysSinceNoncurrentTime", float64(NoncurrentVersionDays)},
		{"bucket name", data, "name", "acme-pachyderm-data"},
		{"location", data, "location", "US-CENTRAL1"},
		{"log bucket: CKV_GCP_29 uniform bucket-level access", logs, "uniformBucketLevelAccess", true},
		{"log bucket: CKV_GCP_114 public access prevention", logs, "publicAccessPrevention", "enforced"},
		{"log bucket: versioning", logs, "versioning.enabled", true},
		{"log bucket: logs expire", logs, "lifecycleRules[0].condition.age", float64(AccessLogRetentionDays)},
		{"log bucket: noncurrent logs expire", logs, "lifecycleRules[1].condition.daysSinceNoncurrentTime", float64(NoncurrentVersionDays)},
		{"log bucket: name", logs, "name", "acme-pachyderm-data-logs"},
		{"log bucket: location", logs, "location", "US-CENTRAL1"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if v, ok := mocktest.Input(t, tt.bucket, tt.path); !ok || v.V != tt.want {
				t.Errorf("%s = %v, want %v", tt.path, v, tt.want)
			}
		})
	}
}

// TestBucket_CKV_GCP_62_63_AccessLogsIntoALogBucket: the data bucket logs into the log
// bucket, by a name known at preview, after the log bucket and its writer exist; the
// log bucket has no logging of its own (PD-GCP-BUCKET-LOGGING exempts it); only Cloud
// Storage's log writer group may create objects in it.
func TestBucket_CKV_GCP_62_63_AccessLogsIntoALogBucket(t *testing.T) {
	cloud := runStorage(t, validStorageArgs())
	data, logs := mocktest.Named(t, cloud, tBucket, dataBucketRes), mocktest.Named(t, cloud, tBucket, logBucketRes)
	writer := mocktest.Named(t, cloud, tBucketMember, logWriterRes)
	if got := mocktest.MustString(t, data, "logging.logBucket"); got != mocktest.MustString(t, logs, "name") {
		t.Errorf("data bucket logs into %q, want the log bucket %q", got, mocktest.MustString(t, logs, "name"))
	}
	if v, ok := mocktest.Input(t, logs, "logging"); ok {
		t.Errorf("log bucket logging = %v, want none: it would log its own log deliveries", v)
	}
	for path, want := range map[string]string{
		"bucket": mocktest.MustString(t, logs, "name"),
		"role":   "roles/storage.objectCreator",
		"member": "group:cloud-storage-analytics@google.com",
	} {
		if got := mocktest.MustString(t, writer, path); got != want {
			t.Errorf("log writer %s = %q, want %q", path, got, want)
		}
	}
	for _, dep := range []offline.Resource{logs, writer} {
		if !mocktest.DependsOn(data, dep.URN) {
			t.Errorf("the data bucket does not wait for %s", dep.Name)
		}
	}
	for _, r := range []offline.Resource{logs, writer} {
		if r.Parent != data.Parent {
			t.Errorf("%s has parent %q, want the Bucket component %q", r.Name, r.Parent, data.Parent)
		}
	}
	if vs := bucketLogging(asPolicy(cloud)); len(vs) != 0 {
		t.Errorf("PD-GCP-BUCKET-LOGGING findings on the buckets: %v", vs)
	}
}

func TestBucket_RetainedUnlessDeleteDataOnDestroy(t *testing.T) {
	for _, deleteData := range []bool{false, true} {
		t.Run(fmt.Sprintf("deleteDataOnDestroy=%v", deleteData), func(t *testing.T) {
			args := validStorageArgs()
			args.bucket.DeleteDataOnDestroy = deleteData
			cloud := runStorage(t, args)
			for _, name := range []string{dataBucketRes, logBucketRes} {
				bucket := mocktest.Named(t, cloud, tBucket, name)
				if bucket.RetainOnDelete == deleteData {
					t.Errorf("%s: retainOnDelete = %v, want %v", name, bucket.RetainOnDelete, !deleteData)
				}
				if got := mocktest.Bool(t, bucket.Inputs, "forceDestroy"); got != deleteData {
					t.Errorf("%s: forceDestroy = %v, want %v", name, got, deleteData)
				}
			}
			// A retained data bucket keeps logging: its log writer stays too.
			if writer := mocktest.Named(t, cloud, tBucketMember, logWriterRes); writer.RetainOnDelete == deleteData {
				t.Errorf("log writer: retainOnDelete = %v, want %v", writer.RetainOnDelete, !deleteData)
			}
		})
	}
}

func TestLogBucketName(t *testing.T) {
	long := strings.Repeat("a", 50) + "-pachyderm-0a1b2c"
	tests := []struct{ name, want string }{
		{"acme-pachyderm-data", "acme-pachyderm-data-logs"},
		{strings.Repeat("a", 58), strings.Repeat("a", 58) + "-logs"},
	}
	for _, tt := range tests {
		if got := logBucketName(tt.name); got != tt.want {
			t.Errorf("logBucketName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	for _, name := range []string{long, strings.Repeat("a", 63), strings.Repeat("a", 50) + "_" + strings.Repeat("b", 12)} {
		got := logBucketName(name)
		if err := rules.GCSBucketName(got); err != nil || !strings.HasSuffix(got, "-logs") {
			t.Errorf("logBucketName(%q) = %q, want a valid GCS name ending in -logs (%v)", name, got, err)
		}
	}
	if logBucketName(long) == logBucketName(strings.Replace(long, "0a1b2c", "ffffff", 1)) {
		t.Error("the log buckets of two long names differing only at the end collide")
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
			grant := mocktest.Named(t, cloud, tBucketMember, "storage-object-admin")
			pachSA, _ := cloud.Named(tAccount, "storage-pachyderm")
			bucket := mocktest.Named(t, cloud, tBucket, dataBucketRes)
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
		annotations, _ = mocktest.Await(t, s.Annotations).(map[string]string)
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
		creds = mocktest.AwaitString(t, s.Credentials)
		annotations, _ = mocktest.Await(t, s.Annotations).(map[string]string)
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
