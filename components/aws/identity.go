package aws

import (
	"fmt"

	"github.com/pachdeploy/pachdeploy/components/aws/settings"
	"github.com/pachdeploy/pachdeploy/components/pachyderm"
	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Identity modes: how Pachyderm authenticates to its bucket (see components/aws/settings).
const (
	IdentityIRSA       = settings.IdentityIRSA
	IdentityNodeRole   = settings.IdentityNodeRole
	IdentityStaticKeys = settings.IdentityStaticKeys
)

// RoleARNAnnotation is the service-account annotation that selects an IRSA role.
const RoleARNAnnotation = "eks.amazonaws.com/role-arn"

// IdentityArgs are the inputs of NewIdentity.
type IdentityArgs struct {
	// Mode is irsa, node-role or static-keys. Default irsa: no keys to leak, and only
	// Pachyderm's service accounts get the bucket, not every pod on the node.
	Mode string `pulumi:"mode,optional"`
	// BucketName is the one bucket the policy grants (rules.S3BucketName). Required.
	BucketName string `pulumi:"bucketName"`
	// Namespace holds Pachyderm's service accounts. Default "pachyderm", as the
	// release's default.
	Namespace string `pulumi:"namespace,optional"`
	// OIDCProviderArn is the ARN of the cluster's IAM OIDC provider. Required for irsa.
	OIDCProviderArn pulumi.StringInput `pulumi:"oidcProviderArn,optional"`
	// OIDCIssuer is the cluster's OIDC issuer URL without https://. Required for irsa.
	OIDCIssuer pulumi.StringInput `pulumi:"oidcIssuer,optional"`
	// NodeRoleName is the node group's IAM role. Required for node-role.
	NodeRoleName pulumi.StringInput `pulumi:"nodeRoleName,optional"`
	// BucketKeyArn is the KMS key that encrypts the bucket (Bucket.KeyArn): the policy
	// then also lets Pachyderm encrypt and decrypt with that one key, through S3 only.
	// Default none, for a bucket encrypted with S3-managed keys, which needs no grant.
	BucketKeyArn pulumi.StringInput `pulumi:"bucketKeyArn,optional"`
}

// Identity is the IAM identity through which Pachyderm reaches its bucket, with a
// policy limited to that bucket.
type Identity struct {
	pulumi.ResourceState

	// Annotations go on both Pachyderm service accounts: the IRSA role ARN, or none
	// in the other modes.
	Annotations pulumi.StringMapOutput `pulumi:"annotations"`
	// AccessKey is the static access key (static-keys only, else nil); both values
	// are secrets.
	AccessKey *pachyderm.AmazonAccessKey

	resources []pulumi.Resource
}

// Resources lists the IAM resources that grant the access, for whatever must wait
// until Pachyderm can use its bucket. Depend on these rather than on the component:
// the Go SDK adds a component's children asynchronously, so a dependency on the
// component itself may miss some of them.
func (c *Identity) Resources() []pulumi.Resource {
	return append([]pulumi.Resource(nil), c.resources...)
}

func (a *IdentityArgs) withDefaults() IdentityArgs {
	out := *a
	if out.Mode == "" {
		out.Mode = IdentityIRSA
	}
	if out.Namespace == "" {
		out.Namespace = pachyderm.DefaultNamespace
	}
	return out
}

func (a IdentityArgs) validate() error {
	var p rules.Problems
	switch a.Mode {
	case IdentityIRSA:
		if a.OIDCProviderArn == nil || a.OIDCIssuer == nil {
			p.Addf("OIDCProviderArn", "", "OIDCProviderArn and OIDCIssuer are required for %s", IdentityIRSA)
		}
	case IdentityNodeRole:
		if a.NodeRoleName == nil {
			p.Addf("NodeRoleName", "", "is required for %s", IdentityNodeRole)
		}
	case IdentityStaticKeys:
	default:
		p.Addf("Mode", a.Mode, "must be one of %s, %s, %s", IdentityIRSA, IdentityNodeRole, IdentityStaticKeys)
	}
	p.Add("BucketName", a.BucketName, rules.S3BucketName(a.BucketName))
	p.Add("Namespace", a.Namespace, rules.Namespace(a.Namespace))
	return p.Err()
}

// NewIdentity creates the identity args.Mode selects.
func NewIdentity(ctx *pulumi.Context, name string, args *IdentityArgs, opts ...pulumi.ResourceOption) (*Identity, error) {
	if args == nil {
		return nil, fmt.Errorf("aws identity %q: %w", name, rules.ErrNilArgs)
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("aws identity %q: %w", name, err)
	}
	c := &Identity{}
	if err := ctx.RegisterComponentResource("pachdeploy:aws:Identity", name, c, opts...); err != nil {
		return nil, err
	}
	acct, err := accountOf(ctx, c)
	if err != nil {
		return nil, err
	}
	var policy pulumi.StringInput = pulumi.String(bucketAccessPolicy(acct.Partition, a.BucketName).String())
	if a.BucketKeyArn != nil {
		policy = a.BucketKeyArn.ToStringOutput().ApplyT(func(key string) string {
			d := bucketAccessPolicy(acct.Partition, a.BucketName)
			d.Statement = append(d.Statement, bucketKeyStatement(acct, key))
			return d.String()
		}).(pulumi.StringOutput)
	}
	annotations := pulumi.StringMap{}
	in := pulumi.Parent(c)

	switch a.Mode {
	case IdentityIRSA:
		role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
			Description: pulumi.Sprintf("Pachyderm in namespace %s: access to bucket %s", a.Namespace, a.BucketName),
			AssumeRolePolicy: irsaTrustPolicyOutput(a.OIDCProviderArn, a.OIDCIssuer,
				serviceAccountSubject(a.Namespace, pachyderm.ServiceAccount),
				serviceAccountSubject(a.Namespace, pachyderm.WorkerServiceAccount)),
		}, in)
		if err != nil {
			return nil, err
		}
		rolePolicy, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: role.Name, Policy: policy}, in)
		if err != nil {
			return nil, err
		}
		c.resources = []pulumi.Resource{role, rolePolicy}
		annotations[RoleARNAnnotation] = role.Arn
	case IdentityNodeRole:
		nodePolicy, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: a.NodeRoleName, Policy: policy}, in)
		if err != nil {
			return nil, err
		}
		c.resources = []pulumi.Resource{nodePolicy}
	case IdentityStaticKeys:
		user, err := iam.NewUser(ctx, name, &iam.UserArgs{}, in)
		if err != nil {
			return nil, err
		}
		userPolicy, err := iam.NewUserPolicy(ctx, name, &iam.UserPolicyArgs{User: user.Name, Policy: policy}, in)
		if err != nil {
			return nil, err
		}
		key, err := iam.NewAccessKey(ctx, name, &iam.AccessKeyArgs{User: user.Name}, in)
		if err != nil {
			return nil, err
		}
		c.resources = []pulumi.Resource{user, userPolicy, key}
		c.AccessKey = &pachyderm.AmazonAccessKey{
			ID:     pulumi.ToSecret(key.ID().ToStringOutput()).(pulumi.StringOutput),
			Secret: pulumi.ToSecret(key.Secret).(pulumi.StringOutput),
		}
	}

	c.Annotations = annotations.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"annotations": c.Annotations}); err != nil {
		return nil, err
	}
	return c, nil
}
