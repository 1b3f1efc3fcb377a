package gcp

import (
	"encoding/base64"
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v9/go/gcp/storage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Roles granted to Pachyderm's service account.
const (
	// BucketRole is granted on the one bucket only, never on the project.
	BucketRole = "roles/storage.objectAdmin"
	// WorkloadIdentityRole lets a Kubernetes service account act as the Google one.
	WorkloadIdentityRole = "roles/iam.workloadIdentityUser"
	// AnnotationKey maps a Kubernetes service account to a Google service account.
	AnnotationKey = "iam.gke.io/gcp-service-account"
)

// NoncurrentVersionDays is how long overwritten or deleted objects stay recoverable.
const NoncurrentVersionDays = 30

// Storage is Pachyderm's bucket and the Google service account that alone may use it.
type Storage struct {
	pulumi.ResourceState

	// BucketName is the bucket's name.
	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	// ServiceAccountEmail is Pachyderm's Google service account.
	ServiceAccountEmail pulumi.StringOutput `pulumi:"serviceAccountEmail"`
	// Annotations go on both Pachyderm Kubernetes service accounts (WorkloadIdentity;
	// empty otherwise).
	Annotations pulumi.StringMapOutput `pulumi:"annotations"`
	// Credentials is the service account key JSON (ServiceAccountKey only; secret).
	Credentials pulumi.StringOutput `pulumi:"credentials"`

	resources []pulumi.Resource
}

// Resources lists the storage and access resources, for whatever must wait until
// Pachyderm can use its bucket. Depend on these rather than on the component: the Go
// SDK adds a component's children asynchronously, so a dependency on the component
// itself may miss some of them.
func (s *Storage) Resources() []pulumi.Resource {
	return append([]pulumi.Resource(nil), s.resources...)
}

// NewStorage creates a private, versioned bucket, a Google service account with
// object access to that bucket only, and either Workload Identity bindings for both
// Pachyderm service accounts or a key.
func NewStorage(ctx *pulumi.Context, name string, args *StorageArgs, opts ...pulumi.ResourceOption) (*Storage, error) {
	if args == nil {
		return nil, fmt.Errorf("gcp storage %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("gcp storage %q: %w", name, err)
	}
	s := &Storage{}
	if err := ctx.RegisterComponentResource("pachdeploy:gcp:Storage", name, s, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(s)

	bucket, err := storage.NewBucket(ctx, name, &storage.BucketArgs{
		Name:                     pulumi.String(a.BucketName),
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
	}, parent, pulumi.RetainOnDelete(!a.DeleteDataOnDestroy))
	if err != nil {
		return nil, err
	}

	account, err := serviceaccount.NewAccount(ctx, name+"-pachyderm", &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(a.ServiceAccountID),
		DisplayName: pulumi.String(fmt.Sprintf("Pachyderm on gs://%s (pachdeploy)", a.BucketName)),
	}, parent)
	if err != nil {
		return nil, err
	}
	objectAdmin, err := storage.NewBucketIAMMember(ctx, name+"-object-admin", &storage.BucketIAMMemberArgs{
		Bucket: bucket.Name,
		Role:   pulumi.String(BucketRole),
		Member: account.Member,
	}, parent)
	if err != nil {
		return nil, err
	}
	s.resources = []pulumi.Resource{bucket, account, objectAdmin}

	s.BucketName = bucket.Name
	s.ServiceAccountEmail = account.Email
	s.Annotations = pulumi.StringMap{}.ToStringMapOutput()
	s.Credentials = pulumi.ToSecret(pulumi.String("")).(pulumi.StringOutput)
	switch a.Identity {
	case WorkloadIdentity:
		for _, ksa := range []string{pachyderm.ServiceAccount, pachyderm.WorkerServiceAccount} {
			binding, err := serviceaccount.NewIAMMember(ctx, name+"-wi-"+ksa, &serviceaccount.IAMMemberArgs{
				ServiceAccountId: account.Name,
				Role:             pulumi.String(WorkloadIdentityRole),
				Member:           pulumi.Sprintf("serviceAccount:%s[%s/%s]", a.WorkloadPool, a.Namespace, ksa),
			}, parent)
			if err != nil {
				return nil, err
			}
			s.resources = append(s.resources, binding)
		}
		s.Annotations = pulumi.StringMap{AnnotationKey: account.Email}.ToStringMapOutput()
	case ServiceAccountKey:
		key, err := serviceaccount.NewKey(ctx, name+"-pachyderm", &serviceaccount.KeyArgs{
			ServiceAccountId: account.Name,
		}, parent)
		if err != nil {
			return nil, err
		}
		s.resources = append(s.resources, key)
		s.Credentials = pulumi.ToSecret(key.PrivateKey.ApplyT(func(b64 string) (string, error) {
			json, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return "", fmt.Errorf("decoding the service account key: %w", err)
			}
			return string(json), nil
		})).(pulumi.StringOutput)
	}

	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"bucketName":          s.BucketName,
		"serviceAccountEmail": s.ServiceAccountEmail,
		"annotations":         s.Annotations,
		"credentials":         s.Credentials,
	}); err != nil {
		return nil, err
	}
	return s, nil
}
