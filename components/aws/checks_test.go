package aws

import (
	"slices"
	"testing"

	"github.com/pachdeploy/pachdeploy/internal/mocktest"
	"github.com/pachdeploy/pachdeploy/policy"
	"github.com/pachdeploy/pachdeploy/policy/policytest"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestChecks(t *testing.T) {
	one := policytest.One
	bucket := one("aws:s3/bucketV2:BucketV2", map[string]any{"bucket": "data"})
	sse := func(alg, key string) policy.Resources {
		return one("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", map[string]any{
			"rules": []any{map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": alg, "kmsMasterKeyId": key}}}})
	}
	vpc := one("aws:ec2/vpc:Vpc", map[string]any{})
	policyDoc := func(res string) policy.Resources {
		return one("aws:iam/rolePolicy:RolePolicy", map[string]any{"policy": `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["` + res + `"]}]}`})
	}
	rds := func(inputs map[string]any) policy.Resources { return one(rdsInstanceType, inputs) }
	paramGroup := func(name, forceSSL string) policy.Resources {
		return one("aws:rds/parameterGroup:ParameterGroup", map[string]any{"name": name,
			"parameters": []any{map[string]any{"name": "rds.force_ssl", "value": forceSSL}}})
	}
	policytest.Run(t, checks, []policytest.Case{
		{Rule: "PD-AWS-S3-LOGGING", Broken: bucket,
			Fixed: append(append(policy.Resources{}, bucket...), one("aws:s3/bucketLoggingV2:BucketLoggingV2", map[string]any{"bucket": "data"})...)},
		{Rule: "PD-AWS-S3-CMK", Broken: sse("AES256", ""), Fixed: sse("aws:kms", "arn:aws:kms:...:key/1")},
		{Rule: "PD-AWS-KMS-POLICY", Broken: one("aws:kms/key:Key", map[string]any{}), Fixed: one("aws:kms/key:Key", map[string]any{"policy": "{}"})},
		{Rule: "PD-AWS-KMS-ROTATION", Broken: one("aws:kms/key:Key", map[string]any{}),
			Fixed: one("aws:kms/key:Key", map[string]any{"enableKeyRotation": true})},
		{Rule: "PD-AWS-LOGS-KMS", Broken: one("aws:cloudwatch/logGroup:LogGroup", map[string]any{}),
			Fixed: one("aws:cloudwatch/logGroup:LogGroup", map[string]any{"kmsKeyId": "arn:aws:kms:...:key/1"})},
		{Rule: "PD-AWS-VPC-FLOW-LOGS", Broken: vpc,
			Fixed: append(append(policy.Resources{}, vpc...), one("aws:ec2/flowLog:FlowLog", map[string]any{"vpcId": "vpc-1"})...)},
		{Rule: "PD-AWS-API-OPEN", Broken: one("eks:index:Cluster", map[string]any{"publicAccessCidrs": []any{"0.0.0.0/0"}}),
			Fixed: one("eks:index:Cluster", map[string]any{"publicAccessCidrs": []any{"203.0.113.0/24"}})},
		// In the engine's events the remote component has no inputs; its aws:eks child does.
		{Rule: "PD-AWS-API-OPEN",
			Broken: slices.Concat(one("eks:index:Cluster", map[string]any{}),
				one("aws:eks/cluster:Cluster", map[string]any{"vpcConfig": map[string]any{"endpointPublicAccess": true}})),
			Fixed: slices.Concat(one("eks:index:Cluster", map[string]any{}),
				one("aws:eks/cluster:Cluster", map[string]any{"vpcConfig": map[string]any{"endpointPublicAccess": true,
					"publicAccessCidrs": []any{"203.0.113.0/24"}}}))},
		{Rule: "PD-AWS-API-OPEN", Broken: one("aws:eks/cluster:Cluster", map[string]any{"vpcConfig": map[string]any{}}),
			Fixed: one("aws:eks/cluster:Cluster", map[string]any{"vpcConfig": map[string]any{"endpointPublicAccess": false}})},
		{Rule: "PD-AWS-IAM-WILDCARD", Broken: policyDoc("arn:aws:s3:::*/*"), Fixed: policyDoc("arn:aws:s3:::data/*")},
		{Rule: "PD-AWS-RDS-ENCRYPTED", Broken: rds(map[string]any{"storageEncrypted": false}), Fixed: rds(map[string]any{"storageEncrypted": true})},
		{Rule: "PD-AWS-RDS-PUBLIC", Broken: rds(map[string]any{"publiclyAccessible": true}), Fixed: rds(map[string]any{"publiclyAccessible": false})},
		// Unset, RDS decides from the subnets: not a pass.
		{Rule: "PD-AWS-RDS-PUBLIC", Broken: rds(map[string]any{}), Fixed: rds(map[string]any{"publiclyAccessible": false})},
		{Rule: "PD-AWS-RDS-BACKUPS", Broken: rds(map[string]any{"backupRetentionPeriod": float64(1)}),
			Fixed: rds(map[string]any{"backupRetentionPeriod": float64(7)})},
		{Rule: "PD-AWS-RDS-BACKUPS", Broken: rds(map[string]any{}), Fixed: rds(map[string]any{"backupRetentionPeriod": float64(35)})},
		{Rule: "PD-AWS-RDS-DELETION-PROTECTION", Broken: rds(map[string]any{"deletionProtection": false}),
			Fixed: rds(map[string]any{"deletionProtection": true})},
		{Rule: "PD-AWS-RDS-TLS", Broken: slices.Concat(rds(map[string]any{"parameterGroupName": "pg"}), paramGroup("pg", "0")),
			Fixed: slices.Concat(rds(map[string]any{"parameterGroupName": "pg"}), paramGroup("pg", "1"))},
		// A group outside the stack (or the default one) shows no TLS setting.
		{Rule: "PD-AWS-RDS-TLS", Broken: slices.Concat(rds(map[string]any{"parameterGroupName": "default.postgres16"}), paramGroup("pg", "1")),
			Fixed: slices.Concat(rds(map[string]any{"parameterGroupName": "pg"}), paramGroup("pg", "1"))},
		{Rule: "PD-AWS-RDS-LOGS", Broken: rds(map[string]any{"enabledCloudwatchLogsExports": []any{"upgrade"}}),
			Fixed: rds(map[string]any{"enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"}})},
		{Rule: "PD-AWS-RDS-MINOR-UPGRADES", Broken: rds(map[string]any{"autoMinorVersionUpgrade": false}),
			Fixed: rds(map[string]any{"autoMinorVersionUpgrade": true})},
		{Rule: "PD-AWS-RDS-SNAPSHOT-TAGS", Broken: rds(map[string]any{}), Fixed: rds(map[string]any{"copyTagsToSnapshot": true})},
		{Rule: "PD-AWS-RDS-IAM-AUTH", Broken: rds(map[string]any{"iamDatabaseAuthenticationEnabled": false}),
			Fixed: rds(map[string]any{"iamDatabaseAuthenticationEnabled": true})},
		{Rule: "PD-AWS-RDS-MULTI-AZ", Broken: rds(map[string]any{"multiAz": false}), Fixed: rds(map[string]any{"multiAz": true})},
		{Rule: "PD-AWS-EBS-ENCRYPTED",
			Broken: one("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"provisioner": ebsCSIProvisioner, "parameters": map[string]any{}}),
			Fixed: one("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"provisioner": ebsCSIProvisioner,
				"parameters": map[string]any{"encrypted": "true"}})},
	})
}

// TestChecks_LogBucketExemptions: a bucket that receives access logs needs no logging
// of its own and may use SSE-S3 (S3 delivers logs into nothing else); the bucket that
// logs into it gets neither exemption.
func TestChecks_LogBucketExemptions(t *testing.T) {
	one := policytest.One
	bucket := func(name string) policy.Resources { return one(s3BucketType, map[string]any{"bucket": name}) }
	sseS3 := func(name string) policy.Resources {
		return one("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", map[string]any{
			"bucket": name, "rules": []any{map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"}}}})
	}
	logging := one("aws:s3/bucketLoggingV2:BucketLoggingV2", map[string]any{"bucket": "data", "targetBucket": "data-logs"})
	byID := map[string]policy.Rule{}
	for _, r := range checks {
		byID[r.ID] = r
	}
	plan := slices.Concat(bucket("data"), bucket("data-logs"), sseS3("data"), sseS3("data-logs"), logging)
	for _, tc := range []struct {
		rule string
		want int
	}{
		{"PD-AWS-S3-LOGGING", 0}, // data logs; data-logs is the target
		{"PD-AWS-S3-CMK", 1},     // data-logs is exempt, data is not
	} {
		if got := byID[tc.rule].Check(plan); len(got) != tc.want {
			t.Errorf("%s: %d violations %+v, want %d", tc.rule, len(got), got, tc.want)
		}
	}
	if got := byID["PD-AWS-S3-LOGGING"].Check(slices.Concat(bucket("data"), bucket("data-logs"))); len(got) != 2 {
		t.Errorf("without a logging configuration both buckets must fail PD-AWS-S3-LOGGING, got %+v", got)
	}
}

// TestChecks_DatabaseDefaultsPassAllButMultiAZ runs the database rules over what
// NewDatabase registers: its defaults pass every rule but Multi-AZ, a setting; with
// MultiAZ they pass that one too.
func TestChecks_DatabaseDefaultsPassAllButMultiAZ(t *testing.T) {
	for _, multiAZ := range []bool{false, true} {
		args := testDatabaseArgs()
		args.MultiAZ = multiAZ
		var plan policy.Resources
		for _, r := range runDatabase(t, args).cloud.Resources() {
			inputs, _ := mocktest.Plain(resource.NewObjectProperty(r.Inputs)).(map[string]any)
			plan = append(plan, policy.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Inputs: inputs})
		}
		var failing []string
		for _, rule := range rdsChecks {
			if len(rule.Check(plan)) > 0 {
				failing = append(failing, rule.ID)
			}
		}
		var want []string
		if !multiAZ {
			want = []string{"PD-AWS-RDS-MULTI-AZ"}
		}
		if !slices.Equal(failing, want) {
			t.Errorf("MultiAZ %v: failing %v, want %v", multiAZ, failing, want)
		}
	}
}
