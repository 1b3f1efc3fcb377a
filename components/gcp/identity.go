package gcp

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

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

// IdentityArgs are the inputs of NewIdentity.
type IdentityArgs struct {
	// Mode is how Pachyderm reaches the bucket. Default WorkloadIdentity: keyless.
	Mode IdentityMode `pulumi:"mode,optional"`
	// BucketName is the one bucket the account may use. Required.
	BucketName string `pulumi:"bucketName"`
	// DependsOn are what the bucket grant waits for: the Bucket's Resources().
	DependsOn []pulumi.Resource
	// WorkloadPool is the cluster's Workload Identity pool, <project>.svc.id.goog.
	// Required for WorkloadIdentity; pass the cluster's output so the bindings wait
	// for the pool to exist.
	WorkloadPool pulumi.StringInput `pulumi:"workloadPool,optional"`
	// Namespace is where Pachyderm's Kubernetes service accounts live. Default
	// "pachyderm".
	Namespace string `pulumi:"namespace,optional"`
	// ServiceAccountID is the Google service account's id. Default: derived from
	// BucketName, so each bucket gets its own account.
	ServiceAccountID string `pulumi:"serviceAccountId,optional"`
}

func (a IdentityArgs) withDefaults() IdentityArgs {
	if a.Mode == "" {
		a.Mode = WorkloadIdentity
	}
	if a.Namespace == "" {
		a.Namespace = pachyderm.DefaultNamespace
	}
	if a.ServiceAccountID == "" {
		a.ServiceAccountID = accountID(a.BucketName, "-pachd")
	}
	return a
}

func (a IdentityArgs) validate() error {
	var p rules.Problems
	p.Add("BucketName", a.BucketName, rules.GCSBucketName(a.BucketName))
	switch a.Mode {
	case WorkloadIdentity:
		if a.WorkloadPool == nil {
			p.Addf("WorkloadPool", "", "is required for %s: the cluster's <project>.svc.id.goog", WorkloadIdentity)
		}
	case ServiceAccountKey:
	default:
		p.Addf("Mode", string(a.Mode), "must be one of %s, %s", WorkloadIdentity, ServiceAccountKey)
	}
	p.Add("Namespace", a.Namespace, rules.Namespace(a.Namespace))
	if !serviceAccountID.MatchString(a.ServiceAccountID) {
		p.Addf("ServiceAccountID", a.ServiceAccountID,
			"service account ids are 6-30 lowercase letters, digits or '-', starting with a letter and not ending with '-'")
	}
	return p.Err()
}

// Identity is the Google service account that alone may use Pachyderm's bucket, and
// how Pachyderm acts as it: Workload Identity bindings for both Kubernetes service
// accounts, or a key.
type Identity struct {
	pulumi.ResourceState

	// ServiceAccountEmail is Pachyderm's Google service account.
	ServiceAccountEmail pulumi.StringOutput `pulumi:"serviceAccountEmail"`
	// Annotations go on both Pachyderm Kubernetes service accounts (WorkloadIdentity;
	// empty otherwise).
	Annotations pulumi.StringMapOutput `pulumi:"annotations"`
	// Credentials is the service account key JSON (ServiceAccountKey only; secret).
	Credentials pulumi.StringOutput `pulumi:"credentials"`

	resources []pulumi.Resource
}

// Resources lists the account and its grants, for whatever must wait until Pachyderm
// can use its bucket.
func (i *Identity) Resources() []pulumi.Resource {
	return append([]pulumi.Resource(nil), i.resources...)
}

// NewIdentity creates a Google service account with object access to the one bucket,
// and either Workload Identity bindings for both Pachyderm service accounts or a key.
// Its resources answer to the former pachdeploy:gcp:Storage component of the same
// name, so stacks made before the split keep their account.
func NewIdentity(ctx *pulumi.Context, name string, args *IdentityArgs, opts ...pulumi.ResourceOption) (*Identity, error) {
	if args == nil {
		return nil, fmt.Errorf("gcp identity %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("gcp identity %q: %w", name, err)
	}
	i := &Identity{}
	if err := ctx.RegisterComponentResource(identityType, name, i, opts...); err != nil {
		return nil, err
	}
	formerParent := i.URN().ApplyT(func(urn pulumi.URN) pulumi.URN {
		return pulumi.URN(strings.Replace(string(urn), identityType+"::", storageType+"::", 1))
	}).(pulumi.URNOutput)
	child := []pulumi.ResourceOption{pulumi.Parent(i), pulumi.Aliases([]pulumi.Alias{{ParentURN: formerParent}})}

	account, err := serviceaccount.NewAccount(ctx, name+"-pachyderm", &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(a.ServiceAccountID),
		DisplayName: pulumi.String(fmt.Sprintf("Pachyderm on gs://%s (pachdeploy)", a.BucketName)),
	}, child...)
	if err != nil {
		return nil, err
	}
	objectAdmin, err := storage.NewBucketIAMMember(ctx, name+"-object-admin", &storage.BucketIAMMemberArgs{
		Bucket: pulumi.String(a.BucketName),
		Role:   pulumi.String(BucketRole),
		Member: account.Member,
	}, append(child, pulumi.DependsOn(a.DependsOn))...)
	if err != nil {
		return nil, err
	}
	i.resources = []pulumi.Resource{account, objectAdmin}
	i.ServiceAccountEmail = account.Email
	i.Annotations = pulumi.StringMap{}.ToStringMapOutput()
	i.Credentials = pulumi.ToSecret(pulumi.String("")).(pulumi.StringOutput)
	switch a.Mode {
	case WorkloadIdentity:
		for _, ksa := range []string{pachyderm.ServiceAccount, pachyderm.WorkerServiceAccount} {
			binding, err := serviceaccount.NewIAMMember(ctx, name+"-wi-"+ksa, &serviceaccount.IAMMemberArgs{
				ServiceAccountId: account.Name,
				Role:             pulumi.String(WorkloadIdentityRole),
				Member:           pulumi.Sprintf("serviceAccount:%s[%s/%s]", a.WorkloadPool, a.Namespace, ksa),
			}, child...)
			if err != nil {
				return nil, err
			}
			i.resources = append(i.resources, binding)
		}
		i.Annotations = pulumi.StringMap{AnnotationKey: account.Email}.ToStringMapOutput()
	case ServiceAccountKey:
		key, err := serviceaccount.NewKey(ctx, name+"-pachyderm", &serviceaccount.KeyArgs{
			ServiceAccountId: account.Name,
		}, child...)
		if err != nil {
			return nil, err
		}
		i.resources = append(i.resources, key)
		i.Credentials = pulumi.ToSecret(key.PrivateKey.ApplyT(func(b64 string) (string, error) {
			json, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return "", fmt.Errorf("decoding the service account key: %w", err)
			}
			return string(json), nil
		})).(pulumi.StringOutput)
	}
	if err := ctx.RegisterResourceOutputs(i, pulumi.Map{
		"serviceAccountEmail": i.ServiceAccountEmail,
		"annotations":         i.Annotations,
		"credentials":         i.Credentials,
	}); err != nil {
		return nil, err
	}
	return i, nil
}

// identityType is the Identity component's type.
const identityType = "pachdeploy:gcp:Identity"

var serviceAccountID = regexp.MustCompile(`^[a-z][-a-z0-9]{4,28}[a-z0-9]$`)
