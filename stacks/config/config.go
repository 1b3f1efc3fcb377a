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
	// ExistingCluster installs onto a running cluster of that name instead of making
	// one: only the bucket, the identity, a storage class and Pachyderm are created, and
	// destroy never touches the cluster. Default "": pachdeploy makes the cluster.
	ExistingCluster string
	// Kubeconfig reaches ExistingCluster instead of the cloud's own credentials.
	// Secret. Default "": a kubeconfig built from the cluster the cloud describes.
	Kubeconfig string
	// KubernetesVersion is MAJOR.MINOR (EKS default 1.33); on GKE and AKS empty means the
	// release channel's or the service's default.
	KubernetesVersion string
	// NodeInstanceType is the node machine type. Default: the cloud's
	// (Target.Defaults.MachineType: the runbook's choice).
	NodeInstanceType string
	// NodeCount is the desired node count. Default: the cloud's (Target.Defaults).
	NodeCount int
	// NodeMinCount and NodeMaxCount bound autoscaling (default 1 and NodeCount).
	NodeMinCount int
	NodeMaxCount int
	// BucketName is the S3 or GCS bucket, or the Azure container. Default derived from
	// project and stack.
	BucketName string
	// Namespace for Pachyderm. Default DefaultNamespace.
	Namespace string
	// ChartVersion pins the Pachyderm chart. Default DefaultChartVersion.
	ChartVersion string
	// Identity is how Pachyderm reaches its bucket: one of the cloud's
	// Target.Identities, the first by default.
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
	// Database is where Pachyderm keeps its metadata: DatabaseInCluster (the chart's
	// own PostgreSQL, the default: a trial needs no database bill) or DatabaseManaged
	// (the cloud's PostgreSQL service, private and encrypted: what Pachyderm's docs
	// recommend for anything beyond a trial, since it outlives the cluster).
	Database string
	// DatabaseVersion is the managed database's PostgreSQL major version. Default
	// DefaultDatabaseVersion: chart 2.10+ needs 15 or newer.
	DatabaseVersion string
	// DatabaseInstanceType is the managed database's machine class. Default: the
	// cloud's Defaults.DatabaseInstanceType (a small general-purpose class).
	DatabaseInstanceType string
	// DatabaseStorageGB is the managed database's storage. Default: the cloud's
	// Defaults.DatabaseStorageGB (each service's smallest sensible size).
	DatabaseStorageGB int
	// DatabaseHighAvailability keeps a standby in a second zone (RDS Multi-AZ, Cloud SQL
	// regional, flexible server zone-redundant). Default false: it doubles the bill.
	DatabaseHighAvailability bool
	// DatabaseBackupDays is how long automated backups are kept. Default
	// DefaultDatabaseBackupDays, the least production checklists accept.
	DatabaseBackupDays int
	// Endpoint is how pachd and the console are reached from outside the cluster:
	// EndpointNone (the default: kubectl port-forward, nothing exposed) or EndpointTLS
	// (Pachyderm's proxy behind the cloud's load balancer, TLS only).
	Endpoint string
	// EndpointHostname is the DNS name clients use for the TLS endpoint (the name the
	// certificate is for). Required with EndpointTLS; pachdeploy does not manage DNS.
	EndpointHostname string
	// EndpointTLSSecret names a Kubernetes TLS Secret (tls.crt, tls.key) in the
	// namespace that the proxy serves, e.g. one cert-manager keeps renewed. One of it
	// or EndpointCertificateARN is required with EndpointTLS.
	EndpointTLSSecret string
	// EndpointCertificateARN is an ACM certificate the AWS load balancer terminates TLS
	// with (AWS only), so no private key ever enters the cluster.
	EndpointCertificateARN string
	// EndpointAllowedCIDRs limits who reaches the load balancer. Default: everyone,
	// with a policy finding.
	EndpointAllowedCIDRs []string
	// GPUNodeInstanceType adds a second, autoscaling node pool of GPU machines of this
	// type, tainted so only pods that tolerate it (GPU pipelines) land there. Default
	// "": no GPU pool.
	GPUNodeInstanceType string
	// GPUNodeMaxCount bounds the GPU pool, which scales from zero where the cloud
	// allows it. Default 2.
	GPUNodeMaxCount int
	// PolicyWaivers accept policy findings (pachdeploy check): rule id -> the reason,
	// shown in every report. Default none. A waiver needs a reason.
	PolicyWaivers map[string]string

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
	// Network and Subnetwork select an existing VPC and subnet (names or self links);
	// both or neither. Default: a VPC of Pachyderm's own with Cloud NAT.
	Network, Subnetwork string
	// PrivateNodes gives the GKE nodes internal addresses only (CKV_GCP_25, CKV_GCP_64).
	// Default: true when pachdeploy makes the network, whose Cloud NAT lets the nodes
	// pull images (Pachyderm's are on Docker Hub); false with Network and Subnetwork,
	// whose egress pachdeploy cannot see. Set false to keep a cluster made before
	// private nodes as it is (changing it replaces the cluster with pulumi-gcp v9.6.0).
	PrivateNodes *bool
}

// AzureConfig holds the Azure-only settings.
type AzureConfig struct {
	// ResourceGroupName holds everything. Default pachdeploy-<stack>.
	ResourceGroupName string
	// StorageAccountName is globally unique, 3-24 lowercase letters and digits.
	// Default derived from project and stack.
	StorageAccountName string
	// NodeSubnetID selects an existing subnet for the nodes (its resource id).
	// Default: a VNet of Pachyderm's own.
	NodeSubnetID string
	// NodeSubnetHasStorageEndpoint says the NodeSubnetID subnet has the
	// Microsoft.Storage service endpoint, so the storage account may deny every other
	// network. Default false: with a subnet of the user's the account stays open, since
	// a rule naming a subnet without the endpoint would cut Pachyderm off its data.
	// pachdeploy's own VNet has the endpoint and the rule without this setting.
	NodeSubnetHasStorageEndpoint bool
	// HostEncryption encrypts node disks and caches at the VM host. Default false: it
	// needs the subscription feature Microsoft.Compute/EncryptionAtHost registered
	// first, which pachdeploy cannot do for the user.
	HostEncryption bool
	// EntraIDAuth signs people in to the Kubernetes API with Microsoft Entra ID and
	// Azure RBAC and turns local accounts off. Default false: it needs `az login` and
	// kubelogin on every machine that runs the deploy or uses the kubeconfig.
	EntraIDAuth bool
}

// ClusterKey is the setting that names the cluster: existingCluster when the stack
// installs onto one, else clusterName. Rules about the cluster's name report under it.
func (c *Config) ClusterKey() string {
	if c.ExistingCluster != "" {
		return "existingCluster"
	}
	return "clusterName"
}

// ConsoleEnabled reports whether the console is on (the default).
func (c *Config) ConsoleEnabled() bool { return c.Console == nil || *c.Console }

// DefaultChartVersion is the Pachyderm chart version a stack gets unless it pins one
// (components/pachyderm.DefaultChartVersion is the same, a test ties them).
const DefaultChartVersion = "2.11.6"

// Database modes (Config.Database).
const (
	DatabaseInCluster = "in-cluster"
	DatabaseManaged   = "managed"
)

// Endpoint modes (Config.Endpoint).
const (
	EndpointNone = "none"
	EndpointTLS  = "tls"
)

// DefaultGPUNodeMaxCount bounds a GPU pool unless the stack says otherwise.
const DefaultGPUNodeMaxCount = 2

// Managed database defaults every cloud shares.
const (
	DefaultDatabaseVersion    = "16"
	DefaultDatabaseBackupDays = 7
)

// ManagedDatabase reports whether the stack uses the cloud's managed PostgreSQL.
func (c *Config) ManagedDatabase() bool { return c.Database == DatabaseManaged }

// DefaultNamespace is the namespace Pachyderm goes into unless the stack names one.
const DefaultNamespace = "pachyderm"

// complete fills every unset setting with its default for t, deriving names from the
// Pulumi project and stack: t's own first, then the ones every cloud shares.
func (c *Config) complete(t Target, project, stack string) {
	if t.Complete != nil {
		t.Complete(c, project, stack)
	}
	slug := Slug(stack)
	setDefault(&c.Region, t.Defaults.Region)
	setDefault(&c.KubernetesVersion, t.Defaults.KubernetesVersion)
	setDefault(&c.NodeInstanceType, t.Defaults.MachineType)
	if len(t.Identities) > 0 {
		setDefault(&c.Identity, t.Identities[0])
	}
	setDefault(&c.ClusterName, c.ExistingCluster)
	setDefault(&c.ClusterName, Trim("pachdeploy-"+slug, 40))
	setDefault(&c.Namespace, DefaultNamespace)
	setDefault(&c.ChartVersion, DefaultChartVersion)
	setDefault(&c.Database, DatabaseInCluster)
	setDefault(&c.Endpoint, EndpointNone)
	if c.GPUNodeInstanceType != "" && c.GPUNodeMaxCount == 0 {
		c.GPUNodeMaxCount = DefaultGPUNodeMaxCount
	}
	if c.ManagedDatabase() {
		setDefault(&c.DatabaseVersion, DefaultDatabaseVersion)
		setDefault(&c.DatabaseInstanceType, t.Defaults.DatabaseInstanceType)
		if c.DatabaseStorageGB == 0 {
			c.DatabaseStorageGB = t.Defaults.DatabaseStorageGB
		}
		if c.DatabaseBackupDays == 0 {
			c.DatabaseBackupDays = DefaultDatabaseBackupDays
		}
	}
	rules.DefaultNodeCounts(&c.NodeMinCount, &c.NodeCount, &c.NodeMaxCount, t.Defaults.NodeCount)
	hash := Hash(project, stack)
	setDefault(&c.BucketName, Trim(Slug(project)+"-"+slug, 63-len("-pachyderm-")-len(hash))+"-pachyderm-"+hash)
}

func setDefault(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// Slug lowercases s and folds every run of other characters into one '-', starting
// with a letter: the base of every derived name.
func Slug(s string) string {
	s = strings.Trim(nonName.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "p" + s
	}
	return s
}

// Trim cuts s to n characters without leaving a trailing '-'.
func Trim(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-")
}

// Hash is six hex digits unique to project and stack: derived names that must be
// globally unique (buckets, storage accounts) end with it.
func Hash(project, stack string) string {
	sum := sha256.Sum256([]byte(project + "/" + stack))
	return hex.EncodeToString(sum[:])[:6]
}
