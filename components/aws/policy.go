package aws

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// policyDocument is an IAM policy document. It is built from Go values and rendered
// with encoding/json, so plans show the exact JSON IAM receives.
type policyDocument struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

// statement is one statement of a policyDocument. Principal is "*" or a map such as
// {"Service": "ec2.amazonaws.com"}.
type statement struct {
	Sid       string                    `json:"Sid,omitempty"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal,omitempty"`
	Action    []string                  `json:"Action"`
	Resource  []string                  `json:"Resource,omitempty"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// String renders the document as compact JSON, without HTML escaping, so plans show
// it as IAM does.
func (d policyDocument) String() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		panic(err) // only strings, slices and maps: cannot fail
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func newPolicy(statements ...statement) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: statements}
}

// bucketARN and objectsARN name one bucket and the objects in it.
func bucketARN(partition, bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
}
func objectsARN(partition, bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s/*", partition, bucket)
}

// managedPolicyARN is the ARN of the AWS managed policy name, such as
// "AmazonEKSWorkerNodePolicy" or "service-role/AmazonEBSCSIDriverPolicy".
func managedPolicyARN(partition, name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", partition, name)
}

// bucketAccessPolicy lets Pachyderm list one bucket and read, write and delete its
// objects: no other bucket, no wildcard action (CKV_AWS_355, CKV_AWS_62/63).
func bucketAccessPolicy(partition, bucket string) policyDocument {
	return newPolicy(
		statement{
			Sid:      "ListPachydermBucket",
			Effect:   "Allow",
			Action:   []string{"s3:GetBucketLocation", "s3:ListBucket"},
			Resource: []string{bucketARN(partition, bucket)},
		},
		statement{
			Sid:      "ReadWritePachydermObjects",
			Effect:   "Allow",
			Action:   []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
			Resource: []string{objectsARN(partition, bucket)},
		},
	)
}

// bucketKeyStatement lets Pachyderm use the bucket's KMS key as S3 needs it for
// SSE-KMS objects (GenerateDataKey to write, Decrypt to read and to finish multipart
// uploads), and only through S3 in the account's region.
func bucketKeyStatement(acct account, keyARN string) statement {
	return statement{
		Sid:       "UsePachydermBucketKeyThroughS3",
		Effect:    "Allow",
		Action:    []string{"kms:Decrypt", "kms:GenerateDataKey"},
		Resource:  []string{keyARN},
		Condition: map[string]map[string]any{"StringEquals": {"kms:ViaService": acct.regionalService("s3")}},
	}
}

// tlsOnlyBucketPolicy denies every request to the bucket and its objects that does
// not use TLS (CKV_AWS_379).
func tlsOnlyBucketPolicy(partition, bucket string) policyDocument {
	return newPolicy(statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: "*",
		Action:    []string{"s3:*"},
		Resource:  []string{bucketARN(partition, bucket), objectsARN(partition, bucket)},
		Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}},
	})
}

// accessLogBucketPolicy is tlsOnlyBucketPolicy of the log bucket plus what S3 server
// access logging needs: the logging service may put objects under the source
// bucket's prefix only, for that bucket in this account (the confused-deputy
// conditions of the S3 user guide's "Enabling Amazon S3 server access logging").
func accessLogBucketPolicy(acct account, logBucket, source string) policyDocument {
	d := tlsOnlyBucketPolicy(acct.Partition, logBucket)
	d.Statement = append(d.Statement, statement{
		Sid:       "S3ServerAccessLogsOfOneBucket",
		Effect:    "Allow",
		Principal: map[string]string{"Service": "logging.s3.amazonaws.com"},
		Action:    []string{"s3:PutObject"},
		Resource:  []string{fmt.Sprintf("arn:%s:s3:::%s/%s*", acct.Partition, logBucket, accessLogPrefix(source))},
		Condition: map[string]map[string]any{
			"ArnLike":      {"aws:SourceArn": bucketARN(acct.Partition, source)},
			"StringEquals": {"aws:SourceAccount": acct.ID},
		},
	})
	return d
}

// serviceTrustPolicy lets an AWS service, such as ec2.amazonaws.com, assume a role.
func serviceTrustPolicy(service string) policyDocument {
	return newPolicy(statement{
		Effect:    "Allow",
		Principal: map[string]string{"Service": service},
		Action:    []string{"sts:AssumeRole"},
	})
}

// irsaAudience is the audience of the tokens IRSA exchanges with STS: the OIDC
// provider's client id and the trust policies' aud condition.
const irsaAudience = "sts.amazonaws.com"

// irsaTrustPolicy lets exactly the given service accounts ("system:serviceaccount:
// <namespace>:<name>") assume a role through the cluster's OIDC provider, and only
// with the STS audience. issuer is the provider URL without https://.
func irsaTrustPolicy(providerARN, issuer string, subjects []string) policyDocument {
	return newPolicy(statement{
		Effect:    "Allow",
		Principal: map[string]string{"Federated": providerARN},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string]any{"StringEquals": {
			issuer + ":aud": irsaAudience,
			issuer + ":sub": subjects,
		}},
	})
}

// irsaTrustPolicyOutput is irsaTrustPolicy once the OIDC provider is known.
func irsaTrustPolicyOutput(providerARN, issuer pulumi.StringInput, subjects ...string) pulumi.StringOutput {
	return pulumi.All(providerARN, issuer).ApplyT(func(v []any) string {
		return irsaTrustPolicy(v[0].(string), v[1].(string), subjects).String()
	}).(pulumi.StringOutput)
}

// serviceAccountSubject is the OIDC subject of a Kubernetes service account.
func serviceAccountSubject(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}
