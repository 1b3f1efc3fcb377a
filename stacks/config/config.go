// Package config is pachdeploy's typed stack configuration: the settings users set with
// `pulumi config set pachdeploy:KEY`, their per-cloud defaults and their validation.
// It imports no cloud SDK, so the Automation API driver can use it too.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/pachdeploy/pachdeploy/internal/rules"
)

// Namespace is the Pulumi config namespace of every setting.
const Namespace = "pachdeploy"

// Cloud names a supported cloud.
type Cloud string

// The supported clouds.
const (
	AWS   Cloud = "aws"
	GCP   Cloud = "gcp"
	Azure Cloud = "azure"
)

// Clouds lists the supported clouds in a stable order.
var Clouds = []Cloud{AWS, GCP, Azure}

// Identity modes: how Pachyderm authenticates to its bucket.
const (
	// IdentityIRSA (AWS default): IAM Roles for Service Accounts, keyless.
	IdentityIRSA = "irsa"
	// IdentityNodeRole (AWS): the bucket policy on the node role, as the runbook does.
	IdentityNodeRole = "node-role"
	// IdentityStaticKeys (AWS): an IAM user's access key passed to the chart.
	IdentityStaticKeys = "static-keys"
	// IdentityWorkloadIdentity (GCP default): GKE Workload Identity, keyless.
	IdentityWorkloadIdentity = "workload-identity"
	// IdentityServiceAccountKey (GCP): a service-account key passed to the chart.
	IdentityServiceAccountKey = "service-account-key"
	// IdentityStorageKey (Azure, only mode): the storage account key passed to the
	// chart, which has no keyless Azure mode.
	IdentityStorageKey = "storage-key"
)

// Config is one stack's settings. Zero values mean "use the default"; Complete fills
// them in for the chosen cloud.
type Config struct {
	// Cloud is aws, gcp or azure. Required.
	Cloud Cloud
	// Region is the AWS region, GCP region or Azure location (alias key: location).
	Region string
	// AllowUnknownRegion accepts a region missing from pachdeploy's list of each cloud's
	// published regions (a region newer than this release). Default false: a typo fails
	// here instead of minutes into a deploy.
	AllowUnknownRegion bool
	// ClusterName names the Kubernetes cluster. Default pachdeploy-<stack>.
	ClusterName string
	// KubernetesVersion is MAJOR.MINOR (EKS default 1.33); on GKE and AKS empty means the
	// release channel's or the service's default.
	KubernetesVersion string
	// NodeInstanceType is the node machine type (m5.large, n2-standard-4,
	// Standard_DS4_v2 by default: the runbook's choices).
	NodeInstanceType string
	// NodeCount is the desired node count (default 2 on AWS, 3 on GCP and Azure).
	NodeCount int
	// NodeMinCount and NodeMaxCount bound autoscaling (default 1 and NodeCount).
	NodeMinCount int
	NodeMaxCount int
	// BucketName is the S3 or GCS bucket, or the Azure container. Default derived from
	// project and stack.
	BucketName string
	// Namespace for Pachyderm. Default pachyderm.
	Namespace string
	// ChartVersion pins the Pachyderm chart. Default 2.11.6.
	ChartVersion string
	// Identity is how Pachyderm reaches its bucket (see the Identity constants).
	Identity string
	// ExternalService exposes pachd through a LoadBalancer. Default false.
	ExternalService bool
	// Console enables Pachyderm's console. Default true.
	Console *bool
	// EnterpriseLicenseKey activates enterprise features. Secret.
	EnterpriseLicenseKey string
	// ValuesFile is a YAML file merged over the generated chart values.
	ValuesFile string
	// Values is the parsed ValuesFile (filled by Validate).
	Values map[string]any
	// APIAllowedCIDRs limits who reaches the Kubernetes API endpoint. Default: open, as
	// eksctl does, with a warning: the deploy itself must reach the API.
	APIAllowedCIDRs []string
	// DeleteDataOnDestroy lets destroy delete the bucket and its data. Default false.
	DeleteDataOnDestroy bool
	// Tags go on every cloud resource that takes tags or labels.
	Tags map[string]string

	AWS   AWSConfig
	GCP   GCPConfig
	Azure AzureConfig
}

// AWSConfig holds the AWS-only settings.
type AWSConfig struct {
	// VPCID and SubnetIDs select an existing network; both or neither. Default: a new
	// VPC across two availability zones with public and private subnets.
	VPCID     string
	SubnetIDs []string
}

// GCPConfig holds the GCP-only settings.
type GCPConfig struct {
	// Project is the Google Cloud project. Default: the provider's (gcp:project).
	Project string
	// Zone makes a zonal cluster (runbook: us-central1-a). Default: regional cluster.
	Zone string
	// BucketLocation is the GCS location. Default: the region, upper-cased.
	BucketLocation string
	// ReleaseChannel is the GKE release channel. Default REGULAR.
	ReleaseChannel string
	// DeletionProtection guards the cluster against deletion. Default false, so
	// destroy works; turn it on for production clusters.
	DeletionProtection bool
}

// AzureConfig holds the Azure-only settings.
type AzureConfig struct {
	// ResourceGroupName holds everything. Default pachdeploy-<stack>.
	ResourceGroupName string
	// StorageAccountName is globally unique, 3-24 lowercase letters and digits.
	// Default derived from project and stack.
	StorageAccountName string
}

// ConsoleEnabled reports whether the console is on (the default).
func (c *Config) ConsoleEnabled() bool { return c.Console == nil || *c.Console }

// cloudDefaults are the per-cloud defaults Complete applies.
var cloudDefaults = map[Cloud]struct {
	region, k8sVersion, instanceType, identity string
	nodeCount                                  int
}{
	AWS:   {"us-west-2", "1.33", "m5.large", IdentityIRSA, 2},
	GCP:   {"us-central1", "", "n2-standard-4", IdentityWorkloadIdentity, 3},
	Azure: {"centralus", "", "Standard_DS4_v2", IdentityStorageKey, 3},
}

// Complete fills every unset setting with its default for c.Cloud, deriving names
// from the Pulumi project and stack. Unknown clouds are left for Validate to report.
func (c *Config) Complete(project, stack string) {
	d, ok := cloudDefaults[c.Cloud]
	if !ok {
		return
	}
	slug := nameSlug(stack)
	setDefault(&c.Region, d.region)
	setDefault(&c.KubernetesVersion, d.k8sVersion)
	setDefault(&c.NodeInstanceType, d.instanceType)
	setDefault(&c.Identity, d.identity)
	setDefault(&c.ClusterName, trimName("pachdeploy-"+slug, 40))
	setDefault(&c.Namespace, "pachyderm")
	setDefault(&c.ChartVersion, "2.11.6")
	rules.DefaultNodeCounts(&c.NodeMinCount, &c.NodeCount, &c.NodeMaxCount, d.nodeCount)
	hash := shortHash(project + "/" + stack)
	switch c.Cloud {
	case AWS, GCP:
		setDefault(&c.BucketName, trimName(nameSlug(project)+"-"+slug, 63-len("-pachyderm-")-len(hash))+"-pachyderm-"+hash)
	case Azure:
		setDefault(&c.BucketName, "pachyderm")
		alnum := strings.ReplaceAll(nameSlug(stack), "-", "")
		setDefault(&c.Azure.StorageAccountName, trimName("pach"+alnum, 24-len(hash))+hash)
		setDefault(&c.Azure.ResourceGroupName, trimName("pachdeploy-"+slug, 90))
	}
	if c.Cloud == GCP {
		setDefault(&c.GCP.ReleaseChannel, "REGULAR")
		setDefault(&c.GCP.BucketLocation, strings.ToUpper(c.Region))
	}
}

func setDefault(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// nameSlug lowercases s and folds every run of other characters into one '-'.
func nameSlug(s string) string {
	s = strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "p" + s
	}
	return s
}

// trimName cuts s to n characters without leaving a trailing '-'.
func trimName(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-")
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:6]
}
