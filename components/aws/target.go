package aws

import (
	"path/filepath"

	"github.com/pachdeploy/pachdeploy/components/aws/settings"
	"github.com/pachdeploy/pachdeploy/target"
)

// Target is everything pachdeploy knows of AWS: settings, the deploy, what holds data,
// the plugins, the credentials, the kubeconfig helper and the offline plan's stand-ins.
var Target = target.Target{
	Settings: settings.Target,
	Deploy:   deployAWS,
	DataBearing: []target.DataBearing{
		{Type: "aws:s3/bucketV2:BucketV2", Holds: "S3 bucket with Pachyderm's data", Kept: true},
		{Type: "aws:s3/bucket:Bucket", Holds: "S3 bucket with Pachyderm's data", Kept: true},
		{Type: "aws:rds/instance:Instance", Holds: "RDS PostgreSQL instance with Pachyderm's metadata (commits, jobs, pipelines, users)", Kept: true},
		// Not Kept by type: the bucket's key is retained with the bucket, the cluster's
		// and the logs' keys go with them.
		{Type: "aws:kms/key:Key", Holds: "KMS key: what it encrypted (Pachyderm's objects, cluster secrets, logs) is unreadable once it is deleted"},
		{Type: "eks:index:Cluster", Holds: "EKS cluster running Pachyderm and its metadata database"},
		{Type: "aws:eks/cluster:Cluster", Holds: "EKS cluster running Pachyderm and its metadata database"},
	},
	Plugins: []target.Plugin{
		{Name: "aws", Module: "github.com/pulumi/pulumi-aws/sdk/v6"},
		{Name: "eks", Module: "github.com/pulumi/pulumi-eks/sdk/v3"},
		target.KubernetesPlugin, target.RandomPlugin,
	},
	Credentials: target.Credentials{
		What: "AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE or ~/.aws)",
		EnvGroups: [][]string{{"AWS_PROFILE"}, {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
			{"AWS_WEB_IDENTITY_TOKEN_FILE"}},
		Files: []string{filepath.Join(".aws", "credentials"), filepath.Join(".aws", "config")},
		Fix:   "run `aws configure` or `aws sso login`, or export AWS_PROFILE",
	},
	KubeconfigHelper: target.Helper{Command: "aws", Required: true,
		What: "kubeconfig helper `aws` (EKS tokens: aws eks get-token)",
		Fix:  "install the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"},
	StandIns: standIns,
	Rules:    checks,
}
