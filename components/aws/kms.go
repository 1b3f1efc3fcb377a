package aws

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// KeyDeletionWindowDays is how long a deleted KMS key can still be cancelled: the
// longest AWS allows, since data encrypted with a key is lost with it.
const KeyDeletionWindowDays = 30

// account is where a component's resources live: the partition, its DNS suffix, the
// account id and the region of the component's AWS provider.
type account struct {
	Partition, DNSSuffix, ID, Region string
}

// accountOf looks up the partition, account and region of parent's AWS provider, so
// ARNs and service names are right in every partition and region.
func accountOf(ctx *pulumi.Context, parent pulumi.Resource) (account, error) {
	part, err := aws.GetPartition(ctx, nil, pulumi.Parent(parent))
	if err != nil {
		return account{}, err
	}
	caller, err := aws.GetCallerIdentity(ctx, nil, pulumi.Parent(parent))
	if err != nil {
		return account{}, err
	}
	region, err := aws.GetRegion(ctx, nil, pulumi.Parent(parent))
	if err != nil {
		return account{}, err
	}
	return account{Partition: part.Partition, DNSSuffix: part.DnsSuffix, ID: caller.AccountId, Region: region.Name}, nil
}

// regionalService is the regional name of an AWS service, such as
// logs.eu-central-1.amazonaws.com: CloudWatch Logs' principal in key policies, and
// what kms:ViaService names.
func (a account) regionalService(service string) string {
	return fmt.Sprintf("%s.%s.%s", service, a.Region, a.DNSSuffix)
}

// logGroupARN is the ARN of the CloudWatch log group name in the account's region.
func (a account) logGroupARN(name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", a.Partition, a.Region, a.ID, name)
}

// keyPolicy is an explicit KMS key policy (CKV2_AWS_64). Its first statement is the
// one AWS writes when a key has none: the account administers and uses the key through
// IAM, so pachdeploy's IAM policies (scoped to the one key) grant its use and the key
// can never become unmanageable. extra adds what a service needs, such as CloudWatch
// Logs. "*" as a key policy's resource means the key itself.
func keyPolicy(acct account, extra ...statement) policyDocument {
	return newPolicy(append([]statement{{
		Sid:       "AccountAdministersThroughIAM",
		Effect:    "Allow",
		Principal: map[string]string{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", acct.Partition, acct.ID)},
		Action:    []string{"kms:*"},
		Resource:  []string{"*"},
	}}, extra...)...)
}

// logsKeyPolicy is keyPolicy plus CloudWatch Logs using the key for the one log group
// named logGroup, and no other (the encryption context names the group).
func logsKeyPolicy(acct account, logGroup string) policyDocument {
	return keyPolicy(acct, statement{
		Sid:       "CloudWatchLogsEncryptsOneGroup",
		Effect:    "Allow",
		Principal: map[string]string{"Service": acct.regionalService("logs")},
		Action:    []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
		Resource:  []string{"*"},
		Condition: map[string]map[string]any{"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": acct.logGroupARN(logGroup)}},
	})
}

// newKey creates a customer-managed key that rotates yearly (CKV_AWS_7), with the
// given explicit policy and the longest deletion window.
func newKey(ctx *pulumi.Context, name string, description pulumi.StringInput, policy policyDocument,
	opts ...pulumi.ResourceOption,
) (*kms.Key, error) {
	return kms.NewKey(ctx, name, &kms.KeyArgs{
		Description:          description,
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(KeyDeletionWindowDays),
		Policy:               pulumi.String(policy.String()),
	}, opts...)
}

// newLogGroup creates the CloudWatch log group name, kept retentionDays and encrypted
// with a key of its own (CKV_AWS_158) whose policy lets CloudWatch Logs use it for
// that group only.
func newLogGroup(ctx *pulumi.Context, resourceName, name, purpose string, retentionDays int, acct account,
	opts ...pulumi.ResourceOption,
) (*cloudwatch.LogGroup, error) {
	key, err := newKey(ctx, resourceName, pulumi.Sprintf("Encryption of CloudWatch log group %s (%s)", name, purpose),
		logsKeyPolicy(acct, name), opts...)
	if err != nil {
		return nil, err
	}
	return cloudwatch.NewLogGroup(ctx, resourceName, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(name),
		RetentionInDays: pulumi.Int(retentionDays),
		KmsKeyId:        key.Arn,
	}, opts...)
}
