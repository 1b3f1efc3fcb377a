package aws

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
	"github.com/pachdeploy/pachdeploy/policy"
)

// checks are AWS's policy rules (pachdeploy check), the managed database's last.
var checks = slices.Concat([]policy.Rule{
	{
		ID: "PD-AWS-S3-LOGGING", Refs: []string{"CKV_AWS_18", "AVD-AWS-0089"}, Cloud: "aws", Severity: policy.Medium,
		Looks:       "an access-log configuration (aws:s3/bucketLoggingV2) for every S3 bucket that is not itself a log bucket",
		Remediation: "pachdeploy logs its bucket's requests to a log bucket of its own: a bucket without them comes from a change to components/aws",
		Check: func(rs policy.Resources) []policy.Violation {
			logged, targets := accessLogging(rs)
			var out []policy.Violation
			for _, b := range rs.OfType(s3BucketType) {
				if name := policy.String(b.Inputs, "bucket"); !logged[name] && !targets[name] {
					out = append(out, policy.Violation{URN: b.URN, Message: "the bucket has no server access logging"})
				}
			}
			return out
		},
	},
	{
		ID: "PD-AWS-S3-CMK", Refs: []string{"CKV_AWS_145", "AVD-AWS-0132"}, Cloud: "aws", Severity: policy.Medium,
		Looks: "every bucket's default encryption: SSE-KMS with a customer-managed key, except log buckets " +
			"(S3 delivers access logs only into buckets encrypted with SSE-S3)",
		Remediation: "pachdeploy encrypts its bucket with a key of its own: SSE-S3 on a data bucket comes from a change to components/aws",
		Check: func(rs policy.Resources) []policy.Violation {
			_, targets := accessLogging(rs)
			var out []policy.Violation
			for _, e := range rs.OfType("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2") {
				if targets[policy.String(e.Inputs, "bucket")] {
					continue
				}
				if policy.String(e.Inputs, "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm") != "aws:kms" ||
					policy.String(e.Inputs, "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId") == "" {
					out = append(out, policy.Violation{URN: e.URN,
						Message: "the bucket is encrypted with S3-managed keys, not a customer-managed KMS key"})
				}
			}
			return out
		},
	},
	{
		ID: "PD-AWS-KMS-POLICY", Refs: []string{"CKV2_AWS_64"}, Cloud: "aws", Severity: policy.Low,
		Looks:       "an explicit key policy on every KMS key",
		Remediation: "pachdeploy writes every key's policy: a key without one comes from a change to components/aws",
		Check: policy.Each("aws:kms/key:Key", "the key has no explicit key policy", func(in map[string]any) bool {
			return policy.String(in, "policy") == ""
		}),
	},
	{
		ID: "PD-AWS-KMS-ROTATION", Refs: []string{"CKV_AWS_7", "AVD-AWS-0065"}, Cloud: "aws", Severity: policy.Medium,
		Looks:       "key rotation on every KMS key",
		Remediation: "pachdeploy rotates its keys: a key without rotation comes from a change to components/aws",
		Check: policy.Each("aws:kms/key:Key", "the key does not rotate", func(in map[string]any) bool {
			return !policy.True(in, "enableKeyRotation")
		}),
	},
	{
		ID: "PD-AWS-LOGS-KMS", Refs: []string{"CKV_AWS_158", "AVD-AWS-0017"}, Cloud: "aws", Severity: policy.Low,
		Looks:       "a KMS key on every CloudWatch log group",
		Remediation: "pachdeploy encrypts its log groups (control plane, flow logs) with keys of their own: a group without one comes from a change to components/aws",
		Check: policy.Each("aws:cloudwatch/logGroup:LogGroup", "the log group is not encrypted with a KMS key", func(in map[string]any) bool {
			return policy.String(in, "kmsKeyId") == ""
		}),
	},
	{
		ID: "PD-AWS-VPC-FLOW-LOGS", Refs: []string{"CKV2_AWS_11", "AVD-AWS-0178"}, Cloud: "aws", Severity: policy.Medium,
		Looks:       "a flow log (aws:ec2/flowLog) in a stack that makes a VPC",
		Remediation: "pachdeploy's VPC records its flows: a VPC without them comes from a change to components/aws",
		Check: func(rs policy.Resources) []policy.Violation {
			flows := map[string]bool{}
			for _, f := range rs.OfType("aws:ec2/flowLog:FlowLog") {
				flows[policy.String(f.Inputs, "vpcId")] = true
			}
			var out []policy.Violation
			for _, v := range rs.OfType("aws:ec2/vpc:Vpc") {
				if len(flows) == 0 {
					out = append(out, policy.Violation{URN: v.URN, Message: "the VPC has no flow log"})
				}
			}
			return out
		},
	},
	{
		ID: "PD-AWS-API-OPEN", Refs: []string{"CKV_AWS_38", "AVD-AWS-0041"}, Cloud: "aws", Severity: policy.High,
		Looks:       "the EKS public endpoint's allowed CIDRs",
		Remediation: "set apiAllowedCidrs to the networks that deploy and administer the cluster",
		Check: func(rs policy.Resources) []policy.Violation {
			const msg = "the Kubernetes API is reachable from any address"
			var out []policy.Violation
			// The offline plan has pulumi-eks's component with its inputs. The engine's
			// events carry no inputs of a remote component, only of what it makes: the
			// aws:eks cluster, whose public endpoint without CIDRs is open to all.
			for _, c := range rs.OfType("eks:index:Cluster") {
				if len(c.Inputs) > 0 && rules.OpenToInternet(policy.Strings(c.Inputs, "publicAccessCidrs")) {
					out = append(out, policy.Violation{URN: c.URN, Message: msg})
				}
			}
			for _, c := range rs.OfType("aws:eks/cluster:Cluster") {
				public, set := policy.Get(c.Inputs, "vpcConfig.endpointPublicAccess")
				if (!set || public == true) && rules.OpenToInternet(policy.Strings(c.Inputs, "vpcConfig.publicAccessCidrs")) {
					out = append(out, policy.Violation{URN: c.URN, Message: msg})
				}
			}
			return out
		},
	},
	{
		ID: "PD-AWS-IAM-WILDCARD", Refs: []string{"CKV_AWS_355", "CKV_AWS_290", "AVD-AWS-0057"}, Cloud: "aws", Severity: policy.Critical,
		Looks:       "every inline IAM policy pachdeploy writes: no '*' resource, no bucket wildcard (arn:aws:s3:::*)",
		Remediation: "pachdeploy scopes its policies to the one bucket: a wildcard comes from a change to components/aws",
		Check: func(rs policy.Resources) []policy.Violation {
			var out []policy.Violation
			for _, typ := range []string{"aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/policy:Policy"} {
				for _, r := range rs.OfType(typ) {
					if res := wildcardResource(policy.String(r.Inputs, "policy")); res != "" {
						out = append(out, policy.Violation{URN: r.URN, Message: fmt.Sprintf("the policy grants on %q", res)})
					}
				}
			}
			return out
		},
	},
	{
		ID: "PD-AWS-EBS-ENCRYPTED", Refs: []string{"CKV_AWS_3"}, Cloud: "aws", Severity: policy.High,
		Looks:       "the StorageClass Pachyderm's volumes use: encrypted: \"true\"",
		Remediation: "pachdeploy's gp3 class is encrypted: an unencrypted one comes from a change to components/aws",
		Check: policy.Each("kubernetes:storage.k8s.io/v1:StorageClass", "volumes of this class are not encrypted", func(in map[string]any) bool {
			return policy.String(in, "provisioner") == ebsCSIProvisioner && policy.String(in, "parameters.encrypted") != "true"
		}),
	},
}, rdsChecks)

// rdsInstanceType is the RDS instance resource of the managed database.
const rdsInstanceType = "aws:rds/instance:Instance"

// rdsChecks are the managed database's rules. pachdeploy's defaults pass every one
// but PD-AWS-RDS-MULTI-AZ, which is a setting.
var rdsChecks = []policy.Rule{
	{
		ID: "PD-AWS-RDS-ENCRYPTED", Refs: []string{"CKV_AWS_16"}, Cloud: "aws", Severity: policy.High,
		Looks:       "storageEncrypted on every RDS instance",
		Remediation: "pachdeploy encrypts its database with a key of its own: an unencrypted one comes from a change to components/aws",
		Check: policy.Each(rdsInstanceType, "the database's storage is not encrypted", func(in map[string]any) bool {
			return !policy.True(in, "storageEncrypted")
		}),
	},
	{
		ID: "PD-AWS-RDS-PUBLIC", Refs: []string{"CKV_AWS_17"}, Cloud: "aws", Severity: policy.Critical,
		Looks: "publiclyAccessible on every RDS instance: explicitly false (left unset, RDS decides from the subnets)",
		Remediation: "pachdeploy's database has no public address and admits only the cluster's nodes: " +
			"a public one comes from a change to components/aws",
		Check: policy.Each(rdsInstanceType, "the database may get a public address", func(in map[string]any) bool {
			public, set := policy.Get(in, "publiclyAccessible")
			return !set || public != false
		}),
	},
	{
		ID: "PD-AWS-RDS-BACKUPS", Refs: []string{"CKV_AWS_133"}, Cloud: "aws", Severity: policy.Medium,
		Looks:       "backupRetentionPeriod on every RDS instance: at least 7 days",
		Remediation: "set databaseBackupDays to 7 or more",
		Check: policy.Each(rdsInstanceType, "the database keeps automated backups less than 7 days", func(in map[string]any) bool {
			days, _ := policy.Get(in, "backupRetentionPeriod")
			n, ok := days.(float64)
			return !ok || n < 7
		}),
	},
	{
		ID: "PD-AWS-RDS-DELETION-PROTECTION", Refs: []string{"CKV_AWS_293"}, Cloud: "aws", Severity: policy.Medium,
		Looks:       "deletionProtection on every RDS instance",
		Remediation: "turn deleteDataOnDestroy off: with it on, destroy may delete the database (waive this for a throwaway stack)",
		Check: policy.Each(rdsInstanceType, "the database has no deletion protection", func(in map[string]any) bool {
			return !policy.True(in, "deletionProtection")
		}),
	},
	{
		ID: "PD-AWS-RDS-TLS", Refs: []string{"CKV2_AWS_69"}, Cloud: "aws", Severity: policy.High,
		Looks:       "the parameter group of every RDS instance: one in the stack with rds.force_ssl = 1",
		Remediation: "pachdeploy's parameter group refuses connections without TLS: one without it comes from a change to components/aws",
		Check: func(rs policy.Resources) []policy.Violation {
			tls := map[string]bool{}
			for _, g := range rs.OfType("aws:rds/parameterGroup:ParameterGroup") {
				if parameterValue(g.Inputs, "rds.force_ssl") == "1" {
					tls[policy.String(g.Inputs, "name")] = true
				}
			}
			var out []policy.Violation
			for _, i := range rs.OfType(rdsInstanceType) {
				if !tls[policy.String(i.Inputs, "parameterGroupName")] {
					out = append(out, policy.Violation{URN: i.URN, Message: "the database accepts connections without TLS"})
				}
			}
			return out
		},
	},
	{
		ID: "PD-AWS-RDS-LOGS", Refs: []string{"CKV_AWS_129"}, Cloud: "aws", Severity: policy.Medium,
		Looks:       "enabledCloudwatchLogsExports on every RDS instance: postgresql and upgrade",
		Remediation: "pachdeploy sends its database's logs to CloudWatch: missing logs come from a change to components/aws",
		Check: policy.Each(rdsInstanceType, "the database's logs do not reach CloudWatch", func(in map[string]any) bool {
			exports := policy.Strings(in, "enabledCloudwatchLogsExports")
			return !slices.Contains(exports, "postgresql") || !slices.Contains(exports, "upgrade")
		}),
	},
	{
		ID: "PD-AWS-RDS-MINOR-UPGRADES", Refs: []string{"CKV_AWS_226"}, Cloud: "aws", Severity: policy.Low,
		Looks:       "autoMinorVersionUpgrade on every RDS instance",
		Remediation: "pachdeploy lets RDS apply PostgreSQL's minor (security) releases: without them comes from a change to components/aws",
		Check: policy.Each(rdsInstanceType, "the database does not get minor version upgrades", func(in map[string]any) bool {
			return !policy.True(in, "autoMinorVersionUpgrade")
		}),
	},
	{
		ID: "PD-AWS-RDS-SNAPSHOT-TAGS", Refs: []string{"CKV2_AWS_60"}, Cloud: "aws", Severity: policy.Low,
		Looks:       "copyTagsToSnapshot on every RDS instance",
		Remediation: "pachdeploy tags its database's snapshots like the database: untagged ones come from a change to components/aws",
		Check: policy.Each(rdsInstanceType, "the database's snapshots do not carry its tags", func(in map[string]any) bool {
			return !policy.True(in, "copyTagsToSnapshot")
		}),
	},
	{
		ID: "PD-AWS-RDS-IAM-AUTH", Refs: []string{"CKV_AWS_161"}, Cloud: "aws", Severity: policy.Low,
		Looks:       "iamDatabaseAuthenticationEnabled on every RDS instance",
		Remediation: "pachdeploy turns IAM database authentication on: without it comes from a change to components/aws",
		Check: policy.Each(rdsInstanceType, "the database does not accept IAM authentication", func(in map[string]any) bool {
			return !policy.True(in, "iamDatabaseAuthenticationEnabled")
		}),
	},
	{
		ID: "PD-AWS-RDS-MULTI-AZ", Refs: []string{"CKV_AWS_157"}, Cloud: "aws", Severity: policy.Low,
		Looks:       "multiAz on every RDS instance: a standby in a second zone",
		Remediation: "set databaseHighAvailability: true (a synchronous standby in a second zone; it doubles the instance's cost)",
		Check: policy.Each(rdsInstanceType, "the database has no standby in a second zone", func(in map[string]any) bool {
			return !policy.True(in, "multiAz")
		}),
	},
}

// s3BucketType is the S3 bucket resource pachdeploy makes.
const s3BucketType = "aws:s3/bucketV2:BucketV2"

// accessLogging reads the plan's access-log configurations: the buckets that log
// (by name, as their bucket input gives it) and the buckets that receive logs.
func accessLogging(rs policy.Resources) (logged, targets map[string]bool) {
	logged, targets = map[string]bool{}, map[string]bool{}
	for _, l := range rs.OfType("aws:s3/bucketLoggingV2:BucketLoggingV2") {
		logged[policy.String(l.Inputs, "bucket")] = true
		targets[policy.String(l.Inputs, "targetBucket")] = true
	}
	return logged, targets
}

// parameterValue is the value a DB parameter group's inputs give the parameter
// name, or "".
func parameterValue(in map[string]any, name string) string {
	params, _ := policy.Get(in, "parameters")
	list, _ := params.([]any)
	for _, p := range list {
		if m, ok := p.(map[string]any); ok && m["name"] == name {
			v, _ := m["value"].(string)
			return v
		}
	}
	return ""
}

// wildcardResource returns the first wildcard resource a policy document grants on.
func wildcardResource(doc string) string {
	var d struct {
		Statement []struct {
			Effect   string
			Resource any
		}
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return ""
	}
	for _, s := range d.Statement {
		if s.Effect != "Allow" {
			continue
		}
		list, ok := s.Resource.([]any)
		if !ok {
			list = []any{s.Resource}
		}
		for _, r := range list {
			if r, _ := r.(string); r == "*" || strings.HasPrefix(r, "arn:aws:s3:::*") {
				return r
			}
		}
	}
	return ""
}
